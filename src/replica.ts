/**
 * One node's replica of the registry: the LWW table, the failure detector and the node's clock, and the rules
 * that decide what a verified record or heartbeat does to them. Pure: no I/O, no timers, no signing; it
 * returns effects (changes to announce, records to supersede, owners to pull) for the facade to act on, so
 * the simulator can run thousands of replicas on a manual clock.
 */
import { compareHlc, tickHlc, witnessHlc, ZERO_HLC, type Hlc } from './clock/hlc.js'
import { FailureDetector } from './membership/detector.js'
import type { MemberView, TickResult, Transition } from './membership/types.js'
import { isGone, MEMBER_RECORD_ID, type AlertRecord, type Instance, type InstanceRecord, type MemberRecord, type MemberState, type SignedRecord } from './record/types.js'
import { compareEntries } from './table/compare.js'
import { matches } from './table/query.js'
import { LwwTable } from './table/table.js'
import type { TableEntry } from './table/entry.js'
import type { DownReason, Change, Member, MemberChange } from './events.js'
import type { Rejection } from './reject-reason.js'

/** What a replica needs to know; a subset of the resolved registry options. */
export interface ReplicaOptions {
  /** This node's peer id. */
  readonly self: string
  readonly namespace: string
  readonly maxInstancesPerOwner: number
  /** Most records held (see the `maxRecords` option). */
  readonly maxRecords: number
  readonly maxClockDrift: number
  readonly tombstoneTtl: number
  readonly suspectAfter: number
  readonly deadAfter: number
  /** Longest stretch of a heartbeat chain a single beat may skip, bounding the hashing one beat can cost. */
  readonly maxChainSteps: number
  readonly selfPreservationThreshold: number
  readonly selfPreservationLimit: number
  /** Observers of each member (K). */
  readonly observers: number
  /** Alerts of distinct observers that make a member dead (H). */
  readonly quorum: number
  /** How often the driver ticks: a later tick is this node's own stall (see `DetectorOptions.tickInterval`). */
  readonly tickInterval?: number
}

/** Something the facade must do or announce after an ingest or a tick. */
export type ReplicaEffect =
  | { readonly kind: 'change', readonly change: Change }
  | { readonly kind: 'member', readonly change: MemberChange }
  /** A record of ours from an earlier run of this node (same key) is still around: write something newer. */
  | { readonly kind: 'supersede', readonly record: SignedRecord }
  /** This node is behind on an owner's records: pull them from the peer that told us. */
  | { readonly kind: 'pull', readonly owner: string }
  /** This node, an observer of `subject`, found it silent: sign and gossip an alert. */
  | { readonly kind: 'alert', readonly subject: string, readonly incarnation: Hlc }
  /** Someone alerted against this node's current incarnation: publish a newer member record. */
  | { readonly kind: 'refute' }
  /** `owner` signed two different records with one stamp (seen here by their meeting in the table). */
  | { readonly kind: 'equivocation', readonly owner: string }
  /** Every record of `owner`, not established here, was dropped to make room at `maxRecords`. */
  | { readonly kind: 'evicted', readonly owner: string }

/** The result of offering a record to the replica. */
export type IngestResult =
  | { readonly outcome: 'applied' | 'stale' | 'duplicate', readonly effects: ReplicaEffect[] }
  | { readonly outcome: 'rejected', readonly rejection: Rejection, readonly effects: ReplicaEffect[] }

/** The result of offering a heartbeat to the replica: `fresh` beats are relayed onwards. */
export type BeatResult =
  | { readonly outcome: 'fresh' | 'old' | 'unknown', readonly effects: ReplicaEffect[] }
  | { readonly outcome: 'rejected', readonly rejection: Rejection, readonly effects: ReplicaEffect[] }

/** The result of offering an alert: `counted` alerts are news, worth gossiping on. */
export type AlertResult =
  /**
   * `counted`: evidence here, gossiped on. `passed`: not evidence here (its sender does not observe the subject
   * in this node's view) but current, so gossiped on towards the subject, who may have to refute it (a node that
   * holds the subject dead sends one so, see `FailureDetector.disputeDeath`). `ignored`: dropped.
   */
  | { readonly outcome: 'counted' | 'passed' | 'ignored', readonly effects: ReplicaEffect[] }
  | { readonly outcome: 'rejected', readonly rejection: Rejection, readonly effects: ReplicaEffect[] }

/** A heartbeat as the replica sees it, owner already decoded to a peer id string. */
export interface BeatInput {
  readonly owner: string
  readonly chainId: number
  readonly seq: number
  readonly proof: Uint8Array
  /** The newest stamp among the owner's records, as the owner announced it. */
  readonly recordsStamp: Hlc
}

/** Which listed member a peer id or name names (see `Replica.findMember`). */
export type MemberLookup =
  | { readonly kind: 'found', readonly member: Member }
  | { readonly kind: 'unknown' }
  /** Several listed members have the name: their peer ids. */
  | { readonly kind: 'ambiguous', readonly peerIds: readonly string[] }

/** What `Replica.forceLeave` did: `not-gone` (alive or suspect here) and `unknown` (not listed) change nothing. */
export type ForceLeaveResult =
  | { readonly kind: 'forced', readonly effects: ReplicaEffect[] }
  | { readonly kind: 'not-gone', readonly state: MemberState }
  | { readonly kind: 'unknown' }

/** Filters of `lookup`. */
export interface LookupFilter {
  /** A semver range; callers validate it first. */
  readonly version?: string
  readonly tags?: readonly string[]
  /** Include `critical` instances. */
  readonly includeUnhealthy?: boolean
  /** Include instances of members kept only by self-preservation. */
  readonly includeStale?: boolean
}

/**
 * Lookup results kept at once. Filters come from callers (an HTTP query can hold any range), so the cache is
 * bounded; past the bound it starts over, which costs one recomputation per key.
 */
const MAX_CACHED_LOOKUPS = 1_024

interface CachedLookup {
  /** The table's array of the service when the result was computed. */
  readonly records: readonly InstanceRecord[]
  /** The detector's revision then. */
  readonly revision: number
  readonly instances: readonly Instance[]
}

/** A member as dialling needs it: see `Replica.memberAddrs`. */
export interface MemberAddrs {
  readonly peerId: string
  readonly state: MemberState
  readonly addrs: readonly string[]
}

interface CachedMemberAddrs {
  /** The detector's listing revision and the table's member revision when the array was built. */
  readonly listingRevision: number
  readonly memberRevision: number
  readonly members: readonly MemberAddrs[]
}

function lookupKey (service: string, filter: LookupFilter): string {
  return `${service}\u0000${filter.version ?? ''}\u0000${filter.tags?.join('\u0001') ?? ''}\u0000${filter.includeUnhealthy === true ? 1 : 0}${filter.includeStale === true ? 1 : 0}`
}

/** What owners not yet established may hold together, in units of `maxInstancesPerOwner` (see `freshBudget`). */
const FRESH_OWNERS_SHARE = 2

/** The core state machine of one node. */
export class Replica {
  readonly table = new LwwTable()
  readonly detector: FailureDetector
  private readonly options: ReplicaOptions
  private clock: Hlc = ZERO_HLC
  /** The incarnation this node last refuted, so a burst of alerts costs one new member record. */
  private refuted: Hlc | undefined
  /** Instances as lookups return them, rebuilt only when the record or its owner's state changes. */
  private readonly views = new WeakMap<InstanceRecord, Instance>()
  /** Lookup results by service and filter (see `lookup`). */
  private readonly lookups = new Map<string, CachedLookup>()
  private memberAddrsCache: CachedMemberAddrs | undefined
  /** Wall-clock time minus monotonic time, at the latest call (see `tell`). */
  private wallOffsetMs = 0
  /** Owners that were not established here when records of theirs were taken in (see `freshBudget`, `evictFresh`). */
  private readonly freshOwners = new Set<string>()
  /**
   * Members first heard of through a record other than their member record (an instance gossiped before it, say):
   * their `alive` event waits for the member record, so that it carries the member's name and addresses.
   */
  private readonly unannounced = new Set<string>()

  constructor (options: ReplicaOptions) {
    this.options = options
    this.detector = new FailureDetector({
      self: options.self,
      observers: options.observers,
      quorum: options.quorum,
      suspectAfter: options.suspectAfter,
      deadAfter: options.deadAfter,
      // A dead member's death mark must outlive every copy of its records, which tombstones bound.
      forgetAfter: options.tombstoneTtl,
      maxChainSteps: options.maxChainSteps,
      selfPreservationThreshold: options.selfPreservationThreshold,
      selfPreservationLimit: options.selfPreservationLimit,
      tickInterval: options.tickInterval
    })
  }

  /**
   * The two clocks at the latest call: wall-clock time (`nowMs`) for stamps and the rules about them, monotonic
   * time (`elapsedMs`, the wall clock if omitted) for every duration the detector measures, so that a step of the
   * wall clock neither hastens nor delays a death. Their difference turns the detector's times into wall time.
   */
  private tell (nowMs: number, elapsedMs: number): void {
    this.wallOffsetMs = nowMs - elapsedMs
  }

  /** A stamp for a local write: after every stamp this node has written or seen. */
  stamp (nowMs: number): Hlc {
    this.clock = tickHlc(this.clock, nowMs)
    return this.clock
  }

  /** Applies a record this node wrote and signed itself (its limits were checked by the caller). */
  ingestLocal (entry: TableEntry, nowMs: number, elapsedMs = nowMs): IngestResult {
    this.tell(nowMs, elapsedMs)
    if (entry.record.kind === 'member' && !entry.record.leaving) this.detector.join(elapsedMs)
    const result = this.table.merge(entry)
    if (result.outcome !== 'applied') return { outcome: result.outcome, effects: [] }
    const effects: ReplicaEffect[] = []
    this.instanceChange(entry.record, result.previous, effects)
    if (entry.record.deleted) this.trimTombstones(entry.record.owner)
    return { outcome: 'applied', effects }
  }

  /** Offers a record whose envelope signature was verified and whose owner is its signer. */
  ingest (entry: TableEntry, nowMs: number, elapsedMs = nowMs): IngestResult {
    this.tell(nowMs, elapsedMs)
    const { record } = entry
    if (record.namespace !== this.options.namespace) {
      return reject('wrong-namespace', `record of namespace \`${record.namespace}\``)
    }
    if (record.stamp.wall > nowMs + this.options.maxClockDrift) {
      return reject('future-stamp', `stamp ${record.stamp.wall} is ${record.stamp.wall - nowMs} ms ahead of this node's clock`)
    }
    if (record.owner === this.options.self) return this.ingestOwn(entry, nowMs, elapsedMs)
    if (!this.detector.admits(record.owner, record.stamp)) {
      return reject('dead-member', `record of dead member ${record.owner} not newer than its death`)
    }
    if (this.wouldExceedCap(record)) {
      return reject('too-many-instances', `owner ${record.owner} already has ${this.options.maxInstancesPerOwner} instances`)
    }
    const established = this.isEstablished(record.owner, elapsedMs)
    if (!established && this.wouldExceedFreshBudget(record)) {
      return reject('owner-budget', `owners not yet established here already hold ${this.freshBudget} instances`)
    }
    const effects: ReplicaEffect[] = []
    if (this.table.size >= this.options.maxRecords && this.table.get(record.owner, record.id) === undefined &&
      !(established && this.evictFresh(elapsedMs, effects))) {
      return reject(established ? 'table-full' : 'owner-budget', `this node holds maxRecords (${this.options.maxRecords}) records`)
    }
    const result = this.table.merge(entry)
    const rival = result.outcome === 'applied' ? result.previous : result.outcome === 'stale' ? result.current : undefined
    // Two different records with one stamp: the owner signed two versions of one write. The tie-break settles
    // it the same way everywhere; the evidence is the owner's, whoever relayed it.
    if (rival !== undefined && compareHlc(rival.record.stamp, record.stamp) === 0) effects.push({ kind: 'equivocation', owner: record.owner })
    if (result.outcome !== 'applied') return { outcome: result.outcome, effects }
    if (!established) this.freshOwners.add(record.owner)
    this.clock = witnessHlc(this.clock, record.stamp, nowMs)
    const transition = this.detector.observeRecord(record, elapsedMs)
    if (transition?.reason === 'first-heard' && transition.to === 'alive' && record.kind !== 'member') this.unannounced.add(record.owner)
    else if (transition !== undefined) this.applyTransition(transition, effects)
    else if (record.kind === 'member' && this.unannounced.has(record.owner)) this.announce(record.owner, effects)
    if (record.kind === 'instance' && this.table.get(record.owner, record.id) === entry) {
      this.instanceChange(record, result.previous, effects)
    }
    if (record.deleted) this.trimTombstones(record.owner)
    return { outcome: 'applied', effects }
  }

  /** Offers an alert whose envelope signature was verified (its owner is the observer that signed it). */
  ingestAlert (alert: AlertRecord, nowMs: number, elapsedMs = nowMs): AlertResult {
    this.tell(nowMs, elapsedMs)
    if (alert.namespace !== this.options.namespace) return reject('wrong-namespace', `alert of namespace \`${alert.namespace}\``)
    if (alert.stamp.wall > nowMs + this.options.maxClockDrift) {
      return reject('future-stamp', `stamp ${alert.stamp.wall} is ${alert.stamp.wall - nowMs} ms ahead of this node's clock`)
    }
    if (alert.subject === this.options.self) return { outcome: 'counted', effects: this.refute(alert.incarnation, nowMs) }
    if (alert.owner === this.options.self) return { outcome: 'ignored', effects: [] }
    const outcome = this.detector.observeAlert({ observer: alert.owner, subject: alert.subject, incarnation: alert.incarnation }, elapsedMs)
    const effects: ReplicaEffect[] = []
    if (outcome.kind === 'counted' && outcome.transition !== undefined) this.applyTransition(outcome.transition, effects)
    // Passed on only from a member this node holds alive: a fresh key cannot make the cluster carry its alerts.
    // An alert against a member dead here too goes on: it may be a notice the member must see to come back.
    const passed = outcome.kind === 'ignored' && (outcome.why === 'not-observer' || outcome.why === 'gone') && this.detector.stateOf(alert.owner) === 'alive'
    return { outcome: passed ? 'passed' : outcome.kind, effects }
  }

  /**
   * An alert against this node: answer with a newer member record, once per incarnation. The alert's incarnation
   * is witnessed first: a notice from a node that holds this one dead names the newest stamp its death covers,
   * which after a restart with a clock behind the earlier run is ahead of everything this run wrote; only a
   * member record stamped past it brings this node back there.
   */
  private refute (incarnation: Hlc, nowMs: number): ReplicaEffect[] {
    const own = this.table.get(this.options.self, MEMBER_RECORD_ID)?.record.stamp ?? ZERO_HLC
    if (compareHlc(incarnation, own) < 0) return []
    // No honest node holds a stamp of ours further ahead than the drift it admits: witnessing one would push
    // every later write of this node past what peers accept.
    if (incarnation.wall > nowMs + this.options.maxClockDrift) return []
    if (this.refuted !== undefined && compareHlc(this.refuted, incarnation) >= 0) return []
    this.refuted = incarnation
    this.clock = witnessHlc(this.clock, incarnation, nowMs)
    return [{ kind: 'refute' }]
  }

  /** Offers a heartbeat straight from its member. */
  ingestBeat (beat: BeatInput, nowMs: number, elapsedMs = nowMs): BeatResult {
    this.tell(nowMs, elapsedMs)
    if (beat.owner === this.options.self) return { outcome: 'old', effects: [] }
    const outcome = this.detector.observeBeat(beat.owner, beat.chainId, beat.seq, beat.proof, elapsedMs)
    const effects: ReplicaEffect[] = []
    switch (outcome.kind) {
      case 'rejected':
        return { outcome: 'rejected', rejection: outcome.rejection, effects }
      case 'unknown-member':
      case 'unknown-chain':
        effects.push({ kind: 'pull', owner: beat.owner })
        return { outcome: 'unknown', effects }
      case 'old':
        return { outcome: 'old', effects }
      case 'fresh':
        if (outcome.transition !== undefined) this.applyTransition(outcome.transition, effects)
        if (compareHlc(beat.recordsStamp, this.table.maxStamp(beat.owner) ?? ZERO_HLC) > 0) {
          effects.push({ kind: 'pull', owner: beat.owner })
        }
        return { outcome: 'fresh', effects }
    }
  }

  /** A member this node observes cannot be reached: alert at once (see FailureDetector.observeUnreachable). */
  unreachable (peer: string, nowMs: number, elapsedMs = nowMs): ReplicaEffect[] {
    this.tell(nowMs, elapsedMs)
    return this.detectorEffects(this.detector.observeUnreachable(peer, elapsedMs))
  }

  /** Ages members and reaps tombstones; call a few times per heartbeat interval. */
  tick (nowMs: number, elapsedMs = nowMs): ReplicaEffect[] {
    this.tell(nowMs, elapsedMs)
    const effects = this.detectorEffects(this.detector.tick(elapsedMs))
    this.table.reap(nowMs, this.options.tombstoneTtl)
    this.pruneFreshOwners(elapsedMs)
    return effects
  }

  /** What a detector decision means: alerts to send, then state changes (and the instances they drop). */
  private detectorEffects ({ transitions, alerts }: TickResult): ReplicaEffect[] {
    const effects: ReplicaEffect[] = alerts.map((alert) => ({ kind: 'alert', ...alert }))
    for (const transition of transitions) this.applyTransition(transition, effects)
    return effects
  }

  /**
   * Visible instances of a service, from local memory. The array is frozen and shared between calls until the
   * service's records or a member's state change, so a lookup that nothing changed since costs a map hit.
   */
  lookup (service: string, filter: LookupFilter = {}): readonly Instance[] {
    const plain = filter.version === undefined && (filter.tags === undefined || filter.tags.length === 0) &&
      filter.includeUnhealthy !== true && filter.includeStale !== true
    const key = plain ? service : lookupKey(service, filter)
    // The table replaces a service's array on every change to it, so its identity says whether it changed.
    const records = this.table.instances(service)
    const cached = this.lookups.get(key)
    if (cached !== undefined && cached.records === records && cached.revision === this.detector.revision) return cached.instances
    const instances = Object.freeze(this.visible(records, filter))
    if (this.lookups.size >= MAX_CACHED_LOOKUPS) this.lookups.clear()
    this.lookups.set(key, { records, revision: this.detector.revision, instances })
    return instances
  }

  private visible (records: readonly InstanceRecord[], filter: LookupFilter): Instance[] {
    const found: Instance[] = []
    for (const record of records) {
      if (!matches(record, filter)) continue
      if (record.status === 'critical' && filter.includeUnhealthy !== true) continue
      if (filter.includeStale !== true && record.owner !== this.options.self && this.detector.isStale(record.owner)) continue
      found.push(this.instance(record))
    }
    return found
  }

  /** Services with at least one visible instance. */
  services (): string[] {
    return this.table.services()
  }

  /**
   * Every member this node lists but itself, with its state and the addresses its member record advertises: what
   * dialling needs each heartbeat. `members()` builds full views, sorted: 8 % of an idle node's CPU at N = 50 when
   * maintenance used it (docs/performance.md, "Idle cost"). The array is frozen and shared until a member's state,
   * the listing or a member record changes, so a caller may skip its own work when it gets the same array again.
   */
  memberAddrs (): readonly MemberAddrs[] {
    const { listingRevision } = this.detector
    const { memberRevision } = this.table
    const cached = this.memberAddrsCache
    if (cached?.listingRevision === listingRevision && cached.memberRevision === memberRevision) return cached.members
    const members = Object.freeze(this.detector.states().map(({ peerId, state }) => ({ peerId, state, addrs: this.memberRecord(peerId)?.addrs ?? [] })))
    this.memberAddrsCache = { listingRevision, memberRevision, members }
    return members
  }

  /** Every member this node lists (see `prune`), itself first. */
  members (nowMs: number, elapsedMs = nowMs): Member[] {
    this.tell(nowMs, elapsedMs)
    const self = this.memberOf({ peerId: this.options.self, state: 'alive', lastHeardMs: elapsedMs, stale: false, observed: false })
    return [self, ...this.detector.members(elapsedMs).map((view) => this.memberOf(view))]
  }

  /**
   * The listed member `idOrName` names: a peer id first, else a name. A name is no identity (any member may claim
   * any name), so it finds a member only while one listed member has it; a peer id always wins over a name.
   */
  findMember (idOrName: string, nowMs: number, elapsedMs = nowMs): MemberLookup {
    const members = this.members(nowMs, elapsedMs)
    const byId = members.find((member) => member.peerId === idOrName)
    if (byId !== undefined) return { kind: 'found', member: byId }
    const named = members.filter((member) => member.name !== '' && member.name === idOrName)
    if (named.length === 1) return { kind: 'found', member: named[0]! }
    return named.length === 0 ? { kind: 'unknown' } : { kind: 'ambiguous', peerIds: named.map((member) => member.peerId) }
  }

  /** Alerts of this node proved wrong lately (see `FailureDetector.healthScore`): 0 when it is healthy. */
  get healthScore (): number {
    return this.detector.healthScore
  }

  /**
   * Takes every dead or left member off this node's listing; returns how many. Their death marks stay, so stale
   * copies of their records still cannot bring them back (see `FailureDetector.prune`).
   */
  prune (): number {
    return this.detector.prune()
  }

  /**
   * Forces a member dead here to leave, and takes it off the listing (see `FailureDetector.forceLeave`); a member
   * that left is only taken off. The effects announce the change (dead to left); its records went at its death.
   */
  forceLeave (peerId: string, nowMs: number, elapsedMs = nowMs): ForceLeaveResult {
    this.tell(nowMs, elapsedMs)
    if (peerId === this.options.self) return { kind: 'not-gone', state: 'alive' }
    const outcome = this.detector.forceLeave(peerId, elapsedMs)
    if (outcome.kind !== 'forced') return outcome
    const effects: ReplicaEffect[] = []
    if (outcome.transition !== undefined) this.applyTransition(outcome.transition, effects)
    return { kind: 'forced', effects }
  }

  /** The member record an owner advertises, if this node holds one. */
  memberRecord (owner: string): MemberRecord | undefined {
    const record = this.table.get(owner, MEMBER_RECORD_ID)?.record
    return record?.kind === 'member' ? record : undefined
  }

  /** Has this node heard of `owner`: any record of it, or its membership (alive or dead)? */
  knows (owner: string): boolean {
    return owner === this.options.self || this.table.maxStamp(owner) !== undefined || this.detector.get(owner) !== undefined
  }

  /** Liveness of an owner as seen here. */
  stateOf (owner: string): MemberState {
    if (owner === this.options.self) return 'alive'
    return this.detector.stateOf(owner) ?? 'dead'
  }

  private ingestOwn (entry: TableEntry, nowMs: number, elapsedMs: number): IngestResult {
    // Our own record coming back from the network. If it is newer than what we hold, or a live record we do
    // not hold at all, it was written by an earlier run of this node (same key): it must not come back, so
    // the facade writes something newer over it. Witnessing its stamp first makes that write win.
    const current = this.table.get(entry.record.owner, entry.record.id)
    const foreign = current === undefined ? !entry.record.deleted : compareEntries(entry, current) > 0
    // Witnessed either way: a tombstone of ours stamped ahead of our clock (a clock that went back) must not beat
    // the writes this node makes next.
    this.clock = witnessHlc(this.clock, entry.record.stamp, nowMs)
    if (!foreign) return this.ingestLocal(entry, nowMs, elapsedMs)
    return { outcome: 'stale', effects: [{ kind: 'supersede', record: entry.record }] }
  }

  /**
   * Instances that owners not yet established here may hold, all together: twice what one owner may. Fresh keys
   * cost nothing, so the per-owner cap alone bounds nothing; this does, whatever their number. An honest member
   * that starts with more waits until it is established (see `FailureDetector.isEstablished`): anti-entropy
   * brings the rest then.
   */
  private get freshBudget (): number {
    return FRESH_OWNERS_SHARE * this.options.maxInstancesPerOwner
  }

  /**
   * Established here (see `FailureDetector.isEstablished`), or met during this node's first `deadAfter`: a node
   * that just joined takes in the cluster as it finds it, member records and instances in whatever order they come.
   */
  private isEstablished (owner: string, nowMs: number): boolean {
    return this.detector.isEstablished(owner, nowMs) || (this.detector.get(owner) === undefined && this.detector.isFinding(nowMs))
  }

  /** Would this new instance of an owner not established here take such owners past `freshBudget`? */
  private wouldExceedFreshBudget (record: SignedRecord): boolean {
    if (record.kind !== 'instance' || record.deleted) return false
    const current = this.table.get(record.owner, record.id)
    if (current !== undefined && !current.record.deleted) return false
    let held = 0
    for (const owner of this.freshOwners) held += this.table.liveInstanceCount(owner)
    return held >= this.freshBudget
  }

  /**
   * Makes room at `maxRecords` by dropping every record of one owner not established here (the one first taken
   * in): established members' records are never evicted. False if there is none.
   */
  private evictFresh (nowMs: number, effects: ReplicaEffect[]): boolean {
    for (const owner of this.freshOwners) {
      this.freshOwners.delete(owner)
      if (this.table.maxStamp(owner) === undefined || this.detector.isEstablished(owner, nowMs)) continue
      for (const dropped of this.table.dropOwner(owner)) {
        const record = dropped.record
        if (record.kind === 'instance' && !record.deleted) {
          effects.push({ kind: 'change', change: { type: 'down', instance: this.instance(record), reason: 'evicted' } })
        }
      }
      effects.push({ kind: 'evicted', owner })
      return true
    }
    return false
  }

  /** Forgets owners that are established now or hold nothing any more; call now and then (a tick). */
  private pruneFreshOwners (nowMs: number): void {
    for (const owner of this.freshOwners) {
      if (this.table.maxStamp(owner) === undefined || this.detector.isEstablished(owner, nowMs)) this.freshOwners.delete(owner)
    }
  }

  /** Counts live instances only: tombstones have an allowance of their own (see `trimTombstones`). */
  private wouldExceedCap (record: SignedRecord): boolean {
    if (record.kind !== 'instance' || record.deleted) return false
    const current = this.table.get(record.owner, record.id)
    if (current !== undefined && !current.record.deleted) return false
    return this.table.liveInstanceCount(record.owner) >= this.options.maxInstancesPerOwner
  }

  /**
   * Keeps an owner's newest `maxInstancesPerOwner` tombstones, so an owner holds at most twice that here, live and
   * deleted together. Without it, an owner that registers and deregisters new ids makes every node keep each
   * tombstone for `tombstoneTtl`. Refusing the tombstone instead would leave the instance it deletes alive here.
   * Dropping the oldest risks less: a stale copy of that instance, held by a node cut off since before the delete,
   * can come back, but only until its owner hears of it (anti-entropy) and deletes it again (`supersede`), or for
   * no time at all if the owner is dead here (`FailureDetector.admits`). The newest N tombstones of an owner are the
   * same whatever order they arrive in, so replicas still agree. An owner that deletes up to N per `tombstoneTtl`
   * (1 000 a day at the defaults) keeps every tombstone for the full term; one that deletes 1 000 an hour keeps an
   * hour of them.
   */
  private trimTombstones (owner: string): void {
    this.table.trimTombstones(owner, this.options.maxInstancesPerOwner)
  }

  /** The deferred `unknown -> alive` of a member whose member record has now arrived (see `unannounced`). */
  private announce (peerId: string, effects: ReplicaEffect[]): void {
    const state = this.detector.stateOf(peerId)
    if (state !== undefined) this.applyTransition({ peerId, from: 'unknown', to: state, reason: 'first-heard' }, effects)
  }

  private applyTransition (transition: Transition, effects: ReplicaEffect[]): void {
    // Any change of a member announces it: a later member record has nothing left to announce.
    this.unannounced.delete(transition.peerId)
    const view = this.detector.get(transition.peerId)
    const member = this.memberOf({ peerId: transition.peerId, state: transition.to, lastHeardMs: view?.lastHeardMs ?? 0, stale: false, observed: view?.observed ?? false })
    effects.push({ kind: 'member', change: { member, from: transition.from } })
    if (!isGone(transition.to)) return
    const reason: DownReason = transition.reason === 'leave' ? 'member-left' : 'member-dead'
    for (const dropped of this.table.dropOwner(transition.peerId)) {
      const record = dropped.record
      if (record.kind === 'instance' && !record.deleted) {
        effects.push({ kind: 'change', change: { type: 'down', instance: this.instance(record, transition.to), reason } })
      }
    }
  }

  private instanceChange (record: SignedRecord, previous: TableEntry | undefined, effects: ReplicaEffect[]): void {
    if (record.kind !== 'instance') return
    const before = previous?.record.kind === 'instance' && !previous.record.deleted ? previous.record : undefined
    if (record.deleted) {
      if (before !== undefined) effects.push({ kind: 'change', change: { type: 'down', instance: this.instance(before), reason: 'deregistered' } })
      return
    }
    const instance = this.instance(record)
    effects.push({
      kind: 'change',
      change: before === undefined ? { type: 'up', instance } : { type: 'changed', instance, previous: this.instance(before) }
    })
  }

  /** The instance view of a record as lookups return it (cached per record and owner state). */
  instance (record: InstanceRecord, state: MemberState = this.stateOf(record.owner)): Instance {
    const cached = this.views.get(record)
    if (cached !== undefined && cached.memberState === state) return cached
    const instance: Instance = Object.freeze({
      id: record.id,
      owner: record.owner,
      service: record.service,
      version: record.version,
      address: record.address,
      port: record.port,
      tags: record.tags,
      metadata: record.metadata,
      weight: record.weight,
      status: record.status,
      stamp: record.stamp,
      memberState: state,
      ...(record.maintenance !== undefined && { maintenance: record.maintenance })
    })
    this.views.set(record, instance)
    return instance
  }

  /** `lastHeardMs` on the monotonic clock, as the detector keeps it; `lastSeen` is wall-clock time. */
  private memberOf ({ peerId, state, lastHeardMs, stale, observed }: Pick<MemberView, 'peerId' | 'state' | 'lastHeardMs' | 'stale' | 'observed'>): Member {
    return {
      peerId,
      name: peerId === this.options.self ? this.memberRecord(peerId)?.name ?? '' : this.detector.nameOf(peerId),
      state,
      stale,
      lastSeen: lastHeardMs + this.wallOffsetMs,
      observed,
      instances: this.table.liveInstanceCount(peerId),
      addrs: this.memberRecord(peerId)?.addrs ?? [],
      self: peerId === this.options.self
    }
  }
}

function reject (reason: Rejection['reason'], detail: string): { outcome: 'rejected', rejection: Rejection, effects: ReplicaEffect[] } {
  return { outcome: 'rejected', rejection: { reason, detail }, effects: [] }
}
