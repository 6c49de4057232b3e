/**
 * The gateway as a Fastify plugin: the one route table (classic routes, /v1, Server-Sent Events, Consul, metrics,
 * OpenAPI, dashboard) of a registry node. The agent registers it at the root of its own Fastify app; an embedding
 * application registers it under a prefix of its app. It is encapsulated on purpose (no fastify-plugin): its
 * validation, error answers, token check and 404/405 handling apply to its own routes and never to the host's.
 */
import { timingSafeEqual } from 'node:crypto'
import swagger from '@fastify/swagger'
import AjvCompiler from '@fastify/ajv-compiler'
import type { AnyValidateFunction } from 'ajv/dist/core.js'
import type { FastifyInstance, FastifyPluginAsync } from 'fastify'
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

/** Options of the gateway plugin. */
export interface GatewayPluginOptions {
  /** The registry node whose API the routes serve. */
  registry: Registry
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
   * Largest request body in bytes on these routes; larger bodies get 413. A route of the host app keeps its own.
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
   * Called by `PUT /v1/agent/leave` after it answers; the route exists only when this is given.
   * @default undefined (no leave route: an embedding program decides when its node leaves)
   */
  onLeave?: () => void
  /**
   * Adds prom-client's process metrics (CPU, memory, event loop lag, GC) to `/metrics`.
   * @default false
   * They describe the whole process, which belongs to the host application: it may export them already.
   * The agent, which owns its process, turns them on.
   */
  processMetrics?: boolean
}

/**
 * Validation as the gateway documents it, whatever the host app's Ajv settings: unknown fields are refused (400
 * naming them) rather than dropped, and types are never coerced (a port of "80" is a client bug to report).
 */
const STRICT_AJV = { removeAdditional: false, coerceTypes: false, allErrors: false } as const

/**
 * A route's validator compiled when the route first validates, not when it is registered, by a compiler (an Ajv
 * instance with the shared schemas) made at the first of them: Ajv took 90 ms of the agent's start-up to compile
 * some 60 validators, and 35 ms more to set itself up, before the agent could serve (docs/performance.md, "Agent
 * start-up"). The first request of each route pays its own few milliseconds instead. Fastify reads a failed
 * validation's `errors` off the function it was given, so they are copied onto it.
 */
function onFirstUse (makeCompiler: () => AjvCompile): AjvCompile {
  let compiler: AjvCompile | undefined
  return (route) => {
    let validate: AnyValidateFunction | undefined
    const validateLazily = (data: unknown): unknown => {
      validate ??= (compiler ??= makeCompiler())(route)
      const result = validate(data)
      validateLazily.errors = validate.errors
      return result
    }
    validateLazily.errors = undefined as AnyValidateFunction['errors']
    // Fastify only calls it and reads `errors`; Ajv's other fields (schema, source) are not used.
    return validateLazily as unknown as AnyValidateFunction
  }
}

type AjvCompile = ReturnType<ReturnType<typeof AjvCompiler>>

/** Registers the gateway's routes on `app`: `app.register(gatewayPlugin, { registry, prefix: '/registry' })`. */
export const gatewayPlugin: FastifyPluginAsync<GatewayPluginOptions> = async (app, options) => {
  const { registry } = options
  const bodyLimit = options.bodyLimit ?? GATEWAY_DEFAULTS.bodyLimit
  app.addHook('onRoute', (route) => { route.bodyLimit ??= bodyLimit })
  app.setValidatorCompiler(onFirstUse(() => AjvCompiler()(Object.fromEntries(SHARED_SCHEMAS.map((schema) => [schema.$id, schema])), { customOptions: STRICT_AJV })))
  app.setErrorHandler(handleError)
  // Response schemas document the API (OpenAPI) and are checked against real answers by a test; compiling a
  // serializer for each of them would cost start-up time and memory for answers of a few hundred bytes.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data))
  app.setNotFoundHandler(methodNotAllowedOrNotFound(app))
  // Bodies are JSON only: a text/plain body gets 415 naming application/json, not a 400 about its type.
  app.removeContentTypeParser('text/plain')
  for (const schema of SHARED_SCHEMAS) app.addSchema(schema)
  // A host that documents its own API already has a swagger decorator; these routes then join its document.
  if (!app.hasDecorator('swagger')) await registerOpenApi(app)
  app.addHook('onRequest', consulTokenHeader)
  if (options.token !== undefined) requireToken(app, options.token)
  const leases = new Leases(registry, { ttl: options.leaseTtl ?? GATEWAY_DEFAULTS.leaseTtl, grace: options.leaseGrace ?? GATEWAY_DEFAULTS.leaseGrace })
  const metrics = createMetrics(registry, { processMetrics: options.processMetrics ?? false })
  app.addHook('onClose', async () => { metrics.close() })
  app.get('/metrics', {
    schema: { tags: ['ops'], summary: 'Prometheus metrics', response: responses({ 200: { description: 'Prometheus text format', content: { 'text/plain': { schema: { type: 'string' } } } } }) }
  }, async (_request, reply) => reply.type(metrics.contentType).send(await metrics.render()))
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())
  v1Routes(app, registry, leases, options.onLeave)
  watchRoute(app, registry)
  dashboardRoute(app)
  classicRoutes(app, registry, leases)
  consulRoutes(app, registry, { datacenter: options.namespace })
}

async function registerOpenApi (app: FastifyInstance): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'gossip-registry agent', version: '1.0.0', description: 'HTTP gateway to a gossip-registry node. Every error answer is `{ success: false, error, code }`.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'Needed on writes when the agent runs with --token' } } }
    },
    // Shared schemas keep their $id as their name (ErrorBody, Instance, Member), so generated clients name them too.
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => typeof json.$id === 'string' ? json.$id : `def-${i}` }
  })
}

/** Writes (and the classic heartbeat) need `Authorization: Bearer <token>`. */
function requireToken (app: FastifyInstance, token: string): void {
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
