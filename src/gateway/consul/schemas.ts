/**
 * JSON schemas of the Consul agent writes. Field names and shapes are Consul's (case-sensitive, as its Go and
 * npm clients send them); limits are the record's, so the gateway refuses early what the registry would refuse.
 * Unknown fields (other Consul features) are refused with a 400 naming them.
 */
import {
  INSTANCE_ID_PATTERN, INSTANCE_STATUSES, MAX_ADDRESS_LENGTH, MAX_INSTANCE_ID_LENGTH, MAX_METADATA_KEYS, MAX_METADATA_VALUE_LENGTH,
  MAX_PORT, MAX_SERVICE_LENGTH, MAX_TAG_LENGTH, MAX_TAGS, MIN_PORT
} from '../../record/limits.js'

const id = { type: 'string', minLength: 1, maxLength: MAX_INSTANCE_ID_LENGTH, pattern: INSTANCE_ID_PATTERN.source } as const
/** Consul check ids: `service:<id>` or `service:<id>:<n>`, or what the client named. */
const checkId = { type: 'string', minLength: 1, maxLength: MAX_INSTANCE_ID_LENGTH + 16, pattern: INSTANCE_ID_PATTERN.source } as const
const duration = { type: 'string', minLength: 1, maxLength: 32 } as const
const status = { type: 'string', enum: INSTANCE_STATUSES } as const
const note = { type: 'string', maxLength: 1_024 } as const

const check = {
  type: 'object', additionalProperties: false,
  properties: {
    CheckID: checkId,
    Name: { type: 'string', maxLength: 256 },
    Notes: note,
    Status: status,
    HTTP: { type: 'string', minLength: 1, maxLength: 2_048 },
    // This agent's HTTP checks GET; another method is refused rather than silently changed.
    Method: { type: 'string', enum: ['GET'] },
    TCP: { type: 'string', minLength: 1, maxLength: MAX_ADDRESS_LENGTH + 6 },
    TTL: duration,
    Interval: duration,
    Timeout: duration,
    DeregisterCriticalServiceAfter: duration
  }
} as const

/** `PUT /v1/agent/service/register`. Service names follow the registry's rule (DNS-label-like). */
export const consulRegisterBody = {
  type: 'object', required: ['Name', 'Port'], additionalProperties: false,
  properties: {
    Name: { type: 'string', minLength: 1, maxLength: MAX_SERVICE_LENGTH, pattern: '^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$' },
    ID: id,
    Address: { type: 'string', maxLength: MAX_ADDRESS_LENGTH },
    Port: { type: 'integer', minimum: MIN_PORT, maximum: MAX_PORT },
    Tags: { type: 'array', maxItems: MAX_TAGS, items: { type: 'string', minLength: 1, maxLength: MAX_TAG_LENGTH } },
    Meta: { type: 'object', maxProperties: MAX_METADATA_KEYS, additionalProperties: { type: 'string', maxLength: MAX_METADATA_VALUE_LENGTH } },
    Check: check,
    Checks: { type: 'array', maxItems: 8, items: check },
    // Accepted for clients that always send it; tags here are only ever the service's own.
    EnableTagOverride: { type: 'boolean' }
  }
} as const

export const serviceIdParams = { type: 'object', required: ['id'], additionalProperties: false, properties: { id } } as const

export const checkIdParams = { type: 'object', required: ['checkId'], additionalProperties: false, properties: { checkId } } as const

/** `?note=` of pass/warn/fail: accepted, not kept (records carry no check output). */
export const checkNoteQuery = { type: 'object', additionalProperties: false, properties: { note } } as const

/** `PUT /v1/agent/check/update/:checkId`. `Output` is accepted, not kept. */
export const checkUpdateBody = {
  type: 'object', required: ['Status'], additionalProperties: false,
  properties: { Status: status, Output: { type: 'string', maxLength: 4_096 } }
} as const

/** `?replace-existing-checks` of a registration: accepted; a registration here always replaces its checks. */
export const registerQuery = { type: 'object', additionalProperties: false, properties: { 'replace-existing-checks': { type: 'string', maxLength: 5 } } } as const
