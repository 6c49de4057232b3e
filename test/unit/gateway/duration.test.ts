/**
 * Go durations as Consul clients send them (`?wait=`, `Interval`, `TTL`), table-driven.
 */
import { describe, expect, it } from 'vitest'
import { parseDuration } from '../../../src/gateway/consul/duration.js'

describe('parseDuration', () => {
  it.each([
    ['0', 0], ['0s', 0], ['10s', 10_000], ['5m', 300_000], ['1h', 3_600_000], ['1m30s', 90_000], ['250ms', 250],
    ['1.5s', 1_500], ['.5s', 500], ['1500us', 2], ['1µs', 1], ['100ns', 1], ['2h45m', 9_900_000]
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration('wait', text)).toBe(ms)
  })

  it.each(['', '10', 's', '5x', '-1s', '1s ', ' 1s', '1s2', '1d'])('refuses %j naming the field', (text) => {
    expect(() => parseDuration('querystring.wait', text)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT', argument: 'querystring.wait' }))
  })
})
