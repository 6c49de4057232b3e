/**
 * JSON schemas of every body, parameter and query the gateway accepts. Fastify validates them before a
 * handler runs (unknown fields are refused, not stripped), so handlers only see well-formed input.
 */

const service = { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$' } as const
const version = { type: 'string', minLength: 1, maxLength: 64 } as const
const id = { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.:-]+$' } as const
const address = { type: 'string', minLength: 1, maxLength: 253 } as const
const port = { type: 'integer', minimum: 1, maximum: 65535 } as const
const metadata = { type: 'object', maxProperties: 32, additionalProperties: { type: 'string', maxLength: 512 } } as const
const tags = { type: 'array', maxItems: 32, items: { type: 'string', minLength: 1, maxLength: 64 } } as const
/** Leases from 1 s to 1 day: shorter would flood the cluster with renewals, longer would hide dead clients. */
const ttl = { type: 'integer', minimum: 1_000, maximum: 86_400_000 } as const

export const serviceVersionParams = {
  type: 'object', required: ['service', 'version'], additionalProperties: false,
  properties: { service, version }
} as const

export const classicRegisterBody = {
  type: 'object', required: ['address', 'port'], additionalProperties: false,
  properties: { address, port, metadata, ttl }
} as const

export const heartbeatQuery = {
  type: 'object', additionalProperties: false, properties: { id }
} as const

export const registerBody = {
  type: 'object', required: ['service', 'version', 'address', 'port'], additionalProperties: false,
  properties: {
    service, version, address, port, tags, metadata, id, ttl,
    weight: { type: 'integer', minimum: 0, maximum: 10_000 },
    status: { type: 'string', enum: ['passing', 'warning', 'critical'] }
  }
} as const

export const idParams = { type: 'object', required: ['id'], additionalProperties: false, properties: { id } } as const

export const serviceParams = { type: 'object', required: ['service'], additionalProperties: false, properties: { service } } as const

export const instancesQuery = {
  type: 'object', additionalProperties: false,
  properties: {
    version: { type: 'string', minLength: 1, maxLength: 64 },
    tag: { anyOf: [{ type: 'string', minLength: 1, maxLength: 64 }, { type: 'array', maxItems: 32, items: { type: 'string', minLength: 1, maxLength: 64 } }] },
    healthy: { type: 'string', enum: ['true', 'false'] }
  }
} as const

export const watchQuery = { type: 'object', additionalProperties: false, properties: { service } } as const
