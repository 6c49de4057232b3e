/**
 * JSON schemas of every body, parameter and query the gateway accepts. Fastify validates them before a
 * handler runs (unknown fields are refused, not stripped), so handlers only see well-formed input.
 */
import {
  INSTANCE_ID_PATTERN, INSTANCE_STATUSES, MAX_ADDRESS_LENGTH, MAX_INSTANCE_ID_LENGTH, MAX_METADATA_KEYS, MAX_METADATA_VALUE_LENGTH,
  MAX_PORT, MAX_SERVICE_LENGTH, MAX_TAG_LENGTH, MAX_TAGS, MAX_VERSION_LENGTH, MAX_WEIGHT, MIN_PORT, MIN_WEIGHT
} from '../record/limits.js'

// The limits are the record's (record/limits.ts), so the gateway refuses early, naming the field, what the registry
// would refuse later. The service pattern is SERVICE_PATTERN spelt with both cases: a JSON schema pattern cannot
// carry its `i` flag. Addresses and versions are checked by the registry itself (host name rules, semver).
const service = { type: 'string', minLength: 1, maxLength: MAX_SERVICE_LENGTH, pattern: '^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$' } as const
const version = { type: 'string', minLength: 1, maxLength: MAX_VERSION_LENGTH } as const
const id = { type: 'string', minLength: 1, maxLength: MAX_INSTANCE_ID_LENGTH, pattern: INSTANCE_ID_PATTERN.source } as const
const address = { type: 'string', minLength: 1, maxLength: MAX_ADDRESS_LENGTH } as const
const port = { type: 'integer', minimum: MIN_PORT, maximum: MAX_PORT } as const
/** A port in a query string, which arrives as text (types are never coerced): its range is checked by the route. */
const portText = { type: 'string', pattern: `^[0-9]{1,${String(MAX_PORT).length}}$` } as const
const metadata = { type: 'object', maxProperties: MAX_METADATA_KEYS, additionalProperties: { type: 'string', maxLength: MAX_METADATA_VALUE_LENGTH } } as const
const tag = { type: 'string', minLength: 1, maxLength: MAX_TAG_LENGTH } as const
const tags = { type: 'array', maxItems: MAX_TAGS, items: tag } as const
/** Leases from 1 s to 1 day: shorter would flood the cluster with renewals, longer would hide dead clients. */
const ttl = { type: 'integer', minimum: 1_000, maximum: 86_400_000 } as const

export const serviceVersionParams = {
  type: 'object', required: ['service', 'version'], additionalProperties: false,
  properties: { service, version }
} as const

/**
 * The seed client's body, `{ name, version, address, port, healthy }`, plus `metadata` and `ttl`. `name` and
 * `version` repeat the path (the route answers 400 when they differ); `healthy: false` registers it critical.
 */
export const classicRegisterBody = {
  type: 'object', required: ['address', 'port'], additionalProperties: false,
  properties: { name: service, version, address, port, healthy: { type: 'boolean' }, metadata, ttl }
} as const

/**
 * Which leases a classic heartbeat renews: `id`, or `address` with `port`, or else the caller's address; and the
 * state it reports (`passing` unless given).
 */
export const heartbeatQuery = {
  type: 'object', additionalProperties: false,
  properties: { id, address, port: portText, status: { type: 'string', enum: INSTANCE_STATUSES } },
  dependencies: { address: ['port'], port: ['address'] }
} as const

export const registerBody = {
  type: 'object', required: ['service', 'version', 'address', 'port'], additionalProperties: false,
  properties: {
    service, version, address, port, tags, metadata, id, ttl,
    weight: { type: 'integer', minimum: MIN_WEIGHT, maximum: MAX_WEIGHT },
    status: { type: 'string', enum: INSTANCE_STATUSES }
  }
} as const

export const idParams = { type: 'object', required: ['id'], additionalProperties: false, properties: { id } } as const

export const serviceParams = { type: 'object', required: ['service'], additionalProperties: false, properties: { service } } as const

export const instancesQuery = {
  type: 'object', additionalProperties: false,
  properties: {
    version,
    tag: { anyOf: [tag, tags] },
    healthy: { type: 'string', enum: ['true', 'false'] }
  }
} as const

export const watchQuery = { type: 'object', additionalProperties: false, properties: { service } } as const
