/**
 * The classic routes of the simple registries that came before, for clients that speak only them:
 * `POST /:service/:version/register`, `GET /:service/:version/getaddresses`, `GET|PUT /:service/:version/heartbeat`.
 */
import type { FastifyInstance } from 'fastify'
import type { Registry } from '../../registry.js'
import { classicId, type Leases } from '../leases.js'
import { classicRegisterBody, heartbeatQuery, serviceVersionParams } from '../schemas.js'

interface Params { service: string, version: string }

/** Registers the classic routes. */
export function classicRoutes (app: FastifyInstance, registry: Registry, leases: Leases): void {
  app.post<{ Params: Params, Body: { address: string, port: number, metadata?: Record<string, string>, ttl?: number } }>('/:service/:version/register', {
    schema: { params: serviceVersionParams, body: classicRegisterBody, tags: ['classic'], summary: 'Register (or renew) an instance' }
  }, async (request) => {
    const { service, version } = request.params
    const { address, port, metadata, ttl } = request.body
    // The same service, version, address and port is the same instance: registering it again renews it.
    const id = classicId(service, version, address, port)
    await leases.register({ service, version, address, port, metadata, ttl, id })
    return { success: true, id }
  })

  app.get<{ Params: Params }>('/:service/:version/getaddresses', {
    schema: { params: serviceVersionParams, tags: ['classic'], summary: 'Addresses of healthy instances across the cluster' }
  }, async (request, reply) => {
    const { service, version } = request.params
    const addresses = registry.lookup(service, { version }).map((i) => i.address.includes(':') ? `[${i.address}]:${i.port}` : `${i.address}:${i.port}`)
    if (addresses.length === 0) return reply.status(404).send({ success: false, error: `no healthy instance of ${service}@${version}` })
    return { addresses }
  })

  const heartbeat = async (request: { params: Params, query: { id?: string } }, reply: { status: (code: number) => { send: (body: unknown) => unknown } }): Promise<unknown> => {
    const { service, version } = request.params
    const renewed = leases.renew({ service, version, id: request.query.id })
    if (renewed.length === 0) return reply.status(404).send({ success: false, error: `no instance of ${service}@${version}${request.query.id === undefined ? '' : ` with id ${request.query.id}`} is registered through this agent` })
    return { success: true, renewed }
  }
  const heartbeatSchema = { params: serviceVersionParams, querystring: heartbeatQuery, tags: ['classic'], summary: 'Renew the leases of instances registered here' }
  app.get<{ Params: Params, Querystring: { id?: string } }>('/:service/:version/heartbeat', { schema: heartbeatSchema }, heartbeat)
  app.put<{ Params: Params, Querystring: { id?: string } }>('/:service/:version/heartbeat', { schema: heartbeatSchema }, heartbeat)
}
