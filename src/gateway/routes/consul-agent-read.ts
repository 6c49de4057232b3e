/**
 * Consul's agent reads of the services this agent owns: `GET /v1/agent/services` and `/v1/agent/service/:id`,
 * from the replica (an agent's own instances are the ones whose owner is its peer id).
 */
import type { FastifyInstance } from 'fastify'
import type { Registry } from '../../registry.js'
import type { Instance } from '../../record/types.js'
import { blockingRead, consulQuery, type ConsulQuery } from '../consul/blocking.js'
import type { ChangeIndex, IndexScope } from '../consul/change-index.js'
import { ConsulShapes } from '../consul/shapes.js'
import { serviceIdParams } from '../consul/schemas.js'

/** Every service's changes move the list of this agent's own. */
const SCOPE: IndexScope = { kind: 'services' }

/** Registers the agent service reads (blocking queries, like the catalog's). */
export function consulAgentReadRoutes (app: FastifyInstance, registry: Registry, index: ChangeIndex, datacenter: string): void {
  const own = (): Instance[] => registry.services().flatMap((service) => registry.lookup(service, { includeUnhealthy: true })).filter((i) => i.owner === registry.peerId)
  const view = (): ConsulShapes => new ConsulShapes(registry.members(), datacenter, index.of(SCOPE))

  app.get<{ Querystring: ConsulQuery }>('/v1/agent/services', {
    schema: { querystring: consulQuery(), tags: ['consul'], summary: 'Consul: the service instances this agent owns, by id' }
  }, async (request, reply) => await blockingRead(index, SCOPE, datacenter, request, reply, () => {
    const shapes = view()
    return Object.fromEntries(own().map((instance) => [instance.id, shapes.agentService(instance)]))
  }))

  app.get<{ Params: { id: string }, Querystring: ConsulQuery }>('/v1/agent/service/:id', {
    schema: { params: serviceIdParams, querystring: consulQuery(), tags: ['consul'], summary: 'Consul: one service instance this agent owns' }
  }, async (request, reply) => {
    if (!own().some((i) => i.id === request.params.id)) {
      return reply.status(404).send({ success: false, error: `Unknown service ID \`${request.params.id}\` on this agent`, code: 'ERR_UNKNOWN_INSTANCE', field: 'params.id' })
    }
    // Gone while blocked: Consul answers the wait with a 404 too, and so does the next request here.
    return await blockingRead(index, SCOPE, datacenter, request, reply, () => {
      const instance = own().find((i) => i.id === request.params.id)
      return instance === undefined ? null : view().agentService(instance)
    })
  })
}
