/**
 * The /v1 API: services, instances (query, register, deregister, renew), members, this agent, health.
 */
import type { FastifyInstance } from 'fastify'
import { UnknownInstanceError } from '../../errors.js'
import type { Registry } from '../../registry.js'
import type { LeasedRegistration, Leases } from '../leases.js'
import { idParams, instancesQuery, registerBody, serviceParams } from '../schemas.js'

/** Registers the /v1 routes. */
export function v1Routes (app: FastifyInstance, registry: Registry, leases: Leases): void {
  app.get('/v1/services', { schema: { tags: ['v1'], summary: 'Services with at least one visible instance' } }, async () => ({ services: registry.services() }))

  app.get<{ Params: { service: string }, Querystring: { version?: string, tag?: string | string[], healthy?: 'true' | 'false' } }>('/v1/services/:service/instances', {
    schema: { params: serviceParams, querystring: instancesQuery, tags: ['v1'], summary: 'Instances of a service (healthy only unless healthy=false)' }
  }, async (request) => {
    const { version, tag, healthy } = request.query
    const tags = tag === undefined ? undefined : [tag].flat()
    return { instances: registry.lookup(request.params.service, { version, tags, includeUnhealthy: healthy === 'false' }) }
  })

  app.post<{ Body: LeasedRegistration }>('/v1/instances', {
    schema: { body: registerBody, tags: ['v1'], summary: 'Register an instance owned by this agent, with a lease' }
  }, async (request, reply) => {
    // The requested status is the first one published: never a `passing` that a watcher could act on first.
    const instance = await leases.register(request.body)
    return reply.status(201).send({ success: true, instance })
  })

  app.delete<{ Params: { id: string } }>('/v1/instances/:id', {
    schema: { params: idParams, tags: ['v1'], summary: 'Deregister an instance registered through this agent' }
  }, async (request) => {
    if (!leases.has(request.params.id)) throw new UnknownInstanceError(request.params.id)
    await registry.deregister(request.params.id)
    return { success: true }
  })

  app.put<{ Params: { id: string } }>('/v1/instances/:id/renew', {
    schema: { params: idParams, tags: ['v1'], summary: 'Renew the lease of an instance registered through this agent' }
  }, async (request) => {
    if (leases.renew({ id: request.params.id }).length === 0) throw new UnknownInstanceError(request.params.id)
    return { success: true }
  })

  app.get('/v1/members', { schema: { tags: ['v1'], summary: 'Members known to this agent' } }, async () => ({ members: registry.members() }))

  app.get('/v1/self', { schema: { tags: ['v1'], summary: "This agent's peer id and addresses" } }, async () => ({ peerId: registry.peerId, multiaddrs: registry.multiaddrs }))

  app.get('/healthz', { schema: { tags: ['ops'], summary: 'Liveness of this agent' } }, async () => ({ ok: true, peerId: registry.peerId }))
}
