/**
 * The maintenance switches of this node's own instances: which are held out of lookups, and the status each would
 * publish without the switch, so switching off restores it. Pure bookkeeping: the registry does the writes.
 */
import { InvalidArgumentError, describeValue } from '../errors.js'
import { MAX_MAINTENANCE_REASON_LENGTH } from '../record/limits.js'
import type { InstanceRecord, InstanceStatus } from '../record/types.js'

/** What `registry.maintenance(id, ...)` takes. */
export interface MaintenanceInput {
  /** `true` takes the instance out of lookups at every node; `false` brings it back. */
  enable: boolean
  /** Why, shown with the instance wherever its maintenance state is. @default '' */
  reason?: string
}

/** An instance record without its stamp, as an own write publishes it. */
type Unstamped = Omit<InstanceRecord, 'stamp'>

/** Validates the input of `maintenance()`. Throws `InvalidArgumentError` naming `enable` or `reason`. */
export function validateMaintenance (input: unknown): { enable: boolean, reason: string } {
  if (typeof input !== 'object' || input === null) throw new InvalidArgumentError('maintenance', `Expected \`{ enable, reason? }\`, got ${describeValue(input)}`)
  const { enable, reason = '', ...rest } = input as Record<string, unknown>
  const unknown = Object.keys(rest)[0]
  if (unknown !== undefined) throw new InvalidArgumentError(unknown, `Unknown field \`${unknown}\`; known fields: enable, reason`)
  if (typeof enable !== 'boolean') throw new InvalidArgumentError('enable', `Expected \`enable\` to be a boolean, got ${describeValue(enable)}`)
  if (typeof reason !== 'string' || reason.length > MAX_MAINTENANCE_REASON_LENGTH) {
    throw new InvalidArgumentError('reason', `Expected \`reason\` to be a string of at most ${MAX_MAINTENANCE_REASON_LENGTH} characters, got ${describeValue(reason)}`)
  }
  return { enable, reason }
}

/**
 * The switches, set when `maintenance()` is called (so they follow the order of calls, as checks do), and the
 * status held back by each instance published in maintenance, kept when that write runs.
 */
export class MaintenanceSwitches {
  private readonly wanted = new Map<string, string>()
  private readonly held = new Map<string, InstanceStatus>()

  /** Turns the switch of `id` on (with its reason) or off. */
  set (id: string, enable: boolean, reason = ''): void {
    if (enable) this.wanted.set(id, reason)
    else this.wanted.delete(id)
  }

  /** Whether `id` is switched to maintenance. */
  isOn (id: string): boolean {
    return this.wanted.has(id)
  }

  /** Forgets an instance that was deregistered: a later registration of its id starts out of maintenance. */
  forget (id: string): void {
    this.wanted.delete(id)
    this.held.delete(id)
  }

  /**
   * The instance as its owner's calls made it: a version published in maintenance gets back the status it held
   * back, or `checked`, what its check found since (the check's verdict is the instance's status).
   */
  logical (current: InstanceRecord, checked: InstanceStatus | undefined): Unstamped {
    if (current.maintenance === undefined) return current
    return { ...current, status: checked ?? this.held.get(current.id) ?? current.status }
  }

  /** What to publish for `next`: as it is, or, switched on, `critical` with the reason (its status held back). */
  publishable (next: Unstamped): Unstamped {
    const { maintenance: _, ...rest } = next
    const reason = this.wanted.get(next.id)
    if (reason === undefined) {
      this.held.delete(next.id)
      return rest
    }
    this.held.set(next.id, next.status)
    return { ...rest, status: 'critical', maintenance: { reason } }
  }
}

/** `status` as people read it: `maintenance` for an instance held out of lookups, whose status says only critical. */
export function shownStatus (instance: { readonly status: InstanceStatus, readonly maintenance?: unknown }): InstanceStatus | 'maintenance' {
  return instance.maintenance === undefined ? instance.status : 'maintenance'
}
