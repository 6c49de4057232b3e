/**
 * The `check` of an HTTP registration, turned into the registry's own `CheckDefinition`: durations as ms or Go
 * durations (`10s`), then the registry's one check validator, with errors naming `body.check.<field>`.
 */
import type { CheckDefinition, ResolvedCheck } from '../health/check.js'
import { resolveCheck } from '../health/check.js'
import { InvalidArgumentError } from '../errors.js'
import { parseDuration } from './consul/duration.js'
import { LEASE_TTL_MS } from './schemas.js'

/** A check as an HTTP body carries it (`checkBody` in schemas.ts). */
export interface CheckBody {
  http?: string
  expectedStatus?: number
  tcp?: string
  ttl?: number | string
  interval?: number | string
  timeout?: number | string
  deregisterCriticalAfter?: number | string
}

/** An HTTP check can be neither a function nor anything the registry would refuse. */
export type HttpCheckDefinition = Exclude<CheckDefinition, { fn: unknown }>

const DURATIONS = new Set(['ttl', 'interval', 'timeout', 'deregisterCriticalAfter'])

/**
 * The registry definition of `body`, and its kind. Throws `InvalidCheckError` or `InvalidArgumentError` naming
 * the field under `at`.
 */
export function checkOfBody (body: CheckBody, at = 'body.check'): { definition: HttpCheckDefinition, kind: Exclude<ResolvedCheck['kind'], 'fn'> } {
  const definition = Object.fromEntries(Object.entries(body).map(([key, value]) =>
    [key, DURATIONS.has(key) && typeof value === 'string' ? parseDuration(`${at}.${key}`, value) : value])) as HttpCheckDefinition
  const resolved = resolveCheck(definition, at)
  const { kind } = resolved
  // A TTL check over HTTP is a lease by another name: the same bounds, for the same reasons.
  if (resolved.kind === 'ttl' && (resolved.ttl < LEASE_TTL_MS.minimum || resolved.ttl > LEASE_TTL_MS.maximum)) {
    throw new InvalidArgumentError(`${at}.ttl`, `Expected \`${at}.ttl\` to be from ${LEASE_TTL_MS.minimum} ms (1 s) to ${LEASE_TTL_MS.maximum} ms (1 day), as a lease, got ${resolved.ttl} ms`)
  }
  // The schema lets no `fn` through; a function cannot travel in JSON anyway.
  if (kind === 'fn') throw new Error('unreachable: a function check over HTTP')
  return { definition, kind }
}
