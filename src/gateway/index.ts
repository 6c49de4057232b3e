/**
 * `gossip-registry/gateway`: the HTTP side of a node for an embedding application. A Fastify app mounts the
 * agent's routes, metrics and dashboard with `gatewayPlugin`; a node:http or Express server serves metrics with
 * `metricsHandler`. Loads Fastify and prom-client, which `gossip-registry` itself never does.
 */
export { gatewayPlugin } from './plugin.js'
export type { GatewayPluginOptions } from './plugin.js'
export { createGateway, GATEWAY_DEFAULTS } from './server.js'
export type { GatewayOptions } from './server.js'
export { createMetrics, metricsHandler } from './metrics.js'
export type { MetricsOptions, NodeMetrics } from './metrics.js'
