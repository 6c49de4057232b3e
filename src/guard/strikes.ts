/**
 * Strikes against peers that send invalid input. Strikes decay (one per `decayMs`); a peer reaching
 * `threshold` is banned for `banMs`: disconnected and refused until then. Pure: time comes in.
 */
import { PerPeer } from './per-peer.js'

/** Strike policy. */
export interface StrikePolicy {
  /** Strikes that ban a peer. */
  readonly threshold: number
  /** One strike is forgiven per this many ms. */
  readonly decayMs: number
  /** How long a ban lasts, in ms. */
  readonly banMs: number
}

interface Record {
  strikes: number
  atMs: number
  bannedUntilMs: number
}

/** Strikes and bans of one node. */
export class Strikes {
  private readonly records = new PerPeer<Record>(() => ({ strikes: 0, atMs: 0, bannedUntilMs: 0 }))

  constructor (private readonly policy: StrikePolicy) {}

  /** Counts a strike; returns true if it bans the peer now. */
  strike (peer: string, nowMs: number): boolean {
    const record = this.records.get(peer)
    record.strikes = Math.max(0, record.strikes - Math.floor((nowMs - record.atMs) / this.policy.decayMs)) + 1
    record.atMs = nowMs
    if (record.strikes < this.policy.threshold || nowMs < record.bannedUntilMs) return false
    record.bannedUntilMs = nowMs + this.policy.banMs
    record.strikes = 0
    return true
  }

  /** True while the peer is banned. */
  isBanned (peer: string, nowMs: number): boolean {
    return nowMs < (this.records.peek(peer)?.bannedUntilMs ?? 0)
  }
}
