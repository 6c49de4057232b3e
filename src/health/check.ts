/**
 * Health check definitions, as declared at registration, and their validation. A node checks only its own
 * instances and publishes the result as the instance's status, so every peer sees it.
 */
import { InvalidCheckError, describeValue } from '../errors.js'
import type { InstanceStatus } from '../record/types.js'

/** Timing shared by every kind of check. */
export interface CheckTiming {
  /**
   * A check critical for this long (ms) deregisters its instance.
   * @default undefined (never)
   */
  deregisterCriticalAfter?: number
}

/** Shared by the checks this node runs itself. */
export interface ProbeTiming extends CheckTiming {
  /** ms between two runs. @default 10_000 */
  interval?: number
  /** ms after which a run counts as failed. @default 2_000; must be below `interval` */
  timeout?: number
}

/** GET a URL: 2xx passes, 429 warns, anything else (or no answer in time) is critical. */
export interface HttpCheck extends ProbeTiming {
  http: string
  /** The one HTTP status that passes, instead of any 2xx (429 still warns). @default undefined (any 2xx) */
  expectedStatus?: number
}
/** Connect to `host:port`: a connection passes, anything else is critical. */
export interface TcpCheck extends ProbeTiming { tcp: string }
/** The application reports with `registry.pass/warn/fail(id)` at least every `ttl` ms, or the check is critical. */
export interface TtlCheck extends CheckTiming { ttl: number }
/**
 * A function of the application's: resolving to `true`, nothing or `'passing'` passes, `'warning'` warns,
 * `false`, `'critical'`, a throw or a timeout is critical.
 */
export interface FunctionCheck extends ProbeTiming { fn: (signal: AbortSignal) => Promise<boolean | InstanceStatus | undefined> | boolean | InstanceStatus | undefined }

/** Any health check. */
export type CheckDefinition = HttpCheck | TcpCheck | TtlCheck | FunctionCheck

/** A validated check with every default applied. */
export type ResolvedCheck =
  | { readonly kind: 'http', readonly url: string, readonly expectedStatus: number | undefined, readonly interval: number, readonly timeout: number, readonly deregisterCriticalAfter: number | undefined }
  | { readonly kind: 'tcp', readonly host: string, readonly port: number, readonly interval: number, readonly timeout: number, readonly deregisterCriticalAfter: number | undefined }
  | { readonly kind: 'ttl', readonly ttl: number, readonly deregisterCriticalAfter: number | undefined }
  | { readonly kind: 'fn', readonly fn: FunctionCheck['fn'], readonly interval: number, readonly timeout: number, readonly deregisterCriticalAfter: number | undefined }

/** Defaults of probe timing: Consul's usual 10 s interval; a timeout well under it so runs never overlap. */
export const CHECK_DEFAULTS = Object.freeze({ interval: 10_000, timeout: 2_000 })

const KINDS = ['http', 'tcp', 'ttl', 'fn'] as const
const KEYS: Record<(typeof KINDS)[number], readonly string[]> = {
  http: ['http', 'expectedStatus', 'interval', 'timeout', 'deregisterCriticalAfter'],
  tcp: ['tcp', 'interval', 'timeout', 'deregisterCriticalAfter'],
  ttl: ['ttl', 'deregisterCriticalAfter'],
  fn: ['fn', 'interval', 'timeout', 'deregisterCriticalAfter']
}

function fail (field: string, expected: string, value: unknown): never {
  throw new InvalidCheckError(field, `Expected \`${field}\` to be ${expected}, got ${describeValue(value)}`)
}

function positive (field: string, value: unknown, fallback?: number): number {
  if (value === undefined && fallback !== undefined) return fallback
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) fail(field, 'a positive integer (ms)', value)
  return value
}

/**
 * Validates a check definition and applies defaults. Throws `InvalidCheckError` naming the field under `at`, where
 * the caller's check sits (`check` in the API, `body.check` over HTTP).
 */
export function resolveCheck (input: unknown, at = 'check'): ResolvedCheck {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) fail(at, 'an object', input)
  const check = input as Record<string, unknown>
  const kinds = KINDS.filter((kind) => check[kind] !== undefined)
  if (kinds.length !== 1) {
    throw new InvalidCheckError(at, `Expected \`${at}\` to have exactly one of ${KINDS.map((k) => `\`${k}\``).join(', ')}, got ${kinds.length === 0 ? 'none' : kinds.join(' and ')}`)
  }
  const kind = kinds[0]!
  for (const key of Object.keys(check)) {
    if (!KEYS[kind].includes(key)) throw new InvalidCheckError(`${at}.${key}`, `Unknown field \`${at}.${key}\` for a ${kind} check; known fields: ${KEYS[kind].join(', ')}`)
  }
  const deregisterCriticalAfter = check.deregisterCriticalAfter === undefined ? undefined : positive(`${at}.deregisterCriticalAfter`, check.deregisterCriticalAfter)
  if (kind === 'ttl') return { kind, ttl: positive(`${at}.ttl`, check.ttl), deregisterCriticalAfter }
  const interval = positive(`${at}.interval`, check.interval, CHECK_DEFAULTS.interval)
  const timeout = positive(`${at}.timeout`, check.timeout, Math.min(CHECK_DEFAULTS.timeout, Math.max(1, interval - 1)))
  if (timeout >= interval) fail(`${at}.timeout`, `below \`${at}.interval\` (${interval})`, timeout)
  const timing = { interval, timeout, deregisterCriticalAfter }
  if (kind === 'http') {
    let url: URL
    try {
      url = new URL(String(check.http))
    } catch {
      fail(`${at}.http`, 'an http:// or https:// URL', check.http)
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') fail(`${at}.http`, 'an http:// or https:// URL', check.http)
    const expected = check.expectedStatus
    if (expected !== undefined && (typeof expected !== 'number' || !Number.isInteger(expected) || expected < 100 || expected > 599)) {
      fail(`${at}.expectedStatus`, 'an HTTP status from 100 to 599', expected)
    }
    return { kind, url: url.toString(), expectedStatus: expected, ...timing }
  }
  if (kind === 'tcp') {
    const match = typeof check.tcp === 'string' ? /^(.+):(\d{1,5})$/.exec(check.tcp) : null
    const port = match === null ? 0 : Number(match[2])
    if (match === null || port < 1 || port > 65_535) fail(`${at}.tcp`, 'a `host:port` address', check.tcp)
    return { kind, host: match[1]!.replace(/^\[(.*)\]$/, '$1'), port, ...timing }
  }
  if (typeof check.fn !== 'function') fail(`${at}.fn`, 'a function', check.fn)
  return { kind, fn: check.fn as FunctionCheck['fn'], ...timing }
}
