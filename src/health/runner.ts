/**
 * Runs the health checks of this node's instances: one timer per check, results folded into a `CheckState`,
 * status changes published (and so gossiped), long-critical instances deregistered. The only timers of the
 * health layer live here; every timer is unref'd so checks never keep the host process alive.
 */
import type { InstanceStatus } from '../record/types.js'
import type { ResolvedCheck } from './check.js'
import { probe } from './probes.js'
import { CheckState, type CheckUpdate } from './state.js'

/** What the runner asks its registry to do. */
export interface RunnerActions {
  /** Publish a new status of an instance. */
  publish: (id: string, status: InstanceStatus) => Promise<void>
  /** Deregister an instance critical for too long. */
  deregister: (id: string) => Promise<void>
  now: () => number
  /** Reports failures of publish/deregister (they must not be lost silently). */
  onError: (err: Error) => void
}

interface Running {
  readonly check: ResolvedCheck
  readonly state: CheckState
  readonly timer: NodeJS.Timeout
  busy: boolean
}

/** TTL checks are looked at this often relative to their TTL, within these bounds. */
const TTL_TICKS_PER_TTL = 4
const MIN_TTL_TICK_MS = 25
const MAX_TTL_TICK_MS = 1_000

/** The checks of one registry's own instances. */
export class HealthRunner {
  private readonly running = new Map<string, Running>()

  constructor (private readonly actions: RunnerActions) {}

  /** Starts checking an instance; a probe check runs at once, then every interval. */
  add (id: string, check: ResolvedCheck, initial: InstanceStatus): void {
    this.remove(id)
    const ttl = check.kind === 'ttl' ? check.ttl : undefined
    const state = new CheckState(initial, this.actions.now(), ttl, check.deregisterCriticalAfter)
    const period = check.kind === 'ttl'
      ? Math.min(MAX_TTL_TICK_MS, Math.max(MIN_TTL_TICK_MS, Math.floor(check.ttl / TTL_TICKS_PER_TTL)))
      : check.interval
    const timer = setInterval(() => { this.run(id) }, period)
    timer.unref()
    this.running.set(id, { check, state, timer, busy: false })
    if (check.kind !== 'ttl') this.run(id)
  }

  /** Stops checking an instance; with `check`, only if that is still the check it runs. */
  remove (id: string, check?: ResolvedCheck): void {
    const running = this.running.get(id)
    if (running === undefined || (check !== undefined && running.check !== check)) return
    clearInterval(running.timer)
    this.running.delete(id)
  }

  /** The kind of check an instance has, if any. */
  kindOf (id: string): ResolvedCheck['kind'] | undefined {
    return this.running.get(id)?.check.kind
  }

  /** The status the check of an instance last found, if it has one. */
  statusOf (id: string): InstanceStatus | undefined {
    return this.running.get(id)?.state.current
  }

  /** A TTL report from the application. */
  report (id: string, status: InstanceStatus): void {
    const running = this.running.get(id)
    if (running !== undefined) this.apply(id, running.state.report(status, this.actions.now()))
  }

  /** Stops every check. */
  stopAll (): void {
    for (const id of [...this.running.keys()]) this.remove(id)
  }

  private run (id: string): void {
    const running = this.running.get(id)
    if (running === undefined || running.busy) return
    const { check, state } = running
    if (check.kind === 'ttl') {
      this.apply(id, state.tick(this.actions.now()))
      return
    }
    running.busy = true
    probe(check).then((status) => {
      running.busy = false
      if (this.running.get(id) === running) this.apply(id, state.report(status, this.actions.now()))
    }, (err: Error) => {
      running.busy = false
      this.actions.onError(err)
    })
  }

  private apply (id: string, update: CheckUpdate): void {
    if (update.deregister) {
      this.remove(id)
      this.actions.deregister(id).catch(this.actions.onError)
      return
    }
    if (update.publish !== undefined) this.actions.publish(id, update.publish).catch(this.actions.onError)
  }
}
