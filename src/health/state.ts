/**
 * The status of one check over time: the last result, since when it has been critical (for
 * `deregisterCriticalAfter`), and for TTL checks when the application last reported. Pure: time comes in.
 */
import type { InstanceStatus } from '../record/types.js'

/** What a result changed. */
export interface CheckUpdate {
  /** The status to publish, if it changed. */
  readonly publish?: InstanceStatus
  /** The instance has been critical for `deregisterCriticalAfter`: deregister it. */
  readonly deregister: boolean
}

/** The state of one check. */
export class CheckState {
  private status: InstanceStatus
  private criticalSinceMs: number | undefined
  private reportedAtMs: number

  constructor (initial: InstanceStatus, nowMs: number, private readonly ttlMs: number | undefined, private readonly deregisterCriticalAfter: number | undefined) {
    this.status = initial
    this.criticalSinceMs = initial === 'critical' ? nowMs : undefined
    this.reportedAtMs = nowMs
  }

  /** The current status. */
  get current (): InstanceStatus {
    return this.status
  }

  /** A check run (or a TTL report) produced `status`. */
  report (status: InstanceStatus, nowMs: number): CheckUpdate {
    this.reportedAtMs = nowMs
    return this.set(status, nowMs)
  }

  /** Time passes: a TTL check not reported within its TTL turns critical; a long-critical check deregisters. */
  tick (nowMs: number): CheckUpdate {
    if (this.ttlMs !== undefined && nowMs - this.reportedAtMs >= this.ttlMs && this.status !== 'critical') return this.set('critical', nowMs)
    return { deregister: this.isDue(nowMs) }
  }

  private set (status: InstanceStatus, nowMs: number): CheckUpdate {
    const changed = status !== this.status
    this.status = status
    if (status !== 'critical') this.criticalSinceMs = undefined
    else this.criticalSinceMs ??= nowMs
    return { ...(changed && { publish: status }), deregister: this.isDue(nowMs) }
  }

  private isDue (nowMs: number): boolean {
    return this.deregisterCriticalAfter !== undefined && this.criticalSinceMs !== undefined && nowMs - this.criticalSinceMs >= this.deregisterCriticalAfter
  }
}
