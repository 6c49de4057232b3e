/**
 * The Consul-compatible face of the gateway: catalog, health, agent and status reads as blocking queries, the agent
 * writes of self-registering services, and Prometheus HTTP SD beside them. See docs/consul-compatibility.md.
 */
import type { FastifyInstance } from 'fastify'
import { DEFAULTS } from '../config.js'
import type { Registry } from '../registry.js'
import { ChangeIndex } from './consul/change-index.js'
import { consulAgentReadRoutes } from './routes/consul-agent-read.js'
import { consulAgentRoutes } from './routes/consul-agent.js'
import { consulReadRoutes } from './routes/consul-read.js'
import { consulUnsupportedRoutes } from './routes/consul-unsupported.js'
import { prometheusSdRoute } from './routes/prometheus-sd.js'

/** A body as JSON; an empty one is no body. */
function parseJson (body: string, done: (err: Error | null, value?: unknown) => void): void {
  if (body.trim() === '') {
    done(null, undefined)
    return
  }
  try {
    done(null, JSON.parse(body))
  } catch {
    done(Object.assign(new Error('body: is not valid JSON'), { statusCode: 400, code: 'ERR_VALIDATION' }))
  }
}

/** Options of the Consul routes. */
export interface ConsulOptions {
  /** The registry's namespace: Consul clients see it as the datacenter. @default DEFAULTS.namespace */
  readonly datacenter?: string
  /**
   * Most blocking queries held at once; more answer 429 (clients back off and retry).
   * @default 512
   * Each holds a socket and a timer for up to 10 min; 512 is far above one agent's local clients and well under
   * the file descriptors of a default process.
   */
  readonly maxBlockingQueries?: number
}

export const CONSUL_DEFAULTS = Object.freeze({ maxBlockingQueries: 512 })

/** Registers the Consul and Prometheus SD routes; blocked queries are answered when the gateway closes. */
export function consulRoutes (app: FastifyInstance, registry: Registry, options: ConsulOptions = {}): void {
  const index = new ChangeIndex(registry, options.maxBlockingQueries ?? CONSUL_DEFAULTS.maxBlockingQueries)
  // preClose, not onClose: the server waits for in-flight requests before onClose, and blocked ones would hold it.
  app.addHook('preClose', async () => { index.close() })
  const datacenter = options.datacenter ?? DEFAULTS.namespace
  consulReadRoutes(app, { registry, index, datacenter })
  consulAgentReadRoutes(app, registry, index, datacenter)
  // Consul reads a body as JSON whatever its Content-Type (curl --data sends form encoding, some clients none):
  // so do the agent writes, in their own scope so that other routes keep Fastify's strict parsing.
  void app.register(async (scope) => {
    scope.removeContentTypeParser('text/plain')
    for (const type of ['*', 'text/plain', 'application/x-www-form-urlencoded']) {
      scope.addContentTypeParser(type, { parseAs: 'string' }, (_request, body, done) => { parseJson(body as string, done) })
    }
    consulAgentRoutes(scope, registry)
  })
  prometheusSdRoute(app, registry)
  consulUnsupportedRoutes(app)
}
