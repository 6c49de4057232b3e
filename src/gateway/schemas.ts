/**
 * JSON schemas of every body, parameter and query the gateway accepts. Fastify validates them before a
 * handler runs (unknown fields are refused, not stripped), so handlers only see well-formed input.
 */
import {
  INSTANCE_ID_PATTERN, INSTANCE_STATUSES, MAX_ADDRESS_LENGTH, MAX_INSTANCE_ID_LENGTH, MAX_MAINTENANCE_REASON_LENGTH, MAX_METADATA_KEYS,
  MAX_METADATA_VALUE_LENGTH, MAX_PORT, MAX_SERVICE_LENGTH, MAX_TAG_LENGTH, MAX_TAGS, MAX_VERSION_LENGTH, MAX_WEIGHT, MIN_PORT, MIN_WEIGHT
} from '../record/limits.js'
import { MAX_PEER_ID_LENGTH, NODE_NAME_PATTERN } from '../record/limits.js'
import { EVENT_ID_PATTERN } from './event-log.js'

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
export const LEASE_TTL_MS = { minimum: 1_000, maximum: 86_400_000 } as const
const ttl = { type: 'integer', ...LEASE_TTL_MS } as const

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

/**
 * A check's duration: ms, or a Go duration such as `10s` or `1m30s` (as Consul and the CLI spell them). No `type`
 * here: the duration parser and the registry's check validator (health/check.ts) check it and say what they
 * expected, naming `body.check.<field>`, where a schema union would only say "must be integer".
 */
const checkDuration = { description: 'ms (an integer) or a Go duration such as "10s"', examples: [10_000, '10s', '1m30s'] } as const

/**
 * The health check of an HTTP registration: one of `http`, `tcp` or `ttl`, with the fields of the registry's
 * `CheckDefinition` (function checks exist only in the embedding API). Kinds and their fields are checked by the
 * registry's validator, so the rules live in one place.
 */
export const checkBody = {
  type: 'object', additionalProperties: false, minProperties: 1,
  properties: {
    http: { type: 'string', minLength: 1, maxLength: 2_048, description: 'URL to GET: 2xx (or expectedStatus) passes, 429 warns, anything else is critical' },
    expectedStatus: { type: 'integer', minimum: 100, maximum: 599, description: 'The one HTTP status that passes an http check, instead of any 2xx' },
    tcp: { type: 'string', minLength: 1, maxLength: MAX_ADDRESS_LENGTH + 8, description: '`host:port` to connect to' },
    ttl: { ...checkDuration, description: 'Renew (PUT /v1/instances/{id}/renew) within this, or the instance turns critical; 1 s to 1 day, as `ttl`; ms or "30s"' },
    interval: { ...checkDuration, description: 'Between two runs of an http or tcp check (default 10 s); ms or "10s"' },
    timeout: { ...checkDuration, description: 'A run not answered within this fails (default 2 s, below interval); ms or "2s"' },
    deregisterCriticalAfter: { ...checkDuration, description: "Critical this long, the instance is deregistered (default: the agent's lease grace); ms or \"5m\"" }
  }
} as const

export const registerBody = {
  type: 'object', required: ['service', 'version', 'address', 'port'], additionalProperties: false,
  properties: {
    service, version, address, port, tags, metadata, id, ttl,
    weight: { type: 'integer', minimum: MIN_WEIGHT, maximum: MAX_WEIGHT },
    status: { type: 'string', enum: INSTANCE_STATUSES },
    check: checkBody
  }
} as const

/** `PUT /v1/instances/:id/maintenance`. */
export const maintenanceBody = {
  type: 'object', required: ['enable'], additionalProperties: false,
  properties: {
    enable: { type: 'boolean', description: 'true takes the instance out of lookups at every node; false brings it back' },
    reason: { type: 'string', maxLength: MAX_MAINTENANCE_REASON_LENGTH, description: 'Why, shown with the instance' }
  }
} as const

export const idParams = { type: 'object', required: ['id'], additionalProperties: false, properties: { id } } as const

/**
 * A member by peer id or name. The name rule (NODE_NAME_PATTERN) also admits every base58 peer id, so one pattern
 * serves both; the length is a peer id's, the longer of the two.
 */
export const memberParams = {
  type: 'object', required: ['id'], additionalProperties: false,
  properties: { id: { type: 'string', minLength: 1, maxLength: MAX_PEER_ID_LENGTH, pattern: NODE_NAME_PATTERN.source } }
} as const

export const serviceParams = { type: 'object', required: ['service'], additionalProperties: false, properties: { service } } as const

export const instancesQuery = {
  type: 'object', additionalProperties: false,
  properties: {
    version,
    tag: { anyOf: [tag, tags] },
    healthy: { type: 'string', enum: ['true', 'false'] }
  }
} as const

/** An event id to resume after; the route answers a `reset` event for an id of this shape it cannot resume from. */
const eventId = { type: 'string', pattern: EVENT_ID_PATTERN.source } as const

/** `since`: resume after this event id (`Last-Event-ID` does the same and wins); `snapshot`: start with the instances. */
export const watchQuery = {
  type: 'object', additionalProperties: false,
  properties: { service, since: eventId, snapshot: { type: 'string', enum: ['1', 'true', '0', 'false'] } }
} as const

/** The header an `EventSource` sends when it reconnects. */
export const watchHeaders = { type: 'object', properties: { 'last-event-id': eventId } } as const
