/**
 * The query parameters every Consul read shares (`index`, `wait`, `dc`, consistency modes, and the ones this
 * agent refuses), and Consul's blocking query around a read: wait for the scope's index to move, then answer with
 * `X-Consul-Index`, `X-Consul-KnownLeader` and `X-Consul-LastContact`.
 */
import type { FastifyReply, FastifyRequest } from 'fastify'
import { InvalidArgumentError, describeValue } from '../../errors.js'
import { TooManyBlockingQueriesError, type ChangeIndex, type IndexScope } from './change-index.js'
import { parseDuration } from './duration.js'

/** Consul's default `wait`: 5 minutes. */
export const DEFAULT_WAIT_MS = 300_000
/** Consul's longest `wait`: 10 minutes; a longer one is cut to this. */
export const MAX_WAIT_MS = 600_000
/**
 * Consul adds up to wait/16 to each wait so that clients woken together do not all come back together; clients
 * allow for it (the Go API and the npm client time out at wait + wait/10 or more).
 */
const JITTER_FRACTION = 1 / 16

/** Parameters Consul defines that this agent does not implement: each answers 400 saying so, naming itself. */
export const UNSUPPORTED_PARAMETERS: Readonly<Record<string, string>> = {
  filter: 'filter expressions are not supported by this agent; filter with `?tag=` or on the client',
  near: 'sorting by network distance is not supported: this agent keeps no network coordinates',
  'node-meta': 'node metadata is not supported: nodes here are registry members, which carry none',
  ns: 'namespaces (Consul Enterprise) are not supported; the registry namespace is the datacenter',
  partition: 'admin partitions (Consul Enterprise) are not supported',
  peer: 'cluster peering is not supported',
  token: 'a token in the query string is not supported: send `X-Consul-Token` or `Authorization: Bearer`'
}

const text = { type: 'string', maxLength: 256 } as const

/** The query schema of a Consul read, with the route's own parameters in `extra`. */
export function consulQuery (extra: Record<string, unknown> = {}): Record<string, unknown> {
  const unsupported = Object.fromEntries(Object.keys(UNSUPPORTED_PARAMETERS).map((name) => [name, text]))
  return {
    type: 'object',
    additionalProperties: false,
    properties: {
      index: { type: 'string', pattern: '^[0-9]{1,15}$' },
      wait: text,
      dc: text,
      // Every read here is from this agent's memory: `stale` is what it always is; `consistent` and `cached`
      // cannot ask for more, and are accepted so that clients that always send them keep working.
      stale: text,
      consistent: text,
      cached: text,
      ...unsupported,
      ...extra
    }
  }
}

/** What every Consul read's query may carry. */
export interface ConsulQuery {
  index?: string
  wait?: string
  dc?: string
  [name: string]: string | string[] | undefined
}

/** Throws a 400 for an unsupported parameter, or for a datacenter other than this agent's. */
export function assertSupported (query: ConsulQuery, datacenter: string): void {
  for (const [name, why] of Object.entries(UNSUPPORTED_PARAMETERS)) {
    if (query[name] !== undefined) throw new InvalidArgumentError(`querystring.${name}`, `\`querystring.${name}\` is not supported: ${why}`)
  }
  if (query.dc !== undefined && query.dc !== datacenter) {
    throw new InvalidArgumentError('querystring.dc', `Expected \`querystring.dc\` to be this agent's datacenter \`${datacenter}\` (its registry namespace), got ${describeValue(query.dc)}`)
  }
}

/**
 * Runs a Consul read: checks the shared parameters, blocks while `?index=` is the scope's current index (up to
 * `?wait=` plus jitter, until the client disconnects), then sets Consul's headers and sends `read()` as JSON.
 */
export async function blockingRead (index: ChangeIndex, scope: IndexScope, datacenter: string, request: FastifyRequest<{ Querystring: ConsulQuery }>, reply: FastifyReply, read: () => unknown): Promise<FastifyReply> {
  const query = request.query
  assertSupported(query, datacenter)
  const seen = query.index === undefined ? 0 : Number(query.index)
  const waitMs = Math.min(query.wait === undefined ? DEFAULT_WAIT_MS : parseDuration('querystring.wait', query.wait) || DEFAULT_WAIT_MS, MAX_WAIT_MS)
  if (seen !== 0) {
    // A client that goes away must not hold a waiter (nor its timer) until the wait ends.
    const gone = new AbortController()
    const onClose = (): void => { gone.abort() }
    reply.raw.once('close', onClose)
    try {
      await index.wait(scope, seen, waitMs + Math.floor(Math.random() * waitMs * JITTER_FRACTION), gone.signal)
    } catch (err) {
      if (!(err instanceof TooManyBlockingQueriesError)) throw err
      return reply.status(429).send({ success: false, error: err.message, code: 'ERR_TOO_MANY_BLOCKING_QUERIES', field: 'querystring.index' })
    } finally {
      reply.raw.removeListener('close', onClose)
    }
  }
  void reply.type('application/json; charset=utf-8').headers({
    'x-consul-index': String(index.of(scope)),
    // There is no leader to lose: every agent answers from its own replica, which is always "in contact".
    'x-consul-knownleader': 'true',
    'x-consul-lastcontact': '0'
  })
  // Serialised here, so that a bare string (the leader's address) is sent as JSON, as Consul does.
  return reply.send(JSON.stringify(read()))
}
