/**
 * Counters of what a node sent, received and refused. Plain numbers, so the gateway can expose them to
 * Prometheus and tests can assert on them without a metrics library in the core.
 */
import type { RejectReason } from './reject-reason.js'

/** The channels traffic is counted by. */
export type Channel = 'gossip' | 'sync' | 'beats'

/** A snapshot of the counters. */
export interface StatsSnapshot {
  readonly messagesIn: Readonly<Record<Channel, number>>
  readonly bytesIn: Readonly<Record<Channel, number>>
  readonly messagesOut: Readonly<Record<Channel, number>>
  readonly bytesOut: Readonly<Record<Channel, number>>
  readonly rejected: Readonly<Partial<Record<RejectReason, number>>>
  readonly syncRounds: Readonly<Record<'full' | 'targeted', number>>
  /** Refusals that counted against their sender, and the bans they led to. */
  readonly strikes: number
  readonly bans: number
  /** Owners whose records were dropped to stay within `maxRecords`. */
  readonly evictions: number
}

const channels = (): Record<Channel, number> => ({ gossip: 0, sync: 0, beats: 0 })

/** Mutable counters, updated by the registry. */
export class RegistryStats {
  private readonly messagesIn = channels()
  private readonly bytesIn = channels()
  private readonly messagesOut = channels()
  private readonly bytesOut = channels()
  private readonly rejections: Partial<Record<RejectReason, number>> = {}
  private readonly rounds = { full: 0, targeted: 0 }
  private strikeCount = 0
  private banCount = 0
  private evictionCount = 0

  /** Counts one message received. */
  received (channel: Channel, bytes: number): void {
    this.messagesIn[channel]++
    this.bytesIn[channel] += bytes
  }

  /** Counts one message sent. */
  sent (channel: Channel, bytes: number): void {
    this.messagesOut[channel]++
    this.bytesOut[channel] += bytes
  }

  /** Counts several messages sent at once (the frames of one exchange). */
  sentMany (channel: Channel, messages: number, bytes: number): void {
    this.messagesOut[channel] += messages
    this.bytesOut[channel] += bytes
  }

  /** Counts one refused message. */
  rejected (reason: RejectReason): void {
    this.rejections[reason] = (this.rejections[reason] ?? 0) + 1
  }

  /** Counts one strike against a peer, and whether it banned the peer. */
  struck (banned: boolean): void {
    this.strikeCount++
    if (banned) this.banCount++
  }

  /** Counts one owner evicted to stay within `maxRecords`. */
  evicted (): void {
    this.evictionCount++
  }

  /** Counts one completed anti-entropy exchange started by this node. */
  syncRound (kind: 'full' | 'targeted'): void {
    this.rounds[kind]++
  }

  /** A copy of every counter. */
  snapshot (): StatsSnapshot {
    return {
      messagesIn: { ...this.messagesIn },
      bytesIn: { ...this.bytesIn },
      messagesOut: { ...this.messagesOut },
      bytesOut: { ...this.bytesOut },
      rejected: { ...this.rejections },
      syncRounds: { ...this.rounds },
      strikes: this.strikeCount,
      bans: this.banCount,
      evictions: this.evictionCount
    }
  }
}
