/**
 * Passive outlier ejection (as Envoy does it): an instance that fails `consecutiveFailures` calls in a row is
 * ejected from this node's picks for a back-off that doubles with each ejection (up to a maximum). When the
 * back-off ends it gets one trial call: success clears it, failure ejects it again for longer. Local to this
 * node; nothing is gossiped, since one caller's bad path says little about the instance. Pure: time comes in.
 */

/** Ejection settings. */
export interface OutlierOptions {
  /** Consecutive failures that eject an instance. */
  readonly consecutiveFailures: number
  /** First ejection, in ms; each further ejection doubles it. */
  readonly baseEjectionMs: number
  /** Longest ejection, in ms. */
  readonly maxEjectionMs: number
}

interface Record {
  failures: number
  ejections: number
  ejectedUntilMs: number
  trialInFlight: boolean
  /** When a call to it last failed. */
  lastFailureMs: number
}

/**
 * Most instances remembered at once; past it the one whose last failure is oldest is forgotten. Records are
 * forgotten by time anyway (see `OutlierDetector.forgetIdle`): this bounds a node that sees more failing
 * instances within that time than any caller has, at about 200 bytes each (~2 MB).
 */
export const MAX_OUTLIER_RECORDS = 10_000

/** Per-instance failure bookkeeping of one node. */
export class OutlierDetector {
  /** By last failure, oldest first (a failure moves its record to the end). */
  private readonly records = new Map<string, Record>()

  constructor (private readonly options: OutlierOptions) {}

  /** May `key` be picked now? False while ejected, and while its one trial call is in flight. */
  isAvailable (key: string, nowMs: number): boolean {
    const record = this.records.get(key)
    if (record === undefined || record.ejections === 0) return true
    return nowMs >= record.ejectedUntilMs && !record.trialInFlight
  }

  /** A call to `key` starts; after an ejection this is its trial call. */
  begin (key: string, nowMs: number): void {
    const record = this.records.get(key)
    if (record !== undefined && record.ejections > 0 && nowMs >= record.ejectedUntilMs) record.trialInFlight = true
  }

  /**
   * A call to `key` ended with no verdict on the instance (the caller gave up): a trial call in flight ends, so
   * the next call is the trial. Without this an aborted trial would keep the instance ejected for good.
   */
  abandon (key: string): void {
    const record = this.records.get(key)
    if (record !== undefined) record.trialInFlight = false
  }

  /** A call to `key` succeeded: it is healthy again and forgotten. */
  succeed (key: string): void {
    this.records.delete(key)
  }

  /** A call to `key` failed. Returns true if this failure ejected it. */
  fail (key: string, nowMs: number): boolean {
    this.forgetIdle(nowMs)
    let record = this.records.get(key)
    if (record === undefined) {
      if (this.records.size >= MAX_OUTLIER_RECORDS) this.records.delete(this.records.keys().next().value!)
      record = { failures: 0, ejections: 0, ejectedUntilMs: 0, trialInFlight: false, lastFailureMs: nowMs }
    }
    this.records.delete(key)
    this.records.set(key, record)
    record.lastFailureMs = nowMs
    record.failures++
    const trialFailed = record.trialInFlight
    record.trialInFlight = false
    if (!trialFailed && record.failures < this.options.consecutiveFailures) return false
    record.ejections++
    const backoff = this.options.baseEjectionMs * 2 ** (record.ejections - 1)
    record.ejectedUntilMs = nowMs + Math.min(backoff, this.options.maxEjectionMs)
    return true
  }

  /**
   * Forgets instances whose last failure is twice the longest ejection ago, oldest first. An ejection ends at most
   * `maxEjectionMs` after the failure that began it, so none of them is ejected; no call to them has failed since,
   * and a success would have cleared them: nobody calls them any more. Most were deregistered or their owner died,
   * and their records would otherwise stay for good. Failures that old no longer count towards
   * `consecutiveFailures`, and the back-off starts over.
   */
  private forgetIdle (nowMs: number): void {
    for (const [key, record] of this.records) {
      if (nowMs - record.lastFailureMs < 2 * this.options.maxEjectionMs) return
      this.records.delete(key)
    }
  }

  /** Keys ejected at `nowMs`. */
  ejected (nowMs: number): string[] {
    return [...this.records].filter(([, r]) => r.ejections > 0 && nowMs < r.ejectedUntilMs).map(([key]) => key)
  }
}
