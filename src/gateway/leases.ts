/**
 * Leases of instances registered over HTTP: the agent owns and signs them, and keeps them alive only while the
 * client renews them. A lease is a TTL health check: not renewed in time, the instance turns critical (out of
 * lookups); critical for the grace period, it is deregistered.
 */
import { createHash } from 'node:crypto'
import type { Registry } from '../registry.js'
import { DEFAULT_STATUS } from '../record/limits.js'
import type { Instance, InstanceStatus } from '../record/types.js'

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
  /** The first status published (and gossiped). @default 'passing': the client just showed it is alive. */
  status?: InstanceStatus
}

/** What a renewal matches: every field given must equal the lease's. */
export interface LeaseFilter {
  service?: string
  version?: string
  id?: string
  address?: string
  port?: number
}

type Lease = Required<Pick<LeaseFilter, 'service' | 'version' | 'address' | 'port'>>

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
    const { ttl = this.options.ttl, status = DEFAULT_STATUS, ...fields } = input
    const instance = await this.registry.register({
      ...fields,
      status,
      check: { ttl, deregisterCriticalAfter: this.options.grace }
    })
    // Host names and IPv6 literals are case-insensitive: a lease is found whatever case a heartbeat names it in.
    this.leased.set(instance.id, { service: instance.service, version: instance.version, address: instance.address.toLowerCase(), port: instance.port })
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
      if (!matches({ ...lease, id }, wanted)) continue
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
}

function matches (lease: Lease & { id: string }, filter: LeaseFilter): boolean {
  return Object.entries(filter).every(([key, value]) => value === undefined || lease[key as keyof LeaseFilter] === value)
}
