/**
 * The failure detector's members, filed by state: every member known, those not gone (what ticks age and the rings
 * are made of) and those gone, oldest departure first (forgetting is a walk from the oldest that stops at the first
 * too recent). It keeps the three in step and decides nothing: when a member dies, comes back or is forgotten is
 * the detector's call. Pure.
 */
import { ZERO_HLC, type Hlc } from '../clock/hlc.js'
import type { MemberState } from '../record/types.js'

/**
 * Most members gone (dead or left) remembered at once; past it the oldest departure is forgotten first, before
 * `forgetAfter`. The death mark is what keeps stale copies of a member's records from bringing it back
 * (`FailureDetector.admits`): forgotten early, such a copy (from a node cut off since before the death) makes the
 * member alive here again until its observers find it silent, about `deadAfter`. Honest churn fits: a 1 000-member cluster
 * replaced ten times over within `forgetAfter`. Fresh keys cost nothing, so without a cap a swarm that joins and
 * leaves could make every node remember members without limit; a gone member costs about 0.8 KB, so this is ~8 MB.
 */
export const MAX_GONE_MEMBERS = 10_000

export interface Chain {
  readonly chainId: number
  readonly length: number
  seq: number
  value: Uint8Array
  /** The member left while on this chain: its beats still in flight must not bring it back. */
  closed: boolean
}

/** One member as the detector holds it; the detector changes its fields, the table only files it. */
export interface Entry {
  readonly peerId: string
  /** From the newest member record (see `MemberView.name`). */
  name: string
  state: MemberState
  /**
   * Shown by `members()`. False once an operator pruned the member while it was gone: its death mark stays (it is
   * what keeps stale copies of its records out, see `FailureDetector.admits`) until forgotten; only the listing goes.
   */
  listed: boolean
  lastHeardMs: number
  /** When the member died here, for forgetting. */
  deadSinceMs: number
  chain: Chain | undefined
  maxStamp: Hlc
  stale: boolean
  /** Stamp of the newest member record seen: alerts name it, and a newer one refutes them. */
  incarnation: Hlc
  /** Observers that alerted against the current incarnation (this node included, if it did). */
  readonly alerts: Set<string>
  /** When the first alert against the current incarnation arrived. */
  suspectSinceMs: number
  /** This node's own alerts against the current incarnation: when the last went out, and how many. */
  alertedAtMs: number | undefined
  alertsSent: number
  /** When this node last told the member, dead here, that it is (see `FailureDetector.disputeDeath`). */
  noticedAtMs: number | undefined
  /**
   * Start of the member's unbroken time alive here: when this node took it in, or back after it was gone, or,
   * for a member not yet established, when its last trouble ended.
   */
  aliveSinceMs: number
  /**
   * Established (see `FailureDetector.isEstablished`); it stays so through suspicion, and only a death or a leave
   * ends it.
   */
  established: boolean
}

/** A member first heard at `nowMs` through a record stamped `stamp`: alive, unaccused, with no chain yet. */
export function newEntry (peerId: string, stamp: Hlc, established: boolean, nowMs: number): Entry {
  return {
    peerId, name: '', listed: true, state: 'alive', lastHeardMs: nowMs, deadSinceMs: 0, chain: undefined, maxStamp: stamp, stale: false,
    incarnation: ZERO_HLC, alerts: new Set(), suspectSinceMs: 0, alertedAtMs: undefined, alertsSent: 0, noticedAtMs: undefined,
    aliveSinceMs: nowMs, established
  }
}

/** The detector's entries by peer id, with the living ones and the gone ones kept apart. */
export class MemberTable {
  private readonly entries = new Map<string, Entry>()
  private readonly livingEntries = new Map<string, Entry>()
  private readonly gone = new Map<string, Entry>()
  /** `livingEntries` in peer id order, until the living members next change. */
  private livingSorted: Entry[] | undefined

  get (peerId: string): Entry | undefined {
    return this.entries.get(peerId)
  }

  /** The member, if it is known and not gone. */
  getLiving (peerId: string): Entry | undefined {
    return this.livingEntries.get(peerId)
  }

  get livingCount (): number {
    return this.livingEntries.size
  }

  /** Every member known, in no order. */
  all (): IterableIterator<Entry> {
    return this.entries.values()
  }

  /** Every member known, in peer id order. */
  sorted (): Entry[] {
    return [...this.entries.values()].sort(byPeerId)
  }

  /** Members not gone, in peer id order. The array is shared until they change: callers must not change it. */
  living (): Entry[] {
    this.livingSorted ??= [...this.livingEntries.values()].sort(byPeerId)
    return this.livingSorted
  }

  /** Members gone, oldest departure first. Forgetting the one at hand while walking is allowed. */
  goneOldestFirst (): IterableIterator<Entry> {
    return this.gone.values()
  }

  /** Files a member heard of for the first time (alive). */
  add (entry: Entry): void {
    this.entries.set(entry.peerId, entry)
    this.livingEntries.set(entry.peerId, entry)
    this.livingSorted = undefined
  }

  /**
   * Files a member as gone, as the newest departure (also one gone already: a death turned leave moves to the
   * end). Returns the oldest departure when that makes more than MAX_GONE_MEMBERS, for the caller to forget.
   */
  toGone (entry: Entry): Entry | undefined {
    if (this.livingEntries.delete(entry.peerId)) this.livingSorted = undefined
    this.gone.delete(entry.peerId)
    this.gone.set(entry.peerId, entry)
    return this.gone.size > MAX_GONE_MEMBERS ? this.gone.values().next().value : undefined
  }

  /** Files a gone member as living again. */
  toLiving (entry: Entry): void {
    this.gone.delete(entry.peerId)
    this.livingEntries.set(entry.peerId, entry)
    this.livingSorted = undefined
  }

  /** Drops a gone member altogether. */
  forget (entry: Entry): void {
    this.entries.delete(entry.peerId)
    this.gone.delete(entry.peerId)
  }
}

/** Peer id order: the order every list of members comes in, so that equal inputs give equal outputs. */
export function byPeerId (a: Entry, b: Entry): number {
  return a.peerId < b.peerId ? -1 : a.peerId > b.peerId ? 1 : 0
}
