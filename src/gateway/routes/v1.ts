/**
 * The /v1 API: services, instances (query, register, deregister, renew, maintenance), members, this agent (and its
 * leave), health.
 */
import type { FastifyInstance } from 'fastify'
import { InvalidArgumentError, UnknownInstanceError } from '../../errors.js'
import type { Registry } from '../../registry.js'
import type { LeasedRegistration, Leases } from '../leases.js'
import { bearer, instanceResponse, memberResponse, ref, responses, successResponse } from '../responses.js'
import { idParams, instancesQuery, registerBody, serviceParams } from '../schemas.js'
import { maintenanceRoute } from './maintenance.js'
import { memberRoutes } from './members.js'

/** Registers the /v1 routes. */
export function v1Routes (app: FastifyInstance, registry: Registry, leases: Leases, onLeave?: () => void): void {
  app.get('/v1/services', { schema: { tags: ['v1'], summary: 'Services with at least one visible instance', response: responses({ 200: { type: 'object', required: ['services'], properties: { services: { type: 'array', items: { type: 'string' } } } } }) } }, async () => ({ services: registry.services() }))

  app.get<{ Params: { service: string }, Querystring: { version?: string, tag?: string | string[], healthy?: 'true' | 'false' } }>('/v1/services/:service/instances', {
    schema: { params: serviceParams, querystring: instancesQuery, tags: ['v1'], summary: 'Instances of a service (healthy only unless healthy=false)',
      response: responses({ 200: { type: 'object', required: ['instances'], properties: { instances: { type: 'array', items: ref(instanceResponse) } } } })
    }
  }, async (request) => {
    const { version, tag, healthy } = request.query
    const tags = tag === undefined ? undefined : [tag].flat()
    return { instances: registry.lookup(request.params.service, { version, tags, includeUnhealthy: healthy === 'false' }) }
  })

  app.post<{ Body: LeasedRegistration }>('/v1/instances', {
    schema: { body: registerBody, tags: ['v1'], summary: 'Register an instance owned by this agent, with a lease or a health check', security: bearer, response: responses({ 201: successResponse({ instance: ref(instanceResponse) }) }) }
  }, async (request, reply) => {
    // The requested status is the first one published: never a `passing` that a watcher could act on first.
    const instance = await leases.register(request.body)
    return reply.status(201).send({ success: true, instance })
  })

  app.delete<{ Params: { id: string } }>('/v1/instances/:id', {
    schema: { params: idParams, tags: ['v1'], summary: 'Deregister an instance registered through this agent', security: bearer, response: responses({ 200: successResponse() }) }
  }, async (request) => {
    if (!leases.has(request.params.id)) throw new UnknownInstanceError(request.params.id)
    await registry.deregister(request.params.id)
    return { success: true }
  })

  app.put<{ Params: { id: string } }>('/v1/instances/:id/renew', {
    schema: { params: idParams, tags: ['v1'], summary: 'Renew the lease of an instance registered through this agent', security: bearer, response: responses({ 200: successResponse() }) }
  }, async (request) => {
    const { id } = request.params
    const kind = leases.kindOf(id)
    if (kind !== undefined && kind !== 'ttl') throw new InvalidArgumentError('params.id', `Instance \`${id}\` is kept alive by its ${kind} check, which this agent runs: there is no lease to renew`)
    if (leases.renew({ id }).length === 0) throw new UnknownInstanceError(id)
    return { success: true }
  })

  maintenanceRoute(app, registry)

  if (onLeave !== undefined) {
    app.put('/v1/agent/leave', {
      schema: { tags: ['v1'], summary: 'Make this agent leave the cluster gracefully and exit', security: bearer, response: responses({ 202: successResponse() }) }
    }, async (_request, reply) => {
      // Answer first: the agent closes this server as it leaves.
      setImmediate(onLeave)
      return reply.status(202).send({ success: true })
    })
  }

  app.get('/v1/members', {
    schema: {
      tags: ['v1'], summary: 'Members known to this agent',
      response: responses({
        200: {
          type: 'object', required: ['members', 'now'],
          properties: { members: { type: 'array', items: ref(memberResponse) }, now: { type: 'integer', description: "This agent's clock, ms since the epoch: `now - lastSeen` is how long ago a member was heard, whatever the caller's clock says" } }
        }
      })
    }
  }, async () => ({ members: registry.members(), now: Date.now() }))

  memberRoutes(app, registry)

  app.get('/v1/self', {
    schema: {
      tags: ['v1'], summary: "This agent's peer id and addresses",
      response: responses({ 200: { type: 'object', required: ['peerId', 'multiaddrs'], properties: { peerId: { type: 'string' }, multiaddrs: { type: 'array', items: { type: 'string' } } } } })
    }
  }, async () => ({ peerId: registry.peerId, multiaddrs: registry.multiaddrs }))

  app.get('/healthz', {
    schema: { tags: ['ops'], summary: 'Liveness of this agent', response: responses({ 200: { type: 'object', required: ['ok', 'peerId'], properties: { ok: { type: 'boolean' }, peerId: { type: 'string' } } } }) }
  }, async () => ({ ok: true, peerId: registry.peerId }))
}
