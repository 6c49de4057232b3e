/**
 * The failure detector: this node's view of every other member, decided on this node's clock only. Members are
 * watched by K observers on hash rings (rings.ts): a member beats straight to its observers, an observer that
 * hears nothing for `suspectAfter` emits a signed alert, and a member is dead where a quorum of its observers'
 * alerts agree (docs/membership.md). No single member can get another declared dead by its word alone, and the
 * accused refutes with a newer member record. Dead and left members come back only through something newer from
 * themselves. Pure: time is an argument, and alerts to send are returned, never sent.
 */
import { compareHlc, maxHlc, type Hlc } from '../clock/hlc.js'
import { isGone, type MemberState, type SignedRecord } from '../record/types.js'
import { verifyReveal } from './hash-chain.js'
import { LocalHealth } from './local-health.js'
import { byPeerId, MemberTable, newEntry, type Entry } from './member-table.js'
import { Observers } from './observers.js'
import type { AlertInput, AlertOutcome, BeatOutcome, DetectorOptions, MemberView, OwnAlert, TickResult, Transition, TransitionReason } from './types.js'

/**
 * Alerts an observer repeats (one per `suspectAfter`) while its subject stays silent and not yet dead here,
 * in case gossip lost one; past this, the uncorroborated-suspicion timeout decides.
 */
const MAX_ALERT_REPEATS = 3

/**
 * How far along each ring an alert's sender may sit and still count as an observer. Two successors per ring,
 * not one: nodes whose views differ by a member for a moment place observers one slot apart.
 */
const OBSERVER_WINDOW = 2

/** Per-node failure detector over every other member. */
export class FailureDetector {
  private readonly options: DetectorOptions
  /** Every member this node knows of, filed by state. */
  private readonly table = new MemberTable()
  /** Made once: the beat path asks it every heartbeat (see `observersOfSelf`). */
  private readonly isLiving = (peer: string): boolean => this.table.getLiving(peer) !== undefined
  /** Who watches whom from this node's view: its subjects, its observers, the handover after a view change. */
  private readonly observers: Observers
  /** Last time anything verified arrived from the cluster: no news is good news only while in contact. */
  private lastContactMs = Number.NEGATIVE_INFINITY
  /** Entries with at least one alert held against them (gone ones too, until forgotten): see isMassSilence. */
  private readonly accused = new Set<Entry>()
  /**
   * Living entries not established yet, and some that were (dropped at the next tick): the only ones a tick must
   * try to establish, so a formed cluster's ticks do not walk every member for it.
   */
  private readonly unestablished = new Set<Entry>()
  /**
   * Entries made suspect or stale, and some that no longer are (dropped at the next tick): with this node's
   * subjects and the accused, the only members a tick must judge while the cluster is heard (see `tick`).
   */
  private readonly unsettled = new Set<Entry>()
  /** Changes of any member's state or stale flag so far (see `revision`). */
  private changes = 0
  /** Members taken off the listing or forgotten so far (see `listingRevision`). */
  private unlisted = 0
  /** When established members died, within the last `deadAfter`: a mass silence may come over several ticks. */
  private recentDeathsMs: number[] = []
  /** The last tick found a mass silence: deaths are held. */
  private preserving = false
  /** When `tick` last ran, to notice this node's own stalls (see `tickInterval`). */
  private lastTickMs: number | undefined
  /** Total stall time this node has credited to silence clocks so far. */
  private stalledMs = 0
  /** How far this node's own alerts are to be trusted: it waits `health.factor` times as long to alert. */
  private readonly health: LocalHealth
  /** When this node joined: members it takes in during its first `deadAfter` are the cluster as it found it. */
  private joinedAtMs: number | undefined

  constructor (options: DetectorOptions) {
    this.options = options
    this.observers = new Observers(options.self, options.observers, options)
    this.health = new LocalHealth(options.deadAfter)
  }

  /**
   * Bumped whenever a member's state or stale flag changes: what lookups return depends on both, so the
   * replica's lookup cache is valid for one revision.
   */
  get revision (): number {
    return this.changes
  }

  /**
   * May a record of `owner` stamped `stamp` be merged? False only when the member is dead or left here and the
   * record is not newer than that: copies of its records still circulating must not bring it back.
   */
  admits (owner: string, stamp: Hlc): boolean {
    const entry = this.table.get(owner)
    return entry === undefined || !isGone(entry.state) || compareHlc(stamp, entry.maxStamp) > 0
  }

  /**
   * Bumped whenever `states()` may answer differently: a member's state changed, or one was taken in, taken off
   * the listing or forgotten.
   */
  get listingRevision (): number {
    return this.changes + this.unlisted
  }

  /** This node's member record is out: it takes its place on the rings. */
  join (nowMs: number): void {
    if (this.joinedAtMs !== undefined) return
    this.joinedAtMs = nowMs
    this.observers.join(nowMs)
  }

  /** Anything verified arrived from the cluster: this node is in contact. */
  contact (nowMs: number): void {
    this.lastContactMs = Math.max(this.lastContactMs, nowMs)
  }

  /**
   * A record of `owner`, verified and admitted, was merged (it may have been relayed by anyone). A newer member
   * record is the member's refutation of alerts against its older incarnation. A merely relayed record of
   * another kind does not count as hearing from the member: a third party holding an old copy could otherwise
   * keep a silent member alive forever.
   */
  observeRecord (record: SignedRecord, nowMs: number): Transition | undefined {
    this.contact(nowMs)
    let entry = this.table.get(record.owner)
    if (entry === undefined) {
      entry = newEntry(record.owner, record.stamp, this.isFinding(nowMs), nowMs)
      this.table.add(entry)
      if (!entry.established) this.unestablished.add(entry)
      this.changes++
      this.observers.changeView(nowMs)
      this.learnMember(entry, record, nowMs)
      if (record.kind === 'member' && record.leaving) return this.kill(entry, 'unknown', 'leave', nowMs)
      return { peerId: entry.peerId, from: 'unknown', to: 'alive', reason: 'first-heard' }
    }
    const newer = compareHlc(record.stamp, entry.maxStamp) > 0
    entry.maxStamp = maxHlc(entry.maxStamp, record.stamp)
    const refuted = this.learnMember(entry, record, nowMs)
    if (record.kind === 'member' && record.leaving) {
      if (entry.chain !== undefined) entry.chain.closed = true
      // Its leave notice can arrive after its observers saw its connections close: it left, it did not die.
      if (entry.state === 'dead' && newer) return this.kill(entry, 'dead', 'leave', nowMs)
      return isGone(entry.state) ? undefined : this.kill(entry, entry.state, 'leave', nowMs)
    }
    if (isGone(entry.state) && newer) return this.revive(entry, 'record', nowMs)
    if (refuted && entry.state === 'suspect') return this.revive(entry, 'record', nowMs)
    return undefined
  }

  /** A beat straight from `owner` (the connection it came on is the member's own). */
  observeBeat (owner: string, chainId: number, seq: number, proof: Uint8Array, nowMs: number): BeatOutcome {
    const entry = this.table.get(owner)
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
    this.contact(nowMs)
    // A beat from the member proves this node's own alert wrong: withdraw it. Alerts other observers hold stand
    // until the member refutes them; a beat to this node alone does not clear those.
    if (entry.alerts.delete(this.options.self)) {
      this.health.provedWrong(nowMs)
      if (entry.alerts.size === 0) this.accused.delete(entry)
      entry.alertedAtMs = undefined
      entry.alertsSent = 0
    }
    const revived = entry.state === 'alive' || (entry.state === 'suspect' && entry.alerts.size > 0) ? undefined : this.revive(entry, 'heartbeat', nowMs)
    this.updateRings(nowMs)
    this.observers.heard(owner)
    return revived === undefined ? { kind: 'fresh' } : { kind: 'fresh', transition: revived }
  }

  /** An alert of `observer` against `subject`. */
  observeAlert (alert: AlertInput, nowMs: number): AlertOutcome {
    this.contact(nowMs)
    const entry = this.table.get(alert.subject)
    if (entry === undefined) return { kind: 'ignored', why: 'unknown-subject' }
    if (isGone(entry.state)) return { kind: 'ignored', why: 'gone' }
    if (compareHlc(alert.incarnation, entry.incarnation) < 0) return { kind: 'ignored', why: 'stale' }
    this.updateRings(nowMs)
    if (!this.observers.observersOf(alert.subject, OBSERVER_WINDOW).includes(alert.observer)) return { kind: 'ignored', why: 'not-observer' }
    if (entry.alerts.has(alert.observer)) return { kind: 'ignored', why: 'duplicate' }
    return { kind: 'counted', transition: this.accuse(entry, alert.observer, nowMs) }
  }

  /**
   * A subject of this node cannot be reached (its connection closed and a dial failed): alert now instead of
   * after `suspectAfter` of silence. A crashed process's observers all see this within milliseconds.
   */
  observeUnreachable (subject: string, nowMs: number): TickResult {
    const entry = this.table.get(subject)
    this.updateRings(nowMs)
    if (entry === undefined || isGone(entry.state) || !this.observers.isSubject(subject) || entry.alertedAtMs !== undefined) return { transitions: [], alerts: [] }
    entry.alertedAtMs = nowMs
    entry.alertsSent++
    const transition = this.accuse(entry, this.options.self, nowMs)
    return { transitions: transition === undefined ? [] : [transition], alerts: [{ subject, incarnation: entry.incarnation }] }
  }

  /**
   * A peer still holds records of `peer`, which is dead here (an anti-entropy summary showed them). Either the
   * peer has not heard of the death yet, or the member is alive and this node missed its refutation, and then
   * nothing newer from it may ever come: it does not know it is dead here. Returns an alert to send against it,
   * naming the newest stamp the death covers, so that a live member answers with a member record newer than
   * that, which brings it back here. At most one per `deadAfter` per member; a dead member never answers.
   */
  disputeDeath (peer: string, nowMs: number): OwnAlert | undefined {
    const entry = this.table.get(peer)
    if (entry?.state !== 'dead') return undefined
    if (entry.noticedAtMs !== undefined && nowMs - entry.noticedAtMs < this.options.deadAfter) return undefined
    entry.noticedAtMs = nowMs
    return { subject: peer, incarnation: entry.maxStamp }
  }

  /**
   * True if `peer` is alive here (not suspect, dead or left) and established: this node has held it alive for
   * `deadAfter` without a break since it took it in, or back after a death or a leave (heard directly if this node
   * observes it; otherwise alive up to `deadAfter` before the cluster was last heard, the longest its observers may
   * take to alert), or took it in while `isFinding`. A suspicion that ends without a death does not undo it, nor
   * does a restart that this node never saw as a death or a leave. Only established members count towards
   * self-preservation: a fresh key costs nothing, so a member that is not established may have been made up.
   */
  isEstablished (peer: string, nowMs: number): boolean {
    const entry = this.table.get(peer)
    if (entry?.state !== 'alive') return false
    this.updateRings(nowMs)
    return entry.established || this.aliveUntil(entry) - entry.aliveSinceMs >= this.options.deadAfter
  }

  /**
   * True while this node has not joined, or joined less than `deadAfter` ago: what it takes in now is the cluster
   * as it finds it, members that may have been there for long, and a node cut off right after it starts must not
   * lose its view. Members taken in meanwhile are established at once.
   */
  isFinding (nowMs: number): boolean {
    return this.joinedAtMs === undefined || nowMs - this.joinedAtMs < this.options.deadAfter
  }

  /** True if this node observes `peer`. */
  observes (peer: string, nowMs: number): boolean {
    this.updateRings(nowMs)
    return this.observers.isSubject(peer)
  }

  /** True if this node observes any member (a simulated node that observes none needs fewer ticks). */
  observesAnyone (nowMs: number): boolean {
    this.updateRings(nowMs)
    return this.observers.subjectCount > 0
  }

  /**
   * The members this node beats to: its observers in its own view, and for a while those it had (see
   * `Observers.formerObservers`).
   */
  observersOfSelf (nowMs: number): string[] {
    this.updateRings(nowMs)
    return this.observers.observersOfSelf(nowMs, this.isLiving)
  }

  /** The members this node watches. */
  subjectsOfSelf (nowMs: number): string[] {
    this.updateRings(nowMs)
    return [...this.observers.subjectIds()]
  }

  /**
   * Ages every member: an observer alerts on a silent subject; a quorum of alerts, an unrefuted suspicion past
   * `deadAfter`, or silence of the whole cluster past `deadAfter` is a death, unless so many established members
   * are in trouble together that self-preservation keeps them suspect (stale); members dead for `forgetAfter` are
   * forgotten.
   * Transitions come in peer id order, so equal inputs give equal outputs.
   */
  tick (nowMs: number): TickResult {
    this.creditStall(nowMs)
    this.health.recover(nowMs)
    this.updateRings(nowMs)
    this.observers.endHandovers(nowMs)
    this.forgetGone(nowMs)
    const transitions: Transition[] = []
    const alerts: OwnAlert[] = []
    for (const entry of this.unestablished) {
      if (!entry.established && !isGone(entry.state)) this.establish(entry, nowMs)
      if (entry.established || isGone(entry.state)) this.unestablished.delete(entry)
    }
    const established = this.table.livingCount - this.unestablished.size
    // A member this node does not observe is silent only once the whole cluster is (see silence).
    const clusterHeard = nowMs - this.lastContactMs < this.options.suspectAfter
    this.preserving = this.isMassSilence(this.table.living(), established, clusterHeard, nowMs)
    for (const entry of clusterHeard ? this.unsettledEntries() : this.table.living()) {
      const silentMs = this.silence(entry, nowMs)
      if (this.shouldAlertOn(entry, silentMs, nowMs)) {
        alerts.push({ subject: entry.peerId, incarnation: entry.incarnation })
        entry.alertedAtMs = nowMs
        entry.alertsSent++
        const transition = this.accuse(entry, this.options.self, nowMs)
        if (transition !== undefined) transitions.push(transition)
        if (isGone(entry.state)) continue
      }
      const transition = this.judge(entry, silentMs, nowMs)
      if (transition !== undefined) transitions.push(transition)
    }
    return { transitions, alerts }
  }

  /** Milliseconds of this node's own stalls not counted as silence (see `tickInterval`). */
  get stalled (): number {
    return this.stalledMs
  }

  /** Alerts of this node proved wrong lately, 0 to MAX_HEALTH_PENALTY: it waits `1 + this` times as long to alert. */
  get healthScore (): number {
    return this.health.score
  }

  /** A member's state, without building its view (lookups ask this per instance). */
  stateOf (peerId: string): MemberState | undefined {
    return this.table.get(peerId)?.state
  }

  /** A member's name (see `MemberView.name`), without building its view; '' if unknown or unnamed. */
  nameOf (peerId: string): string {
    return this.table.get(peerId)?.name ?? ''
  }

  /** True if the member is kept only by self-preservation. */
  isStale (peerId: string): boolean {
    return this.table.get(peerId)?.stale === true
  }

  private view (entry: Entry): MemberView {
    return {
      peerId: entry.peerId,
      name: entry.name,
      state: entry.state,
      lastHeardMs: entry.lastHeardMs,
      seq: entry.chain?.seq ?? 0,
      chainId: entry.chain?.chainId,
      maxStamp: entry.maxStamp,
      stale: entry.stale,
      alerts: entry.alerts.size,
      observed: this.observers.isSubject(entry.peerId)
    }
  }

  /** The view of one member. */
  get (peerId: string): MemberView | undefined {
    const entry = this.table.get(peerId)
    return entry === undefined ? undefined : this.view(entry)
  }

  /**
   * Every member known and listed, with its state only, in no order: for a caller that runs every heartbeat and
   * needs neither the views nor the order (dialling, see Replica.memberAddrs).
   */
  states (): Array<{ readonly peerId: string, readonly state: MemberState }> {
    const states: Array<{ peerId: string, state: MemberState }> = []
    for (const entry of this.table.all()) if (entry.listed) states.push({ peerId: entry.peerId, state: entry.state })
    return states
  }

  /**
   * Every member known and listed (not pruned), in peer id order. The rings are rebuilt first, so `observed` is
   * that of the current view: a member learned since the last rebuild (at most a tick ago) moves them, and operators
   * and tests read this listing to know who watches whom. `get` does not rebuild: the engine calls it per record,
   * and rebuilding there would undo the batching of a burst of new members into one rebuild.
   */
  members (nowMs: number): MemberView[] {
    this.updateRings(nowMs)
    return this.table.sorted().filter((entry) => entry.listed).map((entry) => this.view(entry))
  }

  /**
   * Takes every gone (dead or left) member off the listing, and returns how many. Their death marks stay until
   * `forgetAfter`, so stale copies of their records still cannot bring them back; something newer from the member
   * itself does, and lists it again. This node's view only: nothing is sent.
   */
  prune (): number {
    let pruned = 0
    for (const entry of this.table.goneOldestFirst()) {
      if (!entry.listed) continue
      entry.listed = false
      pruned++
    }
    this.unlisted += pruned
    return pruned
  }

  /**
   * An operator says a member dead here is gone for good: it is `left` from now on (so this node stops telling it
   * that it is dead, see `disputeDeath`) and off the listing, its death mark kept as by `prune`. Refused for a
   * member that is not gone: no single member, this one included, can get another declared dead. A member that
   * already left is only taken off the listing.
   *
   * @returns the transition (dead to left), or `undefined` for a member that had already left; `not-gone` when it
   * is alive or suspect here; `unknown` when it is not listed here.
   */
  forceLeave (peerId: string, nowMs: number): { readonly kind: 'forced', readonly transition?: Transition } | { readonly kind: 'not-gone', readonly state: MemberState } | { readonly kind: 'unknown' } {
    const entry = this.table.get(peerId)
    if (entry === undefined || !entry.listed) return { kind: 'unknown' }
    if (!isGone(entry.state)) return { kind: 'not-gone', state: entry.state }
    entry.listed = false
    this.unlisted++
    if (entry.state === 'left') return { kind: 'forced' }
    entry.state = 'left'
    entry.noticedAtMs = undefined
    this.changes++
    // Moved to the end of the departures, as a death turned leave is: it is forgotten `forgetAfter` from now.
    entry.deadSinceMs = nowMs
    this.table.toGone(entry)
    return { kind: 'forced', transition: { peerId, from: 'dead', to: 'left', reason: 'forced' } }
  }

  /**
   * A tick more than one interval late: this node did not run for a while. Every silence and suspicion clock
   * moves forward by the stall, as if time had stopped for this node, which is how it looked from here.
   */
  private creditStall (nowMs: number): void {
    const last = this.lastTickMs
    this.lastTickMs = nowMs
    const interval = this.options.tickInterval
    if (interval === undefined || last === undefined) return
    const stalled = nowMs - last - interval
    // Scheduling jitter is not a stall: only a gap that could make a false alert on its own is credited.
    if (stalled <= Math.max(interval, this.options.suspectAfter / 4)) return
    this.stalledMs += stalled
    if (this.joinedAtMs !== undefined) this.joinedAtMs += stalled
    for (const entry of this.table.all()) {
      entry.lastHeardMs += stalled
      entry.aliveSinceMs += stalled
      entry.suspectSinceMs += stalled
      if (entry.alertedAtMs !== undefined) entry.alertedAtMs += stalled
    }
    this.observers.creditStall(stalled)
    this.lastContactMs += stalled
    this.recentDeathsMs = this.recentDeathsMs.map((t) => t + stalled)
  }

  /** How long `entry` has been silent as far as this node can tell. */
  private silence (entry: Entry, nowMs: number): number {
    const since = this.observers.subjectSince(entry.peerId)
    // A subject is heard directly; any other member is presumed alive while the cluster is heard at all.
    const heard = since === undefined ? Math.max(entry.lastHeardMs, this.lastContactMs) : Math.max(entry.lastHeardMs, since)
    return nowMs - heard
  }

  /** Silent for `suspectAfter`, or accused: in trouble, as far as self-preservation is concerned. */
  private isTroubled (entry: Entry, nowMs: number): boolean {
    return entry.alerts.size > 0 || this.silence(entry, nowMs) >= this.options.suspectAfter
  }

  /**
   * The last moment `entry` is known to have been alive, up to its first accusation: when this node last heard
   * it, or, for a member it does not observe, `deadAfter` before it last heard the cluster. That member's
   * silence reaches this node only as its observers' alerts, and an observer may give a new subject `deadAfter`
   * before its first one: a member that fell silent at once must not be held alive meanwhile, and established.
   */
  private aliveUntil (entry: Entry): number {
    const heardMs = this.observers.isSubject(entry.peerId) ? entry.lastHeardMs : Math.max(entry.lastHeardMs, this.lastContactMs - this.options.deadAfter)
    return entry.alerts.size > 0 ? Math.min(heardMs, entry.suspectSinceMs) : heardMs
  }

  /**
   * Establishes a member once it has been held alive here for `deadAfter` without a break. Trouble before that
   * breaks the run, which starts over when the trouble ends: a member that beats now and then must not add up to
   * an established one. Without the bound, members that beat for a second and then fall silent with a real one
   * make one death look like a mass silence, and hold it for `selfPreservationLimit`; with it, a member that falls
   * silent before it is established never counts, and dies on its own clock.
   */
  private establish (entry: Entry, nowMs: number): void {
    if (entry.established) return
    if (this.aliveUntil(entry) - entry.aliveSinceMs >= this.options.deadAfter) entry.established = true
    else if (this.isTroubled(entry, nowMs)) entry.aliveSinceMs = nowMs
  }

  /**
   * The living members a tick must judge while the cluster is heard, in peer id order: its subjects, the accused,
   * and those suspect or stale. Any other member is alive, unaccused and heard through the cluster, and `judge`
   * would find nothing to change (see `silence`).
   */
  private unsettledEntries (): Entry[] {
    for (const entry of this.unsettled) if (isGone(entry.state) || (entry.state === 'alive' && !entry.stale)) this.unsettled.delete(entry)
    const picked = new Set<Entry>(this.unsettled)
    for (const watched of [this.observers.subjectIds(), this.observers.formerSubjectIds()]) {
      for (const subject of watched) {
        const entry = this.table.getLiving(subject)
        if (entry !== undefined) picked.add(entry)
      }
    }
    for (const entry of this.accused) if (!isGone(entry.state)) picked.add(entry)
    return [...picked].sort(byPeerId)
  }

  /**
   * Whether this node alerts on `entry` now: a subject silent past `alertAfter`, or a former subject (see
   * `Observers.formerSubjects`) whose beats stopped `suspectAfter` ago, before its handover ended.
   */
  private shouldAlertOn (entry: Entry, silentMs: number, nowMs: number): boolean {
    if (this.observers.isSubject(entry.peerId)) return silentMs >= this.alertAfter(entry) && this.shouldAlert(entry, nowMs)
    // Ended handovers are dropped at the start of the tick (endHandovers).
    return this.observers.isFormerSubject(entry.peerId) && nowMs - entry.lastHeardMs >= this.options.suspectAfter * this.health.factor && this.shouldAlert(entry, nowMs)
  }

  /**
   * Silence after which this node alerts on a subject: `suspectAfter`; or, until the subject first beat here,
   * `deadAfter`, unless another observer already accuses it (the subject is silent to those that know it, not
   * merely unaware of this node).
   */
  private alertAfter (entry: Entry): number {
    const silence = this.observers.hasHeard(entry.peerId) || entry.alerts.size > 0 ? this.options.suspectAfter : this.options.deadAfter
    return silence * this.health.factor
  }

  private shouldAlert (entry: Entry, nowMs: number): boolean {
    if (entry.alertedAtMs === undefined) return true
    return entry.alertsSent < MAX_ALERT_REPEATS && nowMs - entry.alertedAtMs >= this.options.suspectAfter
  }

  /** Counts an alert; the member is suspect from the first and dead at a quorum (unless self-preservation holds). */
  private accuse (entry: Entry, observer: string, nowMs: number): Transition | undefined {
    const first = entry.alerts.size === 0
    entry.alerts.add(observer)
    this.accused.add(entry)
    if (first) entry.suspectSinceMs = nowMs
    if (entry.alerts.size >= this.quorumOf(entry) && !(this.preserving && entry.established)) return this.kill(entry, entry.state, 'alerts', nowMs)
    if (entry.state !== 'alive') return undefined
    entry.state = 'suspect'
    this.unsettled.add(entry)
    this.changes++
    return { peerId: entry.peerId, from: 'alive', to: 'suspect', reason: 'alerts' }
  }

  /** What the evidence now says of a member that is not gone. */
  private judge (entry: Entry, silentMs: number, nowMs: number): Transition | undefined {
    const { suspectAfter, deadAfter, selfPreservationLimit } = this.options
    const accused = entry.alerts.size > 0
    const troubleMs = accused ? Math.max(nowMs - entry.suspectSinceMs, silentMs) : silentMs
    const dies = (accused && entry.alerts.size >= this.quorumOf(entry)) || (accused && nowMs - entry.suspectSinceMs >= deadAfter) || silentMs >= deadAfter
    if (dies && !(this.preserving && entry.established && troubleMs < selfPreservationLimit)) return this.kill(entry, entry.state, accused ? 'alerts' : 'silence', nowMs)
    const held = dies
    if (entry.stale !== held) {
      entry.stale = held
      if (held) this.unsettled.add(entry)
      this.changes++
    }
    // A subject is suspect by its own silence only once it could have beaten here (see alertAfter).
    const silentFor = this.observers.isSubject(entry.peerId) ? this.alertAfter(entry) : suspectAfter
    if (entry.state === 'alive' && (accused || silentMs >= silentFor)) {
      entry.state = 'suspect'
      this.unsettled.add(entry)
      this.changes++
      return { peerId: entry.peerId, from: 'alive', to: 'suspect', reason: accused ? 'alerts' : 'silence' }
    }
    if (entry.state === 'suspect' && !accused && silentMs < silentFor) return this.revive(entry, 'heartbeat', nowMs)
    return undefined
  }

  /**
   * Alerts needed to kill: the quorum, but never more than the member's observers that could still alert
   * (alive here, or already alerted), so a member whose observers died with it is not immortal. At least one.
   */
  private quorumOf (entry: Entry): number {
    const able = this.observers.observersOf(entry.peerId).filter((observer) =>
      observer === this.options.self || entry.alerts.has(observer) || this.table.get(observer)?.state === 'alive').length
    return Math.max(1, Math.min(this.options.quorum, able))
  }

  /**
   * True when more than the threshold share of established members are in trouble at once (silent, or under
   * suspicion), counting those that died within the last `deadAfter`: members cut off together cross the line a
   * few beats apart, and the first of them must not die before the rest are noticed. Members not yet established
   * count neither as troubled nor as living: keys are free, so members made up to fall silent with a real one
   * could otherwise turn its death into a mass silence, and healthy ones could hide a real one.
   */
  private isMassSilence (entries: readonly Entry[], living: number, clusterHeard: boolean, nowMs: number): boolean {
    if (this.options.selfPreservationThreshold >= 1) return false
    if (this.recentDeathsMs.length > 0) this.recentDeathsMs = this.recentDeathsMs.filter((t) => nowMs - t < this.options.deadAfter)
    const counts = (entry: Entry): boolean => entry.established && !isGone(entry.state)
    let troubled = 0
    if (clusterHeard) {
      // A member this node does not observe is then in trouble only if accused: only subjects and accused members
      // need a look, not every member, eight times a second.
      for (const subject of this.observers.subjectIds()) {
        const entry = this.table.get(subject)
        if (entry !== undefined && counts(entry) && this.isTroubled(entry, nowMs)) troubled++
      }
      for (const entry of this.accused) if (!this.observers.isSubject(entry.peerId) && counts(entry)) troubled++
    } else {
      for (const entry of entries) if (counts(entry) && this.isTroubled(entry, nowMs)) troubled++
    }
    const falling = troubled + this.recentDeathsMs.length
    // One member dying is never a mass silence, whatever the cluster size: a two-node cluster must still see
    // its peer die.
    return falling >= 2 && falling > this.options.selfPreservationThreshold * (living + this.recentDeathsMs.length)
  }

  /** Rebuilds the rings after the view changed, and this node's subjects with them. */
  private updateRings (nowMs: number): void {
    if (this.observers.needsRebuild) this.observers.rebuild(nowMs, peerIds(this.table.living()))
  }

  /** Forgets members gone for `forgetAfter`, oldest departure first. */
  private forgetGone (nowMs: number): void {
    for (const entry of this.table.goneOldestFirst()) {
      if (nowMs - entry.deadSinceMs < this.options.forgetAfter) return
      this.forget(entry)
    }
  }

  private forget (entry: Entry): void {
    this.unlisted++
    this.table.forget(entry)
    this.accused.delete(entry)
    this.unestablished.delete(entry)
    this.unsettled.delete(entry)
  }

  private clearAlerts (entry: Entry): void {
    entry.alerts.clear()
    this.accused.delete(entry)
  }

  /** Takes in a member record: its chain, and its stamp as the incarnation. True if it refuted alerts. */
  private learnMember (entry: Entry, record: SignedRecord, nowMs: number): boolean {
    if (record.kind !== 'member') return false
    const { chainId, anchor, length } = record.chain
    const current = entry.chain
    if (current === undefined || current.chainId !== chainId || current.length !== length) {
      entry.chain = { chainId, length, seq: 0, value: Uint8Array.from(anchor), closed: false }
    }
    if (compareHlc(record.stamp, entry.incarnation) <= 0) return false
    entry.incarnation = record.stamp
    entry.name = record.name ?? ''
    // A member record newer than the incarnation alerts name was signed by the member since: it is alive.
    entry.lastHeardMs = nowMs
    const refuted = entry.alerts.size > 0
    if (entry.alerts.has(this.options.self)) this.health.provedWrong(nowMs)
    this.clearAlerts(entry)
    entry.alertedAtMs = undefined
    entry.alertsSent = 0
    return refuted
  }

  private kill (entry: Entry, from: MemberState | 'unknown', reason: TransitionReason, nowMs: number): Transition {
    const to: MemberState = reason === 'leave' ? 'left' : 'dead'
    entry.state = to
    entry.stale = false
    // A member pruned while dead that now says it left is news from the member itself: list it again.
    entry.listed = true
    this.changes++
    this.observers.changeView(nowMs)
    entry.deadSinceMs = nowMs
    const overflow = this.table.toGone(entry)
    if (overflow !== undefined) this.forget(overflow)
    entry.noticedAtMs = undefined
    if (to === 'dead' && entry.established) this.recentDeathsMs.push(nowMs)
    return { peerId: entry.peerId, from, to, reason }
  }

  private revive (entry: Entry, reason: TransitionReason, nowMs: number): Transition {
    const from = entry.state
    if (isGone(from)) {
      entry.listed = true
      this.table.toLiving(entry)
      this.observers.changeView(nowMs)
      // Back from a death or a leave: a new member as far as self-preservation goes, whatever it was before.
      entry.aliveSinceMs = nowMs
      entry.established = this.isFinding(nowMs)
      if (!entry.established) this.unestablished.add(entry)
    }
    entry.state = 'alive'
    entry.stale = false
    this.clearAlerts(entry)
    entry.alertedAtMs = undefined
    entry.alertsSent = 0
    this.changes++
    entry.lastHeardMs = nowMs
    return { peerId: entry.peerId, from, to: 'alive', reason }
  }
}

function * peerIds (entries: readonly Entry[]): Generator<string> {
  for (const entry of entries) yield entry.peerId
}
