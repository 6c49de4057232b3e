/**
 * JSON schemas of every answer the gateway gives. They are the OpenAPI document's response types (so a generated
 * client is typed) and Fastify serializes with them, so each lists every field the handler returns: a field left
 * out here would be dropped from the answer. test/gateway/openapi.test.ts validates real answers against them.
 */
import { INSTANCE_STATUSES } from '../record/limits.js'

const string = { type: 'string' } as const
const strings = { type: 'array', items: string } as const
const memberState = { type: 'string', enum: ['alive', 'suspect', 'dead', 'left'] } as const

/** The one shape of every error answer (`#/components/schemas/ErrorBody` in the OpenAPI document). */
export const errorResponse = {
  $id: 'ErrorBody', type: 'object', required: ['success', 'error', 'code'], additionalProperties: false,
  properties: {
    success: { type: 'boolean', const: false },
    error: { ...string, description: 'What was wrong, naming the field and what to do' },
    code: { ...string, description: 'Stable code, e.g. ERR_VALIDATION (docs/http.md lists them)' },
    field: { ...string, description: 'The field at fault, e.g. body.port' }
  }
} as const

/** An instance as lookups return it (`#/components/schemas/Instance`). */
export const instanceResponse = {
  $id: 'Instance', type: 'object', additionalProperties: false,
  required: ['id', 'owner', 'service', 'version', 'address', 'port', 'tags', 'metadata', 'weight', 'status', 'stamp', 'memberState'],
  properties: {
    id: string,
    owner: { ...string, description: 'Peer id of the owning node' },
    service: string,
    version: string,
    address: string,
    port: { type: 'integer' },
    tags: strings,
    metadata: { type: 'object', additionalProperties: string },
    weight: { type: 'integer' },
    status: { type: 'string', enum: INSTANCE_STATUSES },
    stamp: { type: 'object', additionalProperties: false, required: ['wall', 'logical'], properties: { wall: { type: 'integer' }, logical: { type: 'integer' } } },
    memberState: { ...memberState, description: "The owner's liveness as seen by this agent" },
    maintenance: {
      type: 'object', additionalProperties: false, required: ['reason'], properties: { reason: string },
      description: 'Present while the owner holds the instance in maintenance (out of lookups; status critical)'
    }
  }
} as const

/** A member as /v1/members lists it (`#/components/schemas/Member`). */
export const memberResponse = {
  $id: 'Member', type: 'object', additionalProperties: false,
  required: ['peerId', 'name', 'state', 'stale', 'lastSeen', 'observed', 'instances', 'addrs', 'self'],
  properties: {
    peerId: string,
    name: { ...string, description: "The member's name for people (its --name, the host name by default); '' from versions before names. Not unique: the peer id is the identity" },
    state: memberState,
    stale: { type: 'boolean', description: 'Kept suspect by self-preservation' },
    lastSeen: { type: 'integer', description: 'When this agent last heard it (a heartbeat or a record), ms since the epoch; it keeps up while the member lives only where `observed` is true' },
    observed: { type: 'boolean', description: "True when this agent is one of the member's observers and hears its heartbeats; of other members it hears only records and the observers' alerts" },
    instances: { type: 'integer' },
    addrs: strings,
    self: { type: 'boolean' }
  }
} as const

/** The shared schemas: added to the app once, referenced by `ref()` so the document names them. */
export const SHARED_SCHEMAS = [errorResponse, instanceResponse, memberResponse] as const

/** A reference to a shared schema. */
export function ref (schema: (typeof SHARED_SCHEMAS)[number]): { $ref: string } {
  return { $ref: `${schema.$id}#` }
}

/** `{ success: true }` plus `extra`. */
export function successResponse<P extends Record<string, unknown>> (extra: P = {} as P) {
  return {
    type: 'object', additionalProperties: false, required: ['success', ...Object.keys(extra)],
    properties: { success: { type: 'boolean', const: true }, ...extra }
  } as const
}

/** Success schemas by status, plus the error shape for every 4xx and 5xx. */
export function responses (ok: Record<number, unknown>): Record<string, unknown> {
  return { ...ok, '4xx': ref(errorResponse), '5xx': ref(errorResponse) }
}

/** Routes that write, and so need the bearer token when the agent has one. */
export const bearer = [{ bearer: [] }]
