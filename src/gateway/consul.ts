/**
 * The Consul-compatible face of the gateway: catalog, health, agent and status reads as blocking queries, the agent
 * writes of self-registering services, and Prometheus HTTP SD beside them. See docs/consul-compatibility.md.
 */
import type { FastifyInstance } from 'fastify'
import { DEFAULTS } from '../config.js'
import type { Registry } from '../registry.js'
import { ChangeIndex } from './consul/change-index.js'
import { consulAgentRoutes } from './routes/consul-agent.js'
import { consulReadRoutes } from './routes/consul-read.js'
import { prometheusSdRoute } from './routes/prometheus-sd.js'

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
  consulReadRoutes(app, { registry, index, datacenter: options.datacenter ?? DEFAULTS.namespace })
  consulAgentRoutes(app, registry)
  prometheusSdRoute(app, registry)
}
