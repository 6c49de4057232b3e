/**
 * The classic routes of the simple registries that came before, for clients that speak only them:
 * `POST /:service/:version/register`, `GET /:service/:version/getaddresses`, `GET|PUT /:service/:version/heartbeat`.
 * The seed's client is the contract: its register body and its bare GET heartbeat work unchanged.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { InvalidArgumentError, describeValue } from '../../errors.js'
import { MAX_PORT, MIN_PORT } from '../../record/limits.js'
import type { InstanceStatus } from '../../record/types.js'
import type { Registry } from '../../registry.js'
import { classicId, type LeaseFilter, type Leases } from '../leases.js'
import { bearer, responses, successResponse } from '../responses.js'
import { classicRegisterBody, heartbeatQuery, serviceVersionParams } from '../schemas.js'

interface Params { service: string, version: string }

interface RegisterBody {
  name?: string
  version?: string
  address: string
  port: number
  healthy?: boolean
  metadata?: Record<string, string>
  ttl?: number
}

interface HeartbeatQuery { id?: string, address?: string, port?: string, status?: InstanceStatus }

/** Registers the classic routes. */
export function classicRoutes (app: FastifyInstance, registry: Registry, leases: Leases): void {
  app.post<{ Params: Params, Body: RegisterBody }>('/:service/:version/register', {
    schema: {
      params: serviceVersionParams, body: classicRegisterBody, tags: ['classic'], summary: 'Register (or renew) an instance', security: bearer,
      response: responses({ 200: successResponse({ id: { type: 'string' } }) })
    }
  }, async (request) => {
    const { service, version } = request.params
    const { name, version: bodyVersion, address, port, healthy, metadata, ttl } = request.body
    // The seed's client repeats the path in the body: a difference is a client bug, not a second registration.
    assertSameAsPath('body.name', name, 'service', service)
    assertSameAsPath('body.version', bodyVersion, 'version', version)
    // The same service, version, address and port is the same instance: registering it again renews it.
    const id = classicId(service, version, address, port)
    await leases.register({ service, version, address, port, metadata, ttl, id, status: healthy === false ? 'critical' : 'passing' })
    return { success: true, id }
  })

  app.get<{ Params: Params }>('/:service/:version/getaddresses', {
    schema: {
      params: serviceVersionParams, tags: ['classic'], summary: 'Addresses of healthy instances across the cluster',
      response: responses({ 200: { type: 'object', required: ['addresses'], properties: { addresses: { type: 'array', items: { type: 'string' } } } } })
    }
  }, async (request, reply) => {
    const { service, version } = request.params
    const addresses = registry.lookup(service, { version }).map((i) => i.address.includes(':') ? `[${i.address}]:${i.port}` : `${i.address}:${i.port}`)
    if (addresses.length === 0) return reply.status(404).send({ success: false, error: `no healthy instance of ${service}@${version}`, code: 'ERR_NO_HEALTHY_INSTANCE' })
    return { addresses }
  })

  const heartbeat = async (request: FastifyRequest<{ Params: Params, Querystring: HeartbeatQuery }>, reply: FastifyReply): Promise<unknown> => {
    const { service, version } = request.params
    const { filter, described } = callerFilter(request.query, request.ip)
    const renewed = leases.renew({ service, version, ...filter }, request.query.status)
    if (renewed.length === 0) {
      return reply.status(404).send({ success: false, error: `no instance of ${service}@${version} with ${described} is registered through this agent`, code: 'ERR_UNKNOWN_INSTANCE' })
    }
    return { success: true, renewed }
  }
  const heartbeatSchema = { params: serviceVersionParams, querystring: heartbeatQuery, tags: ['classic'], summary: 'Renew the leases of the caller\'s instances registered here, reporting ?status= (passing by default)',
    security: bearer,
    response: responses({ 200: successResponse({ renewed: { type: 'array', items: { type: 'string' } } }) })
  }
  app.get<{ Params: Params, Querystring: HeartbeatQuery }>('/:service/:version/heartbeat', { schema: heartbeatSchema }, heartbeat)
  app.put<{ Params: Params, Querystring: HeartbeatQuery }>('/:service/:version/heartbeat', { schema: heartbeatSchema }, heartbeat)
}

/** Throws a 400 naming `field` when the body gives it and it differs from the path's `part`. */
function assertSameAsPath (field: string, given: string | undefined, part: string, expected: string): void {
  if (given !== undefined && given !== expected) {
    throw new InvalidArgumentError(field, `Expected \`${field}\` to equal the path's ${part} \`${expected}\` (or to be left out), got ${describeValue(given)}`)
  }
}

/**
 * Which leases a heartbeat renews, and how to say so in a 404: the one named by `?id=`, else those registered
 * with `?address=&port=`, else those registered with the caller's own address (any port). A heartbeat never
 * renews a sibling's lease, so a crashed client expires even while another one on the same agent beats.
 */
function callerFilter (query: HeartbeatQuery, remoteAddress: string): { filter: LeaseFilter, described: string } {
  if (query.id !== undefined) return { filter: { id: query.id }, described: `id ${query.id}` }
  if (query.address !== undefined && query.port !== undefined) {
    const port = Number(query.port)
    if (port < MIN_PORT || port > MAX_PORT) {
      throw new InvalidArgumentError('querystring.port', `Expected \`querystring.port\` to be a port from ${MIN_PORT} to ${MAX_PORT}, got ${describeValue(query.port)}`)
    }
    return { filter: { address: query.address, port }, described: `address ${query.address} and port ${port}` }
  }
  const address = unmapIpv4(remoteAddress)
  return { filter: { address }, described: `address ${address} (the caller's; name another with ?id= or ?address=&port=)` }
}

/** `::ffff:10.0.0.7` (an IPv4 client of a dual-stack socket) is `10.0.0.7`, as clients register it. */
function unmapIpv4 (address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)
  return mapped === null ? address : mapped[1]!
}
