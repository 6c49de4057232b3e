/**
 * Go durations (`10s`, `1m30s`, `250ms`), the way Consul spells every time in its API (`?wait=`, `Interval`, `TTL`,
 * `DeregisterCriticalServiceAfter`). Parsing only: no timers here.
 */
import { InvalidArgumentError, describeValue } from '../../errors.js'

/** Go's units, in ms. `µs` and `us` are both Go spellings of microseconds. */
const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }
const PART = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/y

/**
 * Milliseconds of a Go duration such as `1m30s` (Go's `time.ParseDuration`, without a sign), rounded up so that a
 * positive duration is never 0 ms. Throws `InvalidArgumentError` naming `field` when it is not one.
 */
export function parseDuration (field: string, text: string): number {
  if (text === '0') return 0
  let ms = 0
  PART.lastIndex = 0
  let matched = 0
  for (let part = PART.exec(text); part !== null; part = PART.exec(text)) {
    ms += Number(part[1]) * UNIT_MS[part[2]!]!
    matched = PART.lastIndex
  }
  if (matched === 0 || matched !== text.length || !Number.isFinite(ms)) {
    throw new InvalidArgumentError(field, `Expected \`${field}\` to be a Go duration such as \`10s\`, \`1m30s\` or \`250ms\`, got ${describeValue(text)}`)
  }
  return Math.ceil(ms)
}
