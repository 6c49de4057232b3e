/**
 * What this node lets each peer do: connect at all (allow-list, bans), and how fast it may send records,
 * heartbeat batches and anti-entropy exchanges. Peers that keep sending invalid input collect strikes and are
 * banned for a while. Pure: time comes in as `nowMs`.
 */
import { Strikes } from './strikes.js'
import { TokenBuckets, type Rate } from './token-bucket.js'

/**
 * Gossiped records a peer may send: a node registering its maximum of 1 000 instances at once sends 1 000, and
 * a relay forwards them, so a burst of 2 000 passes; sustained, 500 a second is far above any honest cluster.
 */
export const RECORD_RATE: Rate = Object.freeze({ perSecond: 500, burst: 2_000 })
/** Heartbeat batches a neighbour may push: 4 flushes a second is the protocol's own rate; 5x leaves room. */
export const BEAT_RATE: Rate = Object.freeze({ perSecond: 20, burst: 40 })
/** Anti-entropy exchanges a peer may start: one per connection and per interval, plus targeted pulls. */
export const SYNC_RATE: Rate = Object.freeze({ perSecond: 2, burst: 10 })
/**
 * Strikes: every refused message from a peer (bad signature, malformed, forged proof, over a rate...) is one.
 * Twenty within twenty seconds ban the peer for five minutes: honest peers never get there, and a banned peer
 * costs nothing (its connections are refused before encryption completes).
 */
export const STRIKE_POLICY = Object.freeze({ threshold: 20, decayMs: 1_000, banMs: 300_000 })

/** Per-peer admission control of one node. */
export class PeerGuard {
  private readonly allowed: ReadonlySet<string> | undefined
  private readonly records = new TokenBuckets(RECORD_RATE)
  private readonly beats = new TokenBuckets(BEAT_RATE)
  private readonly syncs = new TokenBuckets(SYNC_RATE)
  private readonly strikes = new Strikes(STRIKE_POLICY)

  constructor (private readonly self: string, allowPeers: readonly string[] | undefined) {
    this.allowed = allowPeers === undefined ? undefined : new Set(allowPeers)
  }

  /** May records of this owner be accepted? (Everyone, unless an allow-list is set.) */
  isAllowedOwner (owner: string): boolean {
    return this.allowed === undefined || owner === this.self || this.allowed.has(owner)
  }

  /** Should connections with this peer be refused? */
  isDenied (peer: string, nowMs: number): boolean {
    return !this.isAllowedOwner(peer) || this.strikes.isBanned(peer, nowMs)
  }

  /** One gossiped record from `peer`: within its rate? */
  admitRecord (peer: string, nowMs: number): boolean {
    return this.records.take(peer, nowMs)
  }

  /** One beat batch from `peer`: within its rate? */
  admitBeats (peer: string, nowMs: number): boolean {
    return this.beats.take(peer, nowMs)
  }

  /** One inbound anti-entropy exchange from `peer`: within its rate? */
  admitSync (peer: string, nowMs: number): boolean {
    return this.syncs.take(peer, nowMs)
  }

  /** Counts a strike; true if the peer is banned from now on. */
  strike (peer: string, nowMs: number): boolean {
    return this.strikes.strike(peer, nowMs)
  }

  /** True while a peer is banned. */
  isBanned (peer: string, nowMs: number): boolean {
    return this.strikes.isBanned(peer, nowMs)
  }
}
