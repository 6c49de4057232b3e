import { describe, expect, it } from 'vitest'
import { InvalidCheckError } from '../../../src/errors.js'
import { resolveCheck } from '../../../src/health/check.js'
import { CheckState } from '../../../src/health/state.js'

describe('resolveCheck', () => {
  it('applies defaults', () => {
    expect(resolveCheck({ http: 'http://127.0.0.1:8080/health' })).toMatchObject({ kind: 'http', interval: 10_000, timeout: 2_000 })
    expect(resolveCheck({ tcp: '[::1]:5432', interval: 500 })).toMatchObject({ kind: 'tcp', host: '::1', port: 5432, interval: 500, timeout: 499 })
    expect(resolveCheck({ ttl: 3_000, deregisterCriticalAfter: 60_000 })).toEqual({ kind: 'ttl', ttl: 3_000, deregisterCriticalAfter: 60_000 })
  })

  it.each([
    [{}, 'check', 'exactly one of'],
    [{ http: 'http://x', tcp: 'x:1' }, 'check', 'exactly one of'],
    [{ http: 'ftp://x' }, 'check.http', 'an http:// or https:// URL'],
    [{ tcp: 'nohost' }, 'check.tcp', '`host:port`'],
    [{ tcp: 'h:70000' }, 'check.tcp', '`host:port`'],
    [{ ttl: 0 }, 'check.ttl', 'a positive integer'],
    [{ fn: 'not a function' }, 'check.fn', 'a function'],
    [{ http: 'http://x', interval: 100, timeout: 100 }, 'check.timeout', 'below `check.interval` (100)'],
    [{ ttl: 10, interval: 5 }, 'check.interval', 'Unknown field `check.interval` for a ttl check'],
    [null, 'check', 'an object']
  ])('rejects %j naming `%s`', (input, field, message) => {
    let thrown: unknown
    try {
      resolveCheck(input)
    } catch (err) {
      thrown = err
    }
    expect(thrown).toBeInstanceOf(InvalidCheckError)
    expect(thrown).toMatchObject({ code: 'ERR_INVALID_CHECK', field })
    expect((thrown as Error).message).toContain(message)
  })
})

describe('CheckState', () => {
  it('publishes only changes', () => {
    const state = new CheckState('critical', 0, undefined, undefined)
    expect(state.report('passing', 1)).toEqual({ publish: 'passing', deregister: false })
    expect(state.report('passing', 2)).toEqual({ deregister: false })
    expect(state.report('warning', 3)).toEqual({ publish: 'warning', deregister: false })
  })

  it('turns a TTL check critical when not reported in time', () => {
    const state = new CheckState('critical', 0, 1_000, undefined)
    state.report('passing', 100)
    expect(state.tick(1_099)).toEqual({ deregister: false })
    expect(state.tick(1_100)).toEqual({ publish: 'critical', deregister: false })
  })

  it('asks to deregister after deregisterCriticalAfter of uninterrupted critical', () => {
    const state = new CheckState('passing', 0, undefined, 5_000)
    state.report('critical', 1_000)
    state.report('passing', 2_000)
    state.report('critical', 3_000)
    expect(state.tick(7_999).deregister).toBe(false)
    expect(state.tick(8_000).deregister).toBe(true)
  })
})
