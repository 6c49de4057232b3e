/**
 * Defaults of the gateway's options; each is explained on `GatewayOptions` (server.ts). A file of its own so the
 * CLI can show them without loading Fastify.
 */

/** The default of every gateway option. */
export const GATEWAY_DEFAULTS = Object.freeze({ leaseTtl: 30_000, leaseGrace: 30_000, bodyLimit: 16_384 })
