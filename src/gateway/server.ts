/**
 * The agent's HTTP gateway (Fastify): classic routes, the /v1 API, Server-Sent Events, Prometheus metrics,
 * an OpenAPI document and the dashboard, in front of one registry node. Every input is validated by JSON
 * schema; writes need the token when one is set.
 */
import { timingSafeEqual } from 'node:crypto'
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import swagger from '@fastify/swagger'
import Fastify, { type FastifyInstance } from 'fastify'
import type { Registry } from '../registry.js'
import { consulRoutes } from './consul.js'
import { consulTokenHeader } from './consul-token.js'
import { dashboardRoute } from './dashboard.js'
import { GATEWAY_DEFAULTS } from './defaults.js'
import { handleError, methodNotAllowedOrNotFound } from './errors.js'
import { Leases } from './leases.js'
import { createMetrics } from './metrics.js'
import { SHARED_SCHEMAS, responses } from './responses.js'
import { classicRoutes } from './routes/classic.js'
import { v1Routes } from './routes/v1.js'
import { watchRoute } from './routes/watch.js'

/** Options of the gateway. */
export interface GatewayOptions {
  /**
   * Bearer token required on every write (POST, PUT, DELETE, and the classic heartbeat).
   * @default undefined (no token: bind to loopback only)
   */
  token?: string
  /**
   * Lease of an HTTP registration that gives no `ttl`, in ms.
   * @default 30_000
   */
  leaseTtl?: number
  /**
   * How long an expired lease (critical) waits before its instance is deregistered, in ms.
   * @default 30_000
   */
  leaseGrace?: number
  /**
   * Largest request body in bytes; larger bodies get 413.
   * @default 16_384
   * A registration is well under 4 KiB (the record limit); anything bigger is a mistake or an attack.
   */
  bodyLimit?: number
  /**
   * The registry's namespace, which Consul clients see as the datacenter.
   * @default 'default' (the registry's default namespace)
   */
  namespace?: string
  /**
   * A server that is already listening, to serve on instead of one Fastify makes (then do not call `listen()`).
   * @default undefined
   * The agent binds its HTTP port before its node starts, so a port in use fails before anything joins.
   */
  server?: Server
  /**
   * Called by `PUT /v1/agent/leave` after it answers; the route exists only when this is given.
   * @default undefined (no leave route: an embedding program decides when its node leaves)
   */
  onLeave?: () => void
}

export { GATEWAY_DEFAULTS }

/** Builds (but does not start) the gateway of a registry. */
export async function createGateway (registry: Registry, options: GatewayOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    bodyLimit: options.bodyLimit ?? GATEWAY_DEFAULTS.bodyLimit,
    // Refuse unknown fields (400 naming them) instead of silently dropping them, and never coerce types: a
    // port of "80" or a metadata value of 1 is a client bug to report, not to guess at.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
    logger: false,
    ...(options.server !== undefined && { serverFactory: serveOn(options.server) })
  })
  app.setErrorHandler(handleError)
  // Response schemas document the API (OpenAPI) and are checked against real answers by a test; compiling a
  // serializer for each of them would cost start-up time and memory for answers of a few hundred bytes.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data))
  app.setNotFoundHandler(methodNotAllowedOrNotFound(app))
  // Bodies are JSON only: a text/plain body gets 415 naming application/json, not a 400 about its type.
  app.removeContentTypeParser('text/plain')
  for (const schema of SHARED_SCHEMAS) app.addSchema(schema)
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'gossip-registry agent', version: '1.0.0', description: 'HTTP gateway to a gossip-registry node. Every error answer is `{ success: false, error, code }`.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'Needed on writes when the agent runs with --token' } } }
    },
    // Shared schemas keep their $id as their name (ErrorBody, Instance, Member), so generated clients name them too.
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => typeof json.$id === 'string' ? json.$id : `def-${i}` }
  })
  app.addHook('onRequest', consulTokenHeader)
  const token = options.token
  if (token !== undefined) {
    const expected = Buffer.from(`Bearer ${token}`)
    app.addHook('onRequest', async (request, reply) => {
      // An unknown route or method gets its 404 or 405 first: a token cannot make it exist.
      if (request.routeOptions.url === undefined) return
      const isWrite = request.method !== 'GET' && request.method !== 'HEAD'
      const isHeartbeat = request.url.split('?')[0]!.endsWith('/heartbeat')
      if (!isWrite && !isHeartbeat) return
      const given = Buffer.from(request.headers.authorization ?? '')
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        return reply.status(401).send({ success: false, error: 'this agent needs `Authorization: Bearer <token>` for writes', code: 'ERR_UNAUTHORIZED' })
      }
    })
  }
  const leases = new Leases(registry, { ttl: options.leaseTtl ?? GATEWAY_DEFAULTS.leaseTtl, grace: options.leaseGrace ?? GATEWAY_DEFAULTS.leaseGrace })
  const metrics = createMetrics(registry)
  app.get('/metrics', {
    schema: { tags: ['ops'], summary: 'Prometheus metrics', response: responses({ 200: { description: 'Prometheus text format', content: { 'text/plain': { schema: { type: 'string' } } } } }) }
  }, async (_request, reply) => reply.type(metrics.contentType).send(await metrics.metrics()))
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())
  v1Routes(app, registry, leases, options.onLeave)
  watchRoute(app, registry)
  dashboardRoute(app)
  classicRoutes(app, registry, leases)
  consulRoutes(app, registry, { datacenter: options.namespace })
  await app.ready()
  return app
}

/** A Fastify server factory that hands requests to an already listening server. */
function serveOn (server: Server) {
  return (handler: (request: IncomingMessage, response: ServerResponse) => void): Server => {
    server.on('request', handler)
    return server
  }
}
