/**
 * Prometheus metrics of one registry node (prom-client, a registry of its own so several nodes in one process
 * do not collide). Gauges and counters are read from the node at scrape time; convergence lag is observed as
 * remote records arrive. No Fastify here: `metricsHandler` serves them from node:http or Express.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry as PromRegistry } from 'prom-client'
import { shownStatus } from '../health/maintenance.js'
import { MAX_HEALTH_PENALTY } from '../membership/local-health.js'
import type { Registry } from '../registry.js'
import type { Channel } from '../stats.js'

/** Options of a node's metrics. */
export interface MetricsOptions {
  /**
   * Adds prom-client's process metrics (CPU, memory, event loop lag, GC), prefixed `process_` and `nodejs_`.
   * @default false
   * They describe the whole process, which belongs to the host application: it may export them already.
   */
  processMetrics?: boolean
}

/** The metrics of one node. */
export interface NodeMetrics {
  /** The Prometheus registry holding them, to merge into another with `PromRegistry.merge`. */
  readonly prom: PromRegistry
  /** The content type of `render()`'s text. */
  readonly contentType: string
  /** The exposition text. */
  render: () => Promise<string>
  /** Stops observing the node (its event listeners go). */
  close: () => void
}

/** Builds the metrics of a node. */
export function createMetrics (registry: Registry, options: MetricsOptions = {}): NodeMetrics {
  const prom = new PromRegistry()
  const snapshot = (): ReturnType<Registry['stats']['snapshot']> => registry.stats.snapshot()
  new Gauge({
    name: 'gossip_registry_members', help: 'Members known to this node, by state.', labelNames: ['state'], registers: [prom],
    collect () {
      this.reset()
      for (const state of ['alive', 'suspect', 'dead', 'left'] as const) this.set({ state }, registry.members().filter((m) => m.state === state).length)
    }
  })
  new Gauge({
    name: 'gossip_registry_connected_peers', help: 'Peers this node holds an open connection to.', registers: [prom],
    collect () {
      this.set(registry.connectedPeers)
    }
  })
  new Gauge({
    name: 'gossip_registry_health_score',
    help: `Local health penalty, 0 to ${MAX_HEALTH_PENALTY}: alerts of this node proved wrong lately; it waits 1 + this times as long before alerting.`,
    registers: [prom],
    collect () {
      this.set(registry.healthScore)
    }
  })
  new Gauge({
    name: 'gossip_registry_instances', help: 'Instances visible at this node, by status.', labelNames: ['status'], registers: [prom],
    collect () {
      this.reset()
      const all = registry.services().flatMap((service) => registry.lookup(service, { includeUnhealthy: true }))
      // An instance in maintenance is counted as such, not as critical: it is held out, not failing.
      for (const status of ['passing', 'warning', 'critical', 'maintenance'] as const) this.set({ status }, all.filter((i) => shownStatus(i) === status).length)
    }
  })
  for (const direction of ['in', 'out'] as const) {
    new Counter({
      name: `gossip_registry_messages_${direction}_total`, help: `Messages ${direction === 'in' ? 'received' : 'sent'}, by channel.`, labelNames: ['channel'], registers: [prom],
      collect () {
        const counts = direction === 'in' ? snapshot().messagesIn : snapshot().messagesOut
        this.reset()
        for (const channel of Object.keys(counts) as Channel[]) this.inc({ channel }, counts[channel])
      }
    })
    new Counter({
      name: `gossip_registry_bytes_${direction}_total`, help: `Payload bytes ${direction === 'in' ? 'received' : 'sent'}, by channel.`, labelNames: ['channel'], registers: [prom],
      collect () {
        const counts = direction === 'in' ? snapshot().bytesIn : snapshot().bytesOut
        this.reset()
        for (const channel of Object.keys(counts) as Channel[]) this.inc({ channel }, counts[channel])
      }
    })
  }
  new Counter({
    name: 'gossip_registry_rejected_total', help: 'Messages from the network refused, by reason.', labelNames: ['reason'], registers: [prom],
    collect () {
      this.reset()
      for (const [reason, count] of Object.entries(snapshot().rejected)) this.inc({ reason }, count)
    }
  })
  for (const [name, help] of [
    ['strikes', 'Refused messages that counted against their sender.'],
    ['bans', 'Peers banned for too many strikes.'],
    ['evictions', 'Owners not yet established whose records were dropped to stay within maxRecords.']
  ] as const) {
    new Counter({
      name: `gossip_registry_${name}_total`, help, registers: [prom],
      collect () {
        this.reset()
        this.inc(snapshot()[name])
      }
    })
  }
  new Counter({
    name: 'gossip_registry_sync_rounds_total', help: 'Anti-entropy exchanges this node started, by kind.', labelNames: ['kind'], registers: [prom],
    collect () {
      this.reset()
      for (const [kind, count] of Object.entries(snapshot().syncRounds)) this.inc({ kind }, count)
    }
  })
  const lag = new Histogram({
    name: 'gossip_registry_convergence_lag_seconds',
    help: 'Time from a remote instance record being stamped by its owner to it being visible here.',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [prom]
  })
  const observe = (event: CustomEvent<{ instance: { owner: string, stamp: { wall: number } } }>): void => {
    if (event.detail.instance.owner !== registry.peerId) lag.observe(Math.max(0, Date.now() - event.detail.instance.stamp.wall) / 1000)
  }
  registry.addEventListener('instance:up', observe)
  registry.addEventListener('instance:changed', observe)
  if (options.processMetrics === true) collectDefaultMetrics({ register: prom })
  return {
    prom,
    contentType: prom.contentType,
    render: async () => prom.metrics(),
    close: () => {
      registry.removeEventListener('instance:up', observe)
      registry.removeEventListener('instance:changed', observe)
    }
  }
}

/**
 * A request handler answering with the node's metrics, for a node:http server or an Express app:
 * `app.get('/metrics', metricsHandler(registry))`. It answers whatever the path; route it where you want it.
 */
export function metricsHandler (registry: Registry, options: MetricsOptions = {}): (request: IncomingMessage, response: ServerResponse) => Promise<void> {
  const metrics = createMetrics(registry, options)
  return async (_request, response) => {
    try {
      const text = await metrics.render()
      response.writeHead(200, { 'content-type': metrics.contentType }).end(text)
    } catch (err) {
      response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`metrics failed: ${(err as Error).message}\n`)
    }
  }
}
