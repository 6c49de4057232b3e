/**
 * Consul's read side: `/v1/catalog/services`, `/v1/catalog/service/:service`, `/v1/catalog/nodes`,
 * `/v1/health/service/:service`, `/v1/agent/self`, `/v1/status/leader|peers`, each a blocking query, all from this
 * agent's replica (no network hop). Shapes in consul/shapes.ts; what is and is not supported in
 * docs/consul-compatibility.md.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { InvalidArgumentError, describeValue } from '../../errors.js'
import type { Registry } from '../../registry.js'
import type { Instance } from '../../record/types.js'
import { blockingRead, consulQuery, type ConsulQuery } from '../consul/blocking.js'
import type { ChangeIndex, IndexScope } from '../consul/change-index.js'
import { ConsulShapes, hostPortOf, isPassing, joinHostPort } from '../consul/shapes.js'
import { serviceParams } from '../schemas.js'

/** What the Consul routes share. */
export interface ConsulContext {
  readonly registry: Registry
  readonly index: ChangeIndex
  /** The registry namespace, which Consul clients see as the datacenter. */
  readonly datacenter: string
}

type Read = FastifyRequest<{ Querystring: ConsulQuery, Params: { service?: string, node?: string } }>

const tag = { anyOf: [{ type: 'string', minLength: 1, maxLength: 64 }, { type: 'array', maxItems: 32, items: { type: 'string', minLength: 1, maxLength: 64 } }] } as const
/** Node names are peer ids (base58 or base32 multibase). */
const nodeParams = { type: 'object', required: ['node'], additionalProperties: false, properties: { node: { type: 'string', minLength: 1, maxLength: 128, pattern: '^[A-Za-z0-9]+$' } } } as const
/** Go's `strconv.ParseBool` spellings, plus the bare `?passing` (empty), as Consul reads booleans. */
const BOOLEANS: Record<string, boolean> = { '': true, 1: true, t: true, T: true, true: true, TRUE: true, True: true, 0: false, f: false, F: false, false: false, FALSE: false, False: false }

/** Registers the Consul read routes. */
export function consulReadRoutes (app: FastifyInstance, context: ConsulContext): void {
  const { registry, index, datacenter } = context
  const shapes = (scope: IndexScope): ConsulShapes => new ConsulShapes(registry.members(), datacenter, index.of(scope))
  const get = (url: string, summary: string, extra: Record<string, unknown>, scopeOf: (request: Read) => IndexScope, read: (request: Read, scope: IndexScope) => unknown): void => {
    app.get(url, {
      schema: { querystring: consulQuery(extra), ...(url.includes(':service') && { params: serviceParams }), ...(url.includes(':node') && { params: nodeParams }), tags: ['consul'], summary }
    }, async (request: Read, reply: FastifyReply) => {
      const scope = scopeOf(request)
      return await blockingRead(index, scope, datacenter, request, reply, () => read(request, scope))
    })
  }
  const serviceScope = (request: Read): IndexScope => ({ kind: 'service', service: request.params.service! })
  const instances = (request: Read): readonly Instance[] =>
    registry.lookup(request.params.service!, { includeUnhealthy: true, tags: tagsOf(request.query.tag) })

  get('/v1/catalog/services', 'Consul: every service with the union of its tags', {}, () => ({ kind: 'services' }), () => {
    const services: Record<string, string[]> = {}
    for (const service of registry.services()) {
      services[service] = [...new Set(registry.lookup(service, { includeUnhealthy: true }).flatMap((i) => i.tags))].sort()
    }
    return services
  })

  get('/v1/catalog/service/:service', 'Consul: the instances of a service, whatever their health', { tag }, serviceScope, (request, scope) => {
    const view = shapes(scope)
    return instances(request).map((instance) => view.catalogService(instance))
  })

  get('/v1/health/service/:service', 'Consul: the instances of a service with their checks', { tag, passing: { type: 'string', maxLength: 5 } }, serviceScope, (request, scope) => {
    const passingOnly = booleanOf('querystring.passing', request.query.passing)
    const view = shapes(scope)
    return instances(request).filter((instance) => !passingOnly || isPassing(instance)).map((instance) => view.serviceEntry(instance))
  })

  get('/v1/health/checks/:service', 'Consul: the checks of a service\'s instances', {}, serviceScope, (request, scope) => {
    const view = shapes(scope)
    return instances(request).map((instance) => view.serviceCheck(instance))
  })

  get('/v1/catalog/nodes', 'Consul: the members, as nodes', {}, () => ({ kind: 'nodes' }), (_request, scope) => shapes(scope).nodes())

  get('/v1/catalog/datacenters', 'Consul: the one datacenter, this registry\'s namespace', {}, () => ({ kind: 'static' }), () => [datacenter])

  // A node is a member; its services are the instances it owns. Both move with any service, so their index is the
  // service list's and the members'.
  const ownedBy = (node: string): Instance[] => registry.services().flatMap((service) => registry.lookup(service, { includeUnhealthy: true })).filter((i) => i.owner === node)
  const nodeScope = (): IndexScope => ({ kind: 'services' })
  get('/v1/catalog/node/:node', 'Consul: a member and the instances it owns', {}, nodeScope, (request, scope) => {
    const view = shapes(scope)
    const node = request.params.node!
    const owned = ownedBy(node)
    if (owned.length === 0 && !registry.members().some((member) => member.peerId === node)) return null
    return { Node: view.node(node), Services: Object.fromEntries(owned.map((i) => [i.id, view.agentService(i)])) }
  })
  get('/v1/health/node/:node', 'Consul: the checks of a member and of the instances it owns', {}, nodeScope, (request, scope) => {
    const view = shapes(scope)
    const owned = ownedBy(request.params.node!)
    return owned.length === 0 ? [] : [view.serfCheck(owned[0]!), ...owned.map((instance) => view.serviceCheck(instance))]
  })

  get('/v1/agent/self', 'Consul: this agent, as a node', {}, () => ({ kind: 'nodes' }), (_request, scope) => {
    const node = shapes(scope).node(registry.peerId)
    const gossip = selfGossipAddress(registry)
    return {
      // Version is this gateway's API version (its OpenAPI document's), not a Consul release: Revision says whose.
      Config: { Datacenter: datacenter, NodeName: node.Node, NodeID: node.ID, Server: false, Version: '1.0.0', Revision: 'gossip-registry' },
      Member: { Name: node.Node, Addr: node.Address, Port: gossip?.port ?? 0, Tags: { dc: datacenter, role: 'node', id: node.ID }, Status: 1 },
      Meta: {},
      Coord: null
    }
  })

  // There is no leader: every agent answers from its own replica. Each names its own gossip address, which is
  // stable while it runs, so clients that only need "a leader is known" are content.
  get('/v1/status/leader', 'Consul: this agent\'s own gossip address (there is no leader)', {}, () => ({ kind: 'static' }), () => {
    const gossip = selfGossipAddress(registry)
    return gossip === undefined ? '' : joinHostPort(gossip.host, gossip.port)
  })

  get('/v1/status/peers', 'Consul: the gossip addresses of the live members', {}, () => ({ kind: 'nodes' }), () =>
    registry.members().filter((member) => member.state === 'alive').flatMap((member) => {
      const first = member.addrs.map(hostPortOf).find((hostPort) => hostPort !== undefined)
      return first === undefined ? [] : [joinHostPort(first.host, first.port)]
    }))
}

function selfGossipAddress (registry: Registry): { host: string, port: number } | undefined {
  return registry.multiaddrs.map(hostPortOf).find((hostPort) => hostPort !== undefined)
}

function tagsOf (tag: string | string[] | undefined): string[] | undefined {
  return tag === undefined ? undefined : [tag].flat()
}

function booleanOf (field: string, value: string | string[] | undefined): boolean {
  if (value === undefined) return false
  const parsed = typeof value === 'string' ? BOOLEANS[value] : undefined
  if (parsed === undefined) throw new InvalidArgumentError(field, `Expected \`${field}\` to be empty, \`true\` or \`false\`, got ${describeValue(value)}`)
  return parsed
}
