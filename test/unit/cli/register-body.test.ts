/**
 * The bodies the CLI's `register` and `maintenance` send: flags mapped onto the HTTP API's fields, durations as
 * ms or Go durations, and flags that do not fit together refused before any call.
 */
import { describe, expect, it } from 'vitest'
import { maintenanceBody, registerBody } from '../../../src/cli/register-body.js'

describe('registerBody', () => {
  it('maps a lease, an http check and a tcp check', () => {
    expect(registerBody('web', '1.0.0', '10.0.0.7', '8080', { tag: ['eu'], ttl: '30s' })).toEqual({ service: 'web', version: '1.0.0', address: '10.0.0.7', port: 8080, tags: ['eu'], ttl: 30_000 })
    expect(registerBody('web', '1.0.0', '10.0.0.7', '8080', { ttl: '45000' })).toMatchObject({ ttl: 45_000 })
    expect(registerBody('web', '1.0.0', '10.0.0.7', '8080', { checkHttp: 'http://10.0.0.7:8080/health', checkInterval: '5s', checkTimeout: '500', checkStatus: '204' }))
      .toMatchObject({ check: { http: 'http://10.0.0.7:8080/health', interval: 5_000, timeout: 500, expectedStatus: 204 } })
    expect(registerBody('db', '1.0.0', '10.0.0.8', '5432', { checkTcp: '10.0.0.8:5432' })).toMatchObject({ check: { tcp: '10.0.0.8:5432' } })
  })

  it.each([
    [{ checkHttp: 'http://x/', checkTcp: 'x:1' }, 'not both'],
    [{ checkTcp: 'x:1', ttl: '30s' }, 'not both'],
    [{ checkInterval: '1s' }, '--check-interval needs --check-http or --check-tcp'],
    [{ checkTcp: 'x:1', checkStatus: '200' }, '--check-status needs --check-http'],
    [{ ttl: 'soon' }, 'a Go duration']
  ])('refuses %j', (flags, message) => {
    expect(() => registerBody('web', '1.0.0', '10.0.0.7', '8080', flags)).toThrow(message)
  })
})

describe('maintenanceBody', () => {
  it('takes on (with a reason) or off', () => {
    expect(maintenanceBody('on', 'deploy')).toEqual({ enable: true, reason: 'deploy' })
    expect(maintenanceBody('off', undefined)).toEqual({ enable: false })
    expect(() => maintenanceBody('maybe', undefined)).toThrow('expected `on` or `off`')
    expect(() => maintenanceBody('off', 'why')).toThrow('--reason goes with `on`')
  })
})
