/**
 * Instances and members in Consul's JSON shapes (field names as Consul's Go API decodes them): a node is the
 * owning member, named by its peer id, at the first address it advertises; the datacenter is the namespace.
 */
import { createHash } from 'node:crypto'
import type { Member } from '../../events.js'
import type { Instance, InstanceStatus } from '../../record/types.js'

/** Where a member can be reached, as Consul names a node. */
export interface ConsulNode {
  readonly ID: string
  readonly Node: string
  readonly Address: string
  readonly Datacenter: string
  readonly TaggedAddresses: Record<string, string>
  readonly Meta: Record<string, string>
  readonly CreateIndex: number
  readonly ModifyIndex: number
}

/** The host and TCP port of a multiaddr such as `/ip4/10.0.0.7/tcp/4001/p2p/12D3...`, if it has them. */
export function hostPortOf (multiaddr: string): { host: string, port: number } | undefined {
  const parts = multiaddr.split('/')
  const hostAt = parts.findIndex((part) => ['ip4', 'ip6', 'dns', 'dns4', 'dns6'].includes(part))
  if (hostAt < 0 || parts[hostAt + 1] === undefined) return undefined
  const tcpAt = parts.indexOf('tcp')
  return { host: parts[hostAt + 1]!, port: tcpAt < 0 ? 0 : Number(parts[tcpAt + 1]) }
}

/** `host:port`, with IPv6 literals in brackets (Go's `net.JoinHostPort`). */
export function joinHostPort (host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`
}

/**
 * A stable UUID-shaped node id derived from the peer id: Consul's node ids are UUIDs and some clients parse
 * them; the peer id itself stays the node's name.
 */
export function nodeId (peerId: string): string {
  const hex = createHash('sha256').update(peerId).digest('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`
}

/** Builds the Consul views of one moment: members looked up by peer id once per answer. */
export class ConsulShapes {
  private readonly members: ReadonlyMap<string, Member>

  constructor (members: readonly Member[], private readonly datacenter: string, private readonly index: number) {
    this.members = new Map(members.map((member) => [member.peerId, member]))
  }

  /** A member as a Consul node; `fallbackAddress` when it advertises no address (or is not known here). */
  node (peerId: string, fallbackAddress = ''): ConsulNode {
    const first = this.members.get(peerId)?.addrs.map(hostPortOf).find((hostPort) => hostPort !== undefined)
    const address = first?.host ?? fallbackAddress
    return {
      ID: nodeId(peerId),
      Node: peerId,
      Address: address,
      Datacenter: this.datacenter,
      TaggedAddresses: { lan: address, lan_ipv4: address, wan: address, wan_ipv4: address },
      Meta: {},
      CreateIndex: this.index,
      ModifyIndex: this.index
    }
  }

  /** Every member as a node. */
  nodes (): ConsulNode[] {
    return [...this.members.keys()].map((peerId) => this.node(peerId))
  }

  /** An instance as `/v1/catalog/service/:service` lists it. */
  catalogService (instance: Instance): Record<string, unknown> {
    const node = this.node(instance.owner, instance.address)
    return {
      ID: node.ID,
      Node: node.Node,
      Address: node.Address,
      Datacenter: this.datacenter,
      TaggedAddresses: node.TaggedAddresses,
      NodeMeta: node.Meta,
      ServiceKind: '',
      ServiceID: instance.id,
      ServiceName: instance.service,
      ServiceTags: [...instance.tags],
      ServiceAddress: instance.address,
      ServiceTaggedAddresses: {},
      ServiceWeights: { Passing: instance.weight, Warning: instance.weight },
      ServiceMeta: serviceMeta(instance),
      ServicePort: instance.port,
      ServiceEnableTagOverride: false,
      CreateIndex: this.index,
      ModifyIndex: this.index
    }
  }

  /** An instance as `/v1/health/service/:service` lists it: node, service, and the node's and service's checks. */
  serviceEntry (instance: Instance): Record<string, unknown> {
    return { Node: this.node(instance.owner, instance.address), Service: this.agentService(instance), Checks: [this.serfCheck(instance), this.serviceCheck(instance)] }
  }

  /** An instance as an agent service (`Service` of a health entry, `/v1/agent/services`, a node's services). */
  agentService (instance: Instance): Record<string, unknown> {
    return {
      ID: instance.id,
      Service: instance.service,
      Tags: [...instance.tags],
      Address: instance.address,
      TaggedAddresses: {},
      Meta: serviceMeta(instance),
      Port: instance.port,
      Weights: { Passing: instance.weight, Warning: instance.weight },
      EnableTagOverride: false,
      Datacenter: this.datacenter,
      CreateIndex: this.index,
      ModifyIndex: this.index
    }
  }

  /** Serf's check of the instance's node: the member is alive (or only suspect) here. */
  serfCheck (instance: Instance): Record<string, unknown> {
    return { ...this.checkCommon(instance.owner), CheckID: 'serfHealth', Name: 'Serf Health Status', Status: instance.memberState === 'dead' ? 'critical' : 'passing', ServiceID: '', ServiceName: '', ServiceTags: [], Type: '' }
  }

  /** The status the owner publishes for the instance, whatever check (or none) produced it. */
  serviceCheck (instance: Instance): Record<string, unknown> {
    return { ...this.checkCommon(instance.owner), CheckID: `service:${instance.id}`, Name: `Service '${instance.service}' check`, Status: instance.status, ServiceID: instance.id, ServiceName: instance.service, ServiceTags: [...instance.tags], Type: '' }
  }

  private checkCommon (owner: string): Record<string, unknown> {
    return { Node: owner, Notes: '', Output: '', Definition: {}, CreateIndex: this.index, ModifyIndex: this.index }
  }
}

/** The instance's metadata, plus its version (Consul services have none) unless the metadata already names one. */
export function serviceMeta (instance: Instance): Record<string, string> {
  return { version: instance.version, ...instance.metadata }
}

/** True when every check of an entry passes: Consul's `?passing` (a warning is not passing). */
export function isPassing (instance: Instance): boolean {
  return instance.status === ('passing' satisfies InstanceStatus) && instance.memberState !== 'dead'
}
