/**
 * The failure detector: this node's view of every other member, aged on this node's clock only. It decides
 * alive -> suspect -> dead from silence, verifies heartbeat hash chains, and refuses resurrection: a dead member
 * comes back only through a fresh beat of its chain or a record stamped after its death. Pure: time is an argument.
 */
import { compareHlc, maxHlc, type Hlc } from '../clock/hlc.js'
import type { MemberState, SignedRecord } from '../record/types.js'
import type { Rejection } from '../reject-reason.js'
import { verifyReveal } from './hash-chain.js'

/** Timing and bounds of the detector, in ms. */
export interface DetectorOptions {
  /** Silence after which a member is suspect. */
  readonly suspectAfter: number
  /** Silence after which a member is dead. */
  readonly deadAfter: number
  /** How long a dead member (and its death mark) is remembered before it is forgotten. */
  readonly forgetAfter: number
  /** Most chain steps one beat may skip; bounds the hashing a single beat can cost. */
  readonly maxChainSteps: number
  /**
   * Self-preservation: when more than this share of the members this node knows (counting those that died in
   * the last `deadAfter`) would be dead at once, this node assumes it is the one cut off and keeps them
   * suspect and stale instead. 1 disables it.
   */
  readonly selfPreservationThreshold: number
  /** Longest silence (ms) self-preservation keeps a member from dying. */
  readonly selfPreservationLimit: number
}

/** A member as this node sees it. */
export interface MemberView {
  readonly peerId: string
  readonly state: MemberState
  /** When this node last heard a fresh beat (or first heard of the member), on this node's clock. */
  readonly lastHeardMs: number
  /** Last verified beat sequence of the current chain. */
  readonly seq: number
  readonly chainId: number | undefined
  /** Newest stamp among the member's records seen here; when dead, its death mark. */
  readonly maxStamp: Hlc
  /** Silent past `deadAfter` but kept suspect by self-preservation. */
  readonly stale: boolean
}

/** Why a member changed state. */
export type TransitionReason = 'first-heard' | 'heartbeat' | 'record' | 'silence' | 'leave'

/** A change of a member's state. */
export interface Transition {
  readonly peerId: string
  readonly from: MemberState | 'unknown'
  readonly to: MemberState
  readonly reason: TransitionReason
}

/** What a beat meant. */
export type BeatOutcome =
  /** Verified and newer than anything heard: relay it. */
  | { readonly kind: 'fresh', readonly transition?: Transition }
  /** Not newer than the last verified beat: drop it, do not relay. */
  | { readonly kind: 'old' }
  /** No record of this member yet: pull its records. */
  | { readonly kind: 'unknown-member' }
  /** A chain this node has no anchor for: pull the member record. */
  | { readonly kind: 'unknown-chain' }
  /** The proof does not verify: penalise the sender. */
  | { readonly kind: 'rejected', readonly rejection: Rejection }

interface Chain {
  readonly chainId: number
  readonly length: number
  seq: number
  value: Uint8Array
  /** The member left while on this chain: its beats still in flight must not bring it back. */
  closed: boolean
}

interface Entry {
  readonly peerId: string
  state: MemberState
  lastHeardMs: number
  /** When the member died here, for forgetting. */
  deadSinceMs: number
  chain: Chain | undefined
  maxStamp: Hlc
  stale: boolean
}

/** Per-node failure detector over every other member. */
export class FailureDetector {
  private readonly options: DetectorOptions
  private readonly entries = new Map<string, Entry>()
  /** Changes of any member's state or stale flag so far (see `revision`). */
  private changes = 0
  /** When members died of silence, within the last `deadAfter`: a mass silence may come over several ticks. */
  private recentDeathsMs: number[] = []

  /**
   * Bumped whenever a member's state or stale flag changes: what lookups return depends on both, so the
   * replica's lookup cache is valid for one revision.
   */
  get revision (): number {
    return this.changes
  }

  constructor (options: DetectorOptions) {
    this.options = options
  }

  /**
   * May a record of `owner` stamped `stamp` be merged? False only when the member is dead here and the record is
   * not newer than its death: copies of a dead member's records still circulating must not bring it back.
   */
  admits (owner: string, stamp: Hlc): boolean {
    const entry = this.entries.get(owner)
    return entry === undefined || entry.state !== 'dead' || compareHlc(stamp, entry.maxStamp) > 0
  }

  /**
   * A record of `owner`, verified and admitted, was merged (it may have been relayed by anyone). A merely
   * relayed record does not refresh `lastHeardMs`: only beats do, or a third party holding an old copy could
   * keep a silent member alive forever.
   */
  observeRecord (record: SignedRecord, nowMs: number): Transition | undefined {
    let entry = this.entries.get(record.owner)
    if (entry === undefined) {
      entry = { peerId: record.owner, state: 'alive', lastHeardMs: nowMs, deadSinceMs: 0, chain: undefined, maxStamp: record.stamp, stale: false }
      this.entries.set(record.owner, entry)
      this.changes++
      this.learnChain(entry, record)
      if (record.kind === 'member' && record.leaving) {
        entry.chain!.closed = true
        return this.kill(entry, 'unknown', 'leave', nowMs)
      }
      return { peerId: entry.peerId, from: 'unknown', to: 'alive', reason: 'first-heard' }
    }
    const newer = compareHlc(record.stamp, entry.maxStamp) > 0
    entry.maxStamp = maxHlc(entry.maxStamp, record.stamp)
    this.learnChain(entry, record)
    if (record.kind === 'member' && record.leaving) {
      if (entry.chain !== undefined) entry.chain.closed = true
      return entry.state === 'dead' ? undefined : this.kill(entry, entry.state, 'leave', nowMs)
    }
    if (entry.state === 'dead' && newer) return this.revive(entry, 'record', nowMs)
    return undefined
  }

  /** A beat of `owner`, heard directly or relayed. */
  observeBeat (owner: string, chainId: number, seq: number, proof: Uint8Array, nowMs: number): BeatOutcome {
    const entry = this.entries.get(owner)
    if (entry === undefined) return { kind: 'unknown-member' }
    const chain = entry.chain
    if (chain === undefined || chain.chainId !== chainId) return { kind: 'unknown-chain' }
    if (seq <= chain.seq || chain.closed) return { kind: 'old' }
    if (seq > chain.length || !verifyReveal(chain, seq, proof, this.options.maxChainSteps)) {
      return { kind: 'rejected', rejection: { reason: 'bad-proof', detail: `beat ${seq} of chain ${chainId} of ${owner} does not verify` } }
    }
    chain.seq = seq
    chain.value = Uint8Array.from(proof)
    entry.lastHeardMs = nowMs
    if (entry.state === 'alive') return { kind: 'fresh' }
    return { kind: 'fresh', transition: this.revive(entry, 'heartbeat', nowMs) }
  }

  /**
   * Ages every member: suspect after `suspectAfter` of silence, dead after `deadAfter`, unless so many fall
   * silent together that self-preservation keeps them suspect (stale); forgets members dead for
   * `forgetAfter`. Transitions come in peer id order, so equal inputs give equal outputs.
   */
  tick (nowMs: number): Transition[] {
    const transitions: Transition[] = []
    const entries = this.sorted()
    const preserve = this.isMassSilence(entries, nowMs)
    for (const entry of entries) {
      const silentMs = nowMs - entry.lastHeardMs
      if (entry.state === 'dead') {
        if (nowMs - entry.deadSinceMs >= this.options.forgetAfter) this.entries.delete(entry.peerId)
      } else if (silentMs >= this.options.deadAfter && !(preserve && silentMs < this.options.selfPreservationLimit)) {
        transitions.push(this.kill(entry, entry.state, 'silence', nowMs))
        this.recentDeathsMs.push(nowMs)
      } else if (entry.state === 'alive' && silentMs >= this.options.suspectAfter) {
        entry.state = 'suspect'
        this.changes++
        transitions.push({ peerId: entry.peerId, from: 'alive', to: 'suspect', reason: 'silence' })
      }
      if (entry.state === 'suspect' && entry.stale !== silentMs >= this.options.deadAfter) {
        entry.stale = !entry.stale
        this.changes++
      }
    }
    return transitions
  }

  /**
   * True when more than the threshold share of members are falling silent within one `deadAfter`: those
   * already suspect count too, since members cut off together cross `deadAfter` a few beats apart and the
   * first of them must not die before the rest are noticed.
   */
  private isMassSilence (entries: readonly Entry[], nowMs: number): boolean {
    if (this.options.selfPreservationThreshold >= 1) return false
    this.recentDeathsMs = this.recentDeathsMs.filter((t) => nowMs - t < this.options.deadAfter)
    let living = 0
    let silent = 0
    for (const entry of entries) {
      if (entry.state === 'dead') continue
      living++
      if (nowMs - entry.lastHeardMs >= this.options.suspectAfter) silent++
    }
    const falling = silent + this.recentDeathsMs.length
    // One member dying is never a mass silence, whatever the cluster size: a two-node cluster must still see
    // its peer die.
    return falling >= 2 && falling > this.options.selfPreservationThreshold * (living + this.recentDeathsMs.length)
  }

  /** A member's state, without building its view (lookups ask this per instance). */
  stateOf (peerId: string): MemberState | undefined {
    return this.entries.get(peerId)?.state
  }

  /** True if the member is kept only by self-preservation. */
  isStale (peerId: string): boolean {
    return this.entries.get(peerId)?.stale === true
  }

  /** The view of one member. */
  get (peerId: string): MemberView | undefined {
    const entry = this.entries.get(peerId)
    return entry === undefined ? undefined : view(entry)
  }

  /** Every member known, in peer id order. */
  members (): MemberView[] {
    return this.sorted().map(view)
  }

  private sorted (): Entry[] {
    return [...this.entries.values()].sort((a, b) => a.peerId < b.peerId ? -1 : a.peerId > b.peerId ? 1 : 0)
  }

  private learnChain (entry: Entry, record: SignedRecord): void {
    if (record.kind !== 'member') return
    const { chainId, anchor, length } = record.chain
    const current = entry.chain
    if (current !== undefined && current.chainId === chainId && current.length === length) return
    entry.chain = { chainId, length, seq: 0, value: Uint8Array.from(anchor), closed: false }
  }

  private kill (entry: Entry, from: MemberState | 'unknown', reason: TransitionReason, nowMs: number): Transition {
    entry.state = 'dead'
    entry.stale = false
    this.changes++
    entry.deadSinceMs = nowMs
    return { peerId: entry.peerId, from, to: 'dead', reason }
  }

  private revive (entry: Entry, reason: TransitionReason, nowMs: number): Transition {
    const from = entry.state
    entry.state = 'alive'
    entry.stale = false
    this.changes++
    entry.lastHeardMs = nowMs
    return { peerId: entry.peerId, from, to: 'alive', reason }
  }
}

function view (entry: Entry): MemberView {
  return {
    peerId: entry.peerId,
    state: entry.state,
    lastHeardMs: entry.lastHeardMs,
    seq: entry.chain?.seq ?? 0,
    chainId: entry.chain?.chainId,
    maxStamp: entry.maxStamp,
    stale: entry.stale
  }
}
