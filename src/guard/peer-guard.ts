/**
 * What this node lets each peer do: connect at all (allow-list, bans), and how much work its input may cost:
 * records by gossip and by anti-entropy, heartbeats and the hashing they need, anti-entropy exchanges, owners it
 * introduces. Every path a peer can send on has a budget, charged before the work is done (duplicates included),
 * and the budgets of what a node passes on are end to end: it never relays or pulls faster than its neighbours
 * admit. Peers that keep sending invalid input collect strikes and are banned for a while; what a peer merely
 * relayed never earns it one (see `Engine.reject`). Pure: time comes in as `nowMs`.
 */
import { Strikes } from './strikes.js'
import { TokenBuckets, type Rate } from './token-bucket.js'

/**
 * Gossiped records a peer may send: a node registering its maximum of 1 000 instances at once sends 1 000, and
 * a relay forwards them, so a burst of 2 000 passes; sustained, 500 a second is far above any honest cluster.
 */
export const RECORD_RATE: Rate = Object.freeze({ perSecond: 500, burst: 2_000 })
/**
 * Records this node passes on by gossip, its own included: below every neighbour's `RECORD_RATE`, so no honest
 * relay is ever over a neighbour's limit, however many origins feed it. What does not fit is still applied
 * here, and reaches the others by anti-entropy.
 */
export const RELAY_RATE: Rate = Object.freeze({ perSecond: 400, burst: 1_600 })
/**
 * Records a peer may hand over by anti-entropy, each a signature check: a node that joins pulls a whole table at
 * once (10 000 records is a large cluster), and 1 000 a second after that (a tenth of one core). Over it, the
 * exchange stops where it is; the next round goes on from there.
 */
export const SYNC_RECORD_RATE: Rate = Object.freeze({ perSecond: 1_000, burst: 10_000 })
/** Heartbeats a member may send this node: it beats once per interval to each observer; 20x leaves room. */
export const BEAT_RATE: Rate = Object.freeze({ perSecond: 20, burst: 40 })
/**
 * Hash-chain steps a member's beats may cost here. An honest beat costs one step (a few after lost beats); a
 * beat after a long silence up to the chain's length once, which the burst allows. Forged beats far ahead
 * would cost that on every one: the refill holds them to a fraction of a millisecond of hashing per second.
 */
export const HASH_STEP_RATE = Object.freeze({ perSecond: 256 })
/** Anti-entropy exchanges a peer may start: one per connection and per interval, plus targeted pulls. */
export const SYNC_RATE: Rate = Object.freeze({ perSecond: 2, burst: 10 })
/**
 * Exchanges this node starts with one peer: three quarters of `SYNC_RATE`, so that pulls asked for by a burst
 * of beats never go over what the neighbour serves, whatever the two clocks say. A pull that does not fit is
 * skipped: the next beat asks for it again.
 */
export const PULL_RATE: Rate = Object.freeze({ perSecond: 1.5, burst: 7 })
/**
 * Owners a peer may introduce (records of owners this node has never heard of): joining a cluster of 2 000
 * members passes at once, then 100 a second. Fresh keys cost nothing to make; this bounds how fast one peer
 * can make this node track new ones.
 */
export const NEW_OWNER_RATE: Rate = Object.freeze({ perSecond: 100, burst: 2_000 })
/**
 * Strikes: every refused message a peer is responsible for (bad signature, malformed, forged proof, its own
 * records over a rate...) is one. Twenty within twenty seconds ban the peer for five minutes: honest peers
 * never get there, and a banned peer costs nothing (its connections are refused before encryption completes).
 */
export const STRIKE_POLICY = Object.freeze({ threshold: 20, decayMs: 1_000, banMs: 300_000 })

/** The key of this node's own budgets (what it relays), among the per-peer ones. */
const RELAY_KEY = ''

/** Per-peer admission control of one node. */
export class PeerGuard {
  private readonly allowed: ReadonlySet<string> | undefined
  private readonly records = new TokenBuckets(RECORD_RATE)
  private readonly relays = new TokenBuckets(RELAY_RATE)
  private readonly synced = new TokenBuckets(SYNC_RECORD_RATE)
  private readonly beats = new TokenBuckets(BEAT_RATE)
  private readonly hashing: TokenBuckets
  private readonly syncs = new TokenBuckets(SYNC_RATE)
  private readonly pulls = new TokenBuckets(PULL_RATE)
  private readonly owners = new TokenBuckets(NEW_OWNER_RATE)
  private readonly strikes = new Strikes(STRIKE_POLICY)

  /** `maxChainSteps`: the most hashing one beat may cost (the `heartbeatChainLength` option). */
  constructor (private readonly self: string, allowPeers: readonly string[] | undefined, maxChainSteps = 4_096) {
    this.allowed = allowPeers === undefined ? undefined : new Set(allowPeers)
    this.hashing = new TokenBuckets({ perSecond: HASH_STEP_RATE.perSecond, burst: maxChainSteps })
  }

  /** May records of this owner be accepted? (Everyone, unless an allow-list is set.) */
  isAllowedOwner (owner: string): boolean {
    return this.allowed === undefined || owner === this.self || this.allowed.has(owner)
  }

  /** Should connections with this peer be refused? */
  isDenied (peer: string, nowMs: number): boolean {
    return !this.isAllowedOwner(peer) || this.strikes.isBanned(peer, nowMs)
  }

  /** One record from `peer`, by gossip or by anti-entropy: within that path's rate? */
  admitRecord (peer: string, via: 'gossip' | 'sync', nowMs: number): boolean {
    return (via === 'gossip' ? this.records : this.synced).take(peer, nowMs)
  }

  /** May this node pass one more record on by gossip now? */
  admitRelay (nowMs: number): boolean {
    return this.relays.take(RELAY_KEY, nowMs)
  }

  /** Charges one record this node publishes itself: it always goes, and leaves that much less room to relay. */
  chargeOwnPublish (nowMs: number): void {
    this.relays.charge(RELAY_KEY, nowMs)
  }

  /** One beat from `peer` that will cost `steps` hash-chain steps to verify: within its rates? */
  admitBeat (peer: string, steps: number, nowMs: number): boolean {
    return this.beats.take(peer, nowMs) && this.hashing.take(peer, nowMs, steps)
  }

  /** One inbound anti-entropy exchange from `peer`: within its rate? */
  admitSync (peer: string, nowMs: number): boolean {
    return this.syncs.take(peer, nowMs)
  }

  /** One exchange this node would start with `peer`: within what the peer admits? */
  admitPull (peer: string, nowMs: number): boolean {
    return this.pulls.take(peer, nowMs)
  }

  /** `peer` hands over the first record of an owner this node does not know: within its rate? */
  admitNewOwner (peer: string, nowMs: number): boolean {
    return this.owners.take(peer, nowMs)
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
