/**
 * The gateway as a standalone Fastify app in front of one registry node: the agent's HTTP server. The routes are
 * the gateway plugin's (plugin.ts), registered at the root, so the agent and an embedding app serve one route table.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http'
import Fastify, { type FastifyInstance } from 'fastify'
import type { Registry } from '../registry.js'
import { GATEWAY_DEFAULTS } from './defaults.js'
import { gatewayPlugin, type GatewayPluginOptions } from './plugin.js'

/** Options of the gateway: the plugin's, plus where it serves. */
export interface GatewayOptions extends Omit<GatewayPluginOptions, 'registry'> {
  /**
   * A server that is already listening, to serve on instead of one Fastify makes (then do not call `listen()`).
   * @default undefined
   * The agent binds its HTTP port before its node starts, so a port in use fails before anything joins.
   */
  server?: Server
}

export { GATEWAY_DEFAULTS }

/** Builds (but does not start) the gateway of a registry. */
export async function createGateway (registry: Registry, options: GatewayOptions = {}): Promise<FastifyInstance> {
  const { server, ...pluginOptions } = options
  const app = Fastify({
    // The plugin bounds its own routes; this bounds what an unknown path may send before its 404.
    bodyLimit: options.bodyLimit ?? GATEWAY_DEFAULTS.bodyLimit,
    logger: false,
    ...(server !== undefined && { serverFactory: serveOn(server) })
  })
  await app.register(gatewayPlugin, { ...pluginOptions, registry })
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
