/**
 * What counts as a refusal when a probe's dial fails: ECONNREFUSED from the transport, alone, among the errors of
 * several addresses, or as a cause; a timeout, an unreachable network or a reset is not.
 */
import { describe, expect, it } from 'vitest'
import { isRefused } from '../../../src/net/network.js'

const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:4001'), { code: 'ECONNREFUSED' })

describe('isRefused', () => {
  it('finds ECONNREFUSED alone, among several addresses and as a cause', () => {
    expect(isRefused(refused)).toBe(true)
    expect(isRefused(new AggregateError([new Error('The operation was aborted due to timeout'), refused], 'All multiaddr dials failed'))).toBe(true)
    expect(isRefused(new Error('dial failed', { cause: refused }))).toBe(true)
  })

  it('does not take a timeout, an unroutable host, a reset or a non-error for one', () => {
    expect(isRefused(new DOMException('The operation was aborted due to timeout', 'TimeoutError'))).toBe(false)
    expect(isRefused(Object.assign(new Error('connect ENETUNREACH 10.0.0.9:4001'), { code: 'ENETUNREACH' }))).toBe(false)
    expect(isRefused(Object.assign(new Error('connect EHOSTUNREACH 10.0.0.9:4001'), { code: 'EHOSTUNREACH' }))).toBe(false)
    expect(isRefused(new AggregateError([new Error('read ECONNRESET')], 'All multiaddr dials failed'))).toBe(false)
    expect(isRefused(undefined)).toBe(false)
    expect(isRefused('ECONNREFUSED')).toBe(false)
  })
})
