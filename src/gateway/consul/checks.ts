/**
 * Consul check definitions (`Check`/`Checks` of a service registration) turned into the registry's one check
 * per instance: a single HTTP, TCP or TTL check maps onto the registry's own; several are folded into one
 * function check (their worst status) by `CheckSet`. Also the Consul check ids of this agent's instances.
 */
import type { CheckDefinition } from '../../health/check.js'
import { resolveCheck, type ResolvedCheck } from '../../health/check.js'
import { probe } from '../../health/probes.js'
import { InvalidArgumentError } from '../../errors.js'
import type { InstanceStatus } from '../../record/types.js'
import { parseDuration } from './duration.js'

/** A check as a Consul client sends it. */
export interface ConsulCheck {
  CheckID?: string
  Name?: string
  Notes?: string
  Status?: InstanceStatus
  HTTP?: string
  Method?: 'GET'
  TCP?: string
  TTL?: string
  Interval?: string
  Timeout?: string
  DeregisterCriticalServiceAfter?: string
}

/** One check of a registration, with the Consul id it answers to, its kind and its first status. */
export interface NamedCheck {
  readonly checkId: string
  readonly kind: 'http' | 'tcp' | 'ttl'
  readonly definition: Exclude<CheckDefinition, { fn: unknown }>
  /** Consul's `Status`: a check starts critical unless told otherwise. */
  readonly initial: InstanceStatus
}

/** Statuses from best to worst: a set of checks is as healthy as its worst. */
const RANK: Record<InstanceStatus, number> = { passing: 0, warning: 1, critical: 2 }

/** The worst of some statuses; `passing` for none (a service without checks is passing, as in Consul). */
export function worstOf (statuses: readonly InstanceStatus[]): InstanceStatus {
  return statuses.reduce<InstanceStatus>((worst, status) => RANK[status] > RANK[worst] ? status : worst, 'passing')
}

/**
 * The checks of a registration, validated, with Consul's ids: `service:<id>` for a service's only check,
 * `service:<id>:<n>` (from 1) for several, unless the client names one with `CheckID`. `field` is where they
 * came from (`body.Check` or `body.Checks`), for error messages.
 */
export function namedChecks (serviceId: string, field: string, checks: readonly ConsulCheck[]): NamedCheck[] {
  const named = checks.map((check, n) => {
    const at = checks.length === 1 && field.endsWith('.Check') ? field : `${field}[${n}]`
    const checkId = check.CheckID ?? (checks.length === 1 ? `service:${serviceId}` : `service:${serviceId}:${n + 1}`)
    return { checkId, initial: check.Status ?? 'critical', ...definitionOf(at, check) }
  })
  const ids = new Set(named.map((check) => check.checkId))
  if (ids.size !== named.length) throw new InvalidArgumentError(`${field}.CheckID`, `Expected the checks of \`${field}\` to have distinct \`CheckID\`s, got ${named.map((c) => c.checkId).join(', ')}`)
  return named
}

function definitionOf (field: string, check: ConsulCheck): Pick<NamedCheck, 'kind' | 'definition'> {
  const given = (['HTTP', 'TCP', 'TTL'] as const).filter((kind) => check[kind] !== undefined)
  if (given.length !== 1) {
    throw new InvalidArgumentError(field, `Expected \`${field}\` to have exactly one of \`HTTP\`, \`TCP\` or \`TTL\` (other Consul check kinds are not supported), got ${given.length === 0 ? 'none' : given.join(' and ')}`)
  }
  const ms = (name: 'Interval' | 'Timeout' | 'DeregisterCriticalServiceAfter' | 'TTL'): number | undefined =>
    check[name] === undefined ? undefined : parseDuration(`${field}.${name}`, check[name]!)
  const deregisterCriticalAfter = ms('DeregisterCriticalServiceAfter')
  const timing = { ...(deregisterCriticalAfter !== undefined && { deregisterCriticalAfter }) }
  let definition: NamedCheck['definition']
  let kind: NamedCheck['kind']
  if (check.TTL !== undefined) {
    kind = 'ttl'
    definition = { ttl: ms('TTL')!, ...timing }
  } else {
    // Consul needs an Interval for HTTP and TCP checks; so does this agent (the registry's default would hide it).
    if (check.Interval === undefined) throw new InvalidArgumentError(`${field}.Interval`, `Expected \`${field}.Interval\` (a Go duration such as \`10s\`) with an ${given[0]} check`)
    const probeTiming = { ...timing, interval: ms('Interval')!, ...(check.Timeout !== undefined && { timeout: ms('Timeout')! }) }
    kind = check.HTTP !== undefined ? 'http' : 'tcp'
    definition = check.HTTP !== undefined ? { http: check.HTTP, ...probeTiming } : { tcp: check.TCP!, ...probeTiming }
  }
  try {
    resolveCheck(definition)
  } catch (err) {
    // The registry names its own fields (`check.timeout`); a Consul client knows them as `Timeout`.
    const registryField = (err as { field?: string }).field ?? ''
    const consulName = { 'check.ttl': 'TTL', 'check.http': 'HTTP', 'check.tcp': 'TCP', 'check.interval': 'Interval', 'check.timeout': 'Timeout', 'check.deregisterCriticalAfter': 'DeregisterCriticalServiceAfter' }[registryField]
    throw new InvalidArgumentError(consulName === undefined ? field : `${field}.${consulName}`, (err as Error).message.replaceAll(`\`${registryField}\``, `\`${field}.${consulName ?? ''}\``))
  }
  return { kind, definition }
}

interface Member {
  readonly check: ResolvedCheck
  status: InstanceStatus
  /** For TTL checks: when the application last reported; for probes: when the last run started. */
  lastMs: number
  running: boolean
}

/** Longest a TTL report of a folded check waits before it is published: its fold runs at least this often. */
const MAX_FOLD_PERIOD_MS = 1_000
const MIN_FOLD_PERIOD_MS = 50

/**
 * Several checks of one instance folded into the registry's single function check: the function returns the worst
 * status at once (never waiting on a probe), and starts each HTTP/TCP probe when its own interval has passed; TTL
 * members turn critical when not reported within their TTL. A TTL report is published at the next fold, within
 * `period`.
 */
export class CheckSet {
  private readonly members = new Map<string, Member>()
  /** How often the registry runs the fold: often enough for the shortest TTL and the shortest interval. */
  readonly period: number

  constructor (checks: readonly NamedCheck[], nowMs: number) {
    for (const { checkId, definition, initial } of checks) {
      this.members.set(checkId, { check: resolveCheck(definition), status: initial, lastMs: nowMs - Number.MAX_SAFE_INTEGER, running: false })
    }
    const spans = [...this.members.values()].map(({ check }) => check.kind === 'ttl' ? check.ttl / 4 : check.interval)
    this.period = Math.max(MIN_FOLD_PERIOD_MS, Math.min(MAX_FOLD_PERIOD_MS, ...spans.map(Math.floor)))
    for (const member of this.members.values()) if (member.check.kind === 'ttl') member.lastMs = nowMs
  }

  /** The registry function check of the set. */
  definition (now: () => number, deregisterCriticalAfter: number | undefined): CheckDefinition {
    return { fn: () => this.fold(now()), interval: this.period, timeout: Math.max(1, this.period - 1), ...(deregisterCriticalAfter !== undefined && { deregisterCriticalAfter }) }
  }

  /** A TTL report for one member; false when it is not a TTL check of this set. */
  report (checkId: string, status: InstanceStatus, nowMs: number): boolean {
    const member = this.members.get(checkId)
    if (member?.check.kind !== 'ttl') return false
    member.status = status
    member.lastMs = nowMs
    return true
  }

  /** The worst status now; starts the probes that are due. */
  fold (nowMs: number): InstanceStatus {
    for (const member of this.members.values()) {
      const { check } = member
      if (check.kind === 'ttl') {
        if (nowMs - member.lastMs >= check.ttl) member.status = 'critical'
      } else if (!member.running && nowMs - member.lastMs >= check.interval) {
        member.running = true
        member.lastMs = nowMs
        // A probe that throws (it should not) counts as a failed check rather than an unhandled rejection.
        probe(check).then(
          (status) => { member.status = status; member.running = false },
          () => { member.status = 'critical'; member.running = false }
        )
      }
    }
    return worstOf([...this.members.values()].map((member) => member.status))
  }
}
