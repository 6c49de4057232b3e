/**
 * The Consul check ids of the instances registered through this agent's Consul routes, and what a TTL report
 * (`/v1/agent/check/pass|warn|fail|update/:checkId`) does with each: the registry's own TTL check for a
 * service's only check, the folded `CheckSet` for one of several. Forgets an instance when it goes down.
 */
import type { Registry } from '../../registry.js'
import type { InstanceStatus } from '../../record/types.js'
import type { CheckSet, NamedCheck } from './checks.js'

interface Owned {
  readonly instanceId: string
  readonly kind: NamedCheck['kind']
  readonly set?: CheckSet
}

/** What a report found. */
export type ReportOutcome = 'reported' | 'unknown' | 'not-ttl'

/** The checks this agent registered for Consul clients. */
export class AgentChecks {
  private readonly byCheck = new Map<string, Owned>()
  private readonly byInstance = new Map<string, string[]>()

  constructor (private readonly registry: Registry, private readonly now: () => number) {
    registry.addEventListener('instance:down', (event) => {
      if (event.detail.instance.owner === registry.peerId) this.forget(event.detail.instance.id)
    })
  }

  /** Records the checks of an instance (replacing those of an earlier registration of the same id). */
  track (instanceId: string, checks: readonly NamedCheck[], set?: CheckSet): void {
    this.forget(instanceId)
    for (const { checkId, kind } of checks) this.byCheck.set(checkId, { instanceId, kind, ...(set !== undefined && { set }) })
    this.byInstance.set(instanceId, checks.map((check) => check.checkId))
  }

  /** Check ids that some other instance already uses (Consul check ids are unique per agent). */
  taken (instanceId: string, checks: readonly NamedCheck[]): string | undefined {
    return checks.find((check) => { const owner = this.byCheck.get(check.checkId); return owner !== undefined && owner.instanceId !== instanceId })?.checkId
  }

  /** Applies a TTL report. */
  report (checkId: string, status: InstanceStatus): ReportOutcome {
    const owned = this.byCheck.get(checkId)
    if (owned === undefined) return 'unknown'
    if (owned.kind !== 'ttl') return 'not-ttl'
    if (owned.set !== undefined) {
      owned.set.report(checkId, status, this.now())
      return 'reported'
    }
    if (status === 'passing') this.registry.pass(owned.instanceId)
    else if (status === 'warning') this.registry.warn(owned.instanceId)
    else this.registry.fail(owned.instanceId)
    return 'reported'
  }

  private forget (instanceId: string): void {
    for (const checkId of this.byInstance.get(instanceId) ?? []) this.byCheck.delete(checkId)
    this.byInstance.delete(instanceId)
  }
}
