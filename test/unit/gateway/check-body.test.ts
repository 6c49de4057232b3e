/**
 * The `check` of an HTTP registration mapped onto the registry's CheckDefinition: durations in ms or Go form, the
 * registry's validator with fields named `body.check.<field>`, and a TTL check bounded as a lease.
 */
import { describe, expect, it } from 'vitest'
import { checkOfBody, type CheckBody } from '../../../src/gateway/check-body.js'

describe('checkOfBody', () => {
  it('maps each kind onto the same definition the embedding API takes, durations in ms or as Go durations', () => {
    expect(checkOfBody({ http: 'http://127.0.0.1:8080/health', interval: '1s', timeout: 250, expectedStatus: 204 })).toEqual({
      kind: 'http', definition: { http: 'http://127.0.0.1:8080/health', interval: 1_000, timeout: 250, expectedStatus: 204 }
    })
    expect(checkOfBody({ tcp: '127.0.0.1:5432', interval: '1m30s', deregisterCriticalAfter: '10m' })).toEqual({
      kind: 'tcp', definition: { tcp: '127.0.0.1:5432', interval: 90_000, deregisterCriticalAfter: 600_000 }
    })
    expect(checkOfBody({ ttl: '30s' })).toEqual({ kind: 'ttl', definition: { ttl: 30_000 } })
  })

  it.each<[CheckBody, string, string]>([
    [{}, 'body.check', 'exactly one of'],
    [{ http: 'http://x', tcp: 'x:1' }, 'body.check', 'exactly one of'],
    [{ http: 'ftp://x' }, 'body.check.http', 'an http:// or https:// URL'],
    [{ tcp: 'nohost' }, 'body.check.tcp', '`host:port`'],
    [{ http: 'http://x', interval: 'soon' }, 'body.check.interval', 'a Go duration such as `10s`'],
    [{ http: 'http://x', interval: '100ms', timeout: '1s' }, 'body.check.timeout', 'below `body.check.interval` (100)'],
    [{ http: 'http://x', expectedStatus: 700 }, 'body.check.expectedStatus', 'an HTTP status from 100 to 599'],
    [{ tcp: 'x:1', expectedStatus: 200 }, 'body.check.expectedStatus', 'Unknown field `body.check.expectedStatus` for a tcp check'],
    [{ ttl: '10s', interval: '1s' }, 'body.check.interval', 'Unknown field `body.check.interval` for a ttl check'],
    [{ ttl: '0' }, 'body.check.ttl', 'a positive integer'],
    [{ ttl: '100ms' }, 'body.check.ttl', 'from 1000 ms (1 s)'],
    [{ ttl: '48h' }, 'body.check.ttl', 'to 86400000 ms (1 day)']
  ])('refuses %j naming `%s`', (body, field, message) => {
    let thrown: unknown
    try {
      checkOfBody(body)
    } catch (err) {
      thrown = err
    }
    expect(thrown).toMatchObject({ code: expect.stringMatching(/^ERR_INVALID_(CHECK|ARGUMENT)$/) })
    expect((thrown as { field?: string, argument?: string }).field ?? (thrown as { argument?: string }).argument).toBe(field)
    expect((thrown as Error).message).toContain(message)
  })
})
