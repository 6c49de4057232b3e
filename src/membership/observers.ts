/**
 * Who watches whom, from this node's view: the K rings over the living members, this node's subjects (the members
 * it observes) and its own observers, and the handover after the view changes. The detector decides what a
 * silence means; this says whose silence this node is placed to hear. Pure: time is an argument.
 */
import { Rings } from './rings.js'

/** The detector's timings the handover is measured in (see `DetectorOptions`). */
export interface HandoverTimings {
  readonly suspectAfter: number
  readonly deadAfter: number
}

/** This node's place on the rings. */
export class Observers {
  private readonly rings: Rings
  /** Members this node observes, and since when (a new subject gets `suspectAfter` before an alert). */
  private subjects = new Map<string, number>()
  /**
   * Subjects whose beat this node has had since it became their observer. Until then the subject may not know
   * yet that this node observes it (their views differ by a member for a moment), so its silence is not
   * alerted before `deadAfter`: a view change must not make a false alert. Unless another observer accuses it
   * (see `FailureDetector.alertAfter`): a newcomer that adds a third observer raises the quorum to three, and a
   * hang in that moment would otherwise wait for this node's alert until `deadAfter`.
   */
  private readonly heardSubjects = new Set<string>()
  /**
   * Handover after a view change: subjects this node heard beat and no longer observes, and observers this node no
   * longer has, each until when (ms). A member that joins takes a slot on a ring, and the observer it displaces is
   * the one that heard the subject's last beats, while the new observer has heard none and gives the subject
   * `deadAfter` (see `heardSubjects`). A subject that hangs or crashes in that moment would then die by its
   * uncorroborated suspicion after `deadAfter`, not by its observers' alerts. So a node keeps beating to the
   * observers it had for `deadAfter` after its view changed, and a displaced observer keeps alerting on a silent
   * former subject for `deadAfter - suspectAfter` after its own view changed: shorter, so that the beats it
   * watches outlast its watch unless the two views changed more than twice `suspectAfter` apart. Its alerts count
   * where it is still within the detector's OBSERVER_WINDOW of the subject, as it is when one member took its place.
   */
  private readonly formerSubjects = new Map<string, number>()
  private readonly formerObservers = new Map<string, number>()
  private changed = false
  /** When the view last changed: a member that became a subject then has been one since. */
  private changedAtMs = Number.NEGATIVE_INFINITY
  /**
   * This node has published its member record: from then on it is in the view it computes rings over, and so
   * observes its subjects. Before, nobody knows it, so nobody beats to it, and it must watch no one.
   */
  private joined = false

  /**
   * @param self this node's peer id
   * @param count observers of each member (K rings)
   */
  constructor (private readonly self: string, count: number, private readonly timings: HandoverTimings) {
    this.rings = new Rings(count)
  }

  /** This node takes its place on the rings from the next rebuild. */
  join (nowMs: number): void {
    this.joined = true
    this.changeView(nowMs)
  }

  /** Notes that the view changed at `nowMs`; the rings are rebuilt when next needed (see `needsRebuild`). */
  changeView (nowMs: number): void {
    if (!this.changed) this.changedAtMs = nowMs
    this.changed = true
  }

  /** True when the view changed since the last rebuild: call `rebuild` before asking anything else. */
  get needsRebuild (): boolean {
    return this.changed
  }

  /** Rebuilds the rings over `living` (every member not gone, this node aside), and the subjects and handovers. */
  rebuild (nowMs: number, living: Iterable<string>): void {
    this.changed = false
    const view = this.joined ? [this.self] : []
    for (const peer of living) view.push(peer)
    const observersBefore = this.joined && this.rings.size > 0 ? this.rings.observersOf(this.self) : []
    this.rings.update(view)
    const changedAtMs = Math.min(this.changedAtMs, nowMs)
    const subjects = new Map<string, number>()
    for (const subject of this.rings.subjectsOf(this.self)) subjects.set(subject, this.subjects.get(subject) ?? changedAtMs)
    this.subjects = subjects
    for (const subject of this.heardSubjects) {
      if (subjects.has(subject)) continue
      this.heardSubjects.delete(subject)
      this.formerSubjects.set(subject, changedAtMs + this.timings.deadAfter - this.timings.suspectAfter)
    }
    for (const subject of subjects.keys()) this.formerSubjects.delete(subject)
    if (this.joined) {
      const observersNow = new Set(this.rings.observersOf(this.self))
      for (const observer of observersBefore) if (!observersNow.has(observer)) this.formerObservers.set(observer, changedAtMs + this.timings.deadAfter)
      for (const observer of observersNow) this.formerObservers.delete(observer)
    }
  }

  /** True if this node observes `peer`. */
  isSubject (peer: string): boolean {
    return this.subjects.has(peer)
  }

  /** Since when this node observes `peer`; undefined if it does not. */
  subjectSince (peer: string): number | undefined {
    return this.subjects.get(peer)
  }

  /** The members this node observes. */
  subjectIds (): IterableIterator<string> {
    return this.subjects.keys()
  }

  get subjectCount (): number {
    return this.subjects.size
  }

  /** A verified beat of `peer` arrived: if it is a subject, this node has now heard it as its observer. */
  heard (peer: string): void {
    if (this.subjects.has(peer)) this.heardSubjects.add(peer)
  }

  /** True if this node has had a beat of its subject `peer` since it became its observer. */
  hasHeard (peer: string): boolean {
    return this.heardSubjects.has(peer)
  }

  /** True while this node keeps watching `peer` after the view moved it to another observer (see `formerSubjects`). */
  isFormerSubject (peer: string): boolean {
    return this.formerSubjects.has(peer)
  }

  /** The former subjects still handed over (see `formerSubjects`). */
  formerSubjectIds (): IterableIterator<string> {
    return this.formerSubjects.keys()
  }

  /** The observers of `subject` in this node's view; with `window`, that many successors on each ring. */
  observersOf (subject: string, window?: number): string[] {
    return this.rings.observersOf(subject, window)
  }

  /**
   * The members this node beats to: its observers in its own view, and for a while those it had (see
   * `formerObservers`), while `isLiving` says they live. None before it joined.
   */
  observersOfSelf (nowMs: number, isLiving: (peer: string) => boolean): string[] {
    if (!this.joined) return []
    const observers = this.rings.observersOf(this.self)
    for (const [observer, untilMs] of this.formerObservers) {
      if (nowMs < untilMs && isLiving(observer) && !observers.includes(observer)) observers.push(observer)
    }
    return observers
  }

  /** Drops the handovers that have ended: the one place they end. */
  endHandovers (nowMs: number): void {
    for (const handover of [this.formerSubjects, this.formerObservers]) {
      for (const [peer, untilMs] of handover) if (nowMs >= untilMs) handover.delete(peer)
    }
  }

  /** This node stalled for `stalledMs`: every clock here moves forward by it (see `FailureDetector.creditStall`). */
  creditStall (stalledMs: number): void {
    for (const [subject, since] of this.subjects) this.subjects.set(subject, since + stalledMs)
    for (const handover of [this.formerSubjects, this.formerObservers]) {
      for (const [peer, untilMs] of handover) handover.set(peer, untilMs + stalledMs)
    }
  }
}
