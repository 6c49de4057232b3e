/**
 * Leases of instances registered over HTTP: the agent owns and signs them, and keeps them alive only while the
 * client renews them. A lease is a TTL health check: not renewed in time, the instance turns critical (out of
 * lookups); critical for the grace period, it is deregistered. A registration with an `http` or `tcp` check is
 * kept alive by its check instead, as in Consul: the agent probes it, there is nothing to renew, and critical for
 * the grace period (or its own `deregisterCriticalAfter`) it is deregistered all the same.
 */
import { createHash } from 'node:crypto'
import { InvalidArgumentError } from '../errors.js'
import type { Registry } from '../registry.js'
import { DEFAULT_STATUS } from '../record/limits.js'
import type { Instance, InstanceStatus } from '../record/types.js'
import { checkOfBody, type CheckBody, type HttpCheckDefinition } from './check-body.js'

/** Lease settings of a gateway. */
export interface LeaseOptions {
  /** Default lease when a registration gives no `ttl`, in ms. */
  readonly ttl: number
  /** How long an expired (critical) lease waits before its instance is deregistered, in ms. */
  readonly grace: number
}

/** What a leased registration carries. */
export interface LeasedRegistration {
  service: string
  version: string
  address: string
  port: number
  metadata?: Record<string, string>
  tags?: string[]
  weight?: number
  id?: string
  ttl?: number
  /**
   * The first status published (and gossiped). @default 'passing' for a lease: the client just showed it is
   * alive; `critical` with an http or tcp check, until the check first passes (as the registry does).
   */
  status?: InstanceStatus
  /** A health check instead of the lease (`ttl`): see the module comment. */
  check?: CheckBody
}

/** What a renewal matches: every field given must equal the lease's. */
export interface LeaseFilter {
  service?: string
  version?: string
  id?: string
  address?: string
  port?: number
}

type Lease = Required<Pick<LeaseFilter, 'service' | 'version' | 'address' | 'port'>> & {
  /** What keeps it alive: renewals (`ttl`), or a check the agent runs. */
  readonly kind: 'ttl' | 'http' | 'tcp'
}

/** The id the classic API gives an instance: the same service, version, address and port always get the same id. */
export function classicId (service: string, version: string, address: string, port: number): string {
  return `h-${createHash('sha256').update(`${service}\u0000${version}\u0000${address}\u0000${port}`).digest('hex').slice(0, 32)}`
}

/** The HTTP-registered instances of one agent. */
export class Leases {
  private readonly leased = new Map<string, Lease>()

  constructor (private readonly registry: Registry, private readonly options: LeaseOptions) {
    registry.addEventListener('instance:down', (event) => {
      if (event.detail.instance.owner === registry.peerId) this.leased.delete(event.detail.instance.id)
    })
  }

  /** Registers (or, for a known id, renews and updates) a leased instance, published first with `status`. */
  async register (input: LeasedRegistration): Promise<Instance> {
    const { ttl, status, check, ...fields } = input
    if (check !== undefined && ttl !== undefined) {
      throw new InvalidArgumentError('body.ttl', 'Expected either `body.ttl` (a lease) or `body.check`, not both: an instance with a check is kept alive by it (a `ttl` check is a lease)')
    }
    const { definition, kind } = check === undefined ? { definition: { ttl: ttl ?? this.options.ttl }, kind: 'ttl' as const } : checkOfBody(check)
    const withGrace: HttpCheckDefinition = { deregisterCriticalAfter: this.options.grace, ...definition }
    const instance = await this.registry.register({
      ...fields,
      ...(kind === 'ttl' ? { status: status ?? DEFAULT_STATUS } : status !== undefined && { status }),
      check: withGrace
    })
    // Host names and IPv6 literals are case-insensitive: a lease is found whatever case a heartbeat names it in.
    this.leased.set(instance.id, { service: instance.service, version: instance.version, address: instance.address.toLowerCase(), port: instance.port, kind })
    return instance
  }

  /**
   * Renews the leases of the instances that `filter` matches, reporting `status` (the seed's heartbeat carries a
   * state: a client can say it is unwell without going silent); returns the ids renewed. A lease renewed as
   * critical for the grace period is deregistered, as any critical check is.
   */
  renew (filter: LeaseFilter, status: InstanceStatus = 'passing'): string[] {
    const wanted = { ...filter, address: filter.address?.toLowerCase() }
    const renewed: string[] = []
    for (const [id, lease] of this.leased) {
      // A probed instance says itself whether it is alive: a heartbeat has nothing to add.
      if (lease.kind !== 'ttl' || !matches({ ...lease, id }, wanted)) continue
      if (status === 'passing') this.registry.pass(id)
      else if (status === 'warning') this.registry.warn(id)
      else this.registry.fail(id)
      renewed.push(id)
    }
    return renewed
  }

  /** True if `id` was registered through this agent and is still leased. */
  has (id: string): boolean {
    return this.leased.has(id)
  }

  /** What keeps `id` alive, if it was registered through this agent: renewals (`ttl`) or a check it runs. */
  kindOf (id: string): Lease['kind'] | undefined {
    return this.leased.get(id)?.kind
  }
}

function matches (lease: Lease & { id: string }, filter: LeaseFilter): boolean {
  return Object.entries(filter).every(([key, value]) => value === undefined || lease[key as keyof LeaseFilter] === value)
}
