/**
 * Prometheus metrics of one registry node (prom-client, a registry of its own so several nodes in one process
 * do not collide). Gauges and counters are read from the node at scrape time; convergence lag is observed as
 * remote records arrive.
 */
import { Counter, Gauge, Histogram, Registry as PromRegistry } from 'prom-client'
import type { Registry } from '../registry.js'
import type { Channel } from '../stats.js'

/** Builds the metrics of a node; `render()` gives the exposition text. */
export function createMetrics (registry: Registry): PromRegistry {
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
    name: 'gossip_registry_instances', help: 'Instances visible at this node, by status.', labelNames: ['status'], registers: [prom],
    collect () {
      this.reset()
      const all = registry.services().flatMap((service) => registry.lookup(service, { includeUnhealthy: true }))
      for (const status of ['passing', 'warning', 'critical'] as const) this.set({ status }, all.filter((i) => i.status === status).length)
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
  return prom
}
