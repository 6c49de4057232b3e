/**
 * `POST /v1/instances` with a `check`, and `PUT /v1/instances/:id/maintenance`, through fastify's inject() in front
 * of one real registry node: every 400 names the field, and a refused request leaves the registry as it was.
 */
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createGateway } from '../../src/gateway/server.js'
import { createRegistry, PRESETS, type Registry } from '../../src/index.js'
import { startHttp, type FakeService } from '../support/servers.js'

let registry: Registry
let app: FastifyInstance
let server: FakeService

beforeAll(async () => {
  registry = await createRegistry({ ...PRESETS.test, logPrefix: 'gwc' })
  app = await createGateway(registry)
  server = await startHttp(200)
})

afterAll(async () => {
  await app.close()
  await registry.stop()
  await server.close()
})

const base = { service: 'checked', version: '1.0.0', address: '127.0.0.1', port: 8080 }

describe('POST /v1/instances with a check', () => {
  it.each([
    ['a function check', { fn: 'x' }, 'body.check.fn', 'must NOT have additional properties'],
    ['an unknown field', { http: 'http://127.0.0.1/', every: '1s' }, 'body.check.every', 'must NOT have additional properties'],
    ['no kind', { interval: '1s' }, 'body.check', 'exactly one of'],
    ['two kinds', { http: 'http://127.0.0.1/', tcp: '127.0.0.1:1' }, 'body.check', 'exactly one of'],
    ['a bad URL', { http: 'not a url' }, 'body.check.http', 'an http:// or https:// URL'],
    ['a bad address', { tcp: '127.0.0.1' }, 'body.check.tcp', '`host:port`'],
    ['a duration of the wrong type', { http: 'http://127.0.0.1/', interval: true }, 'body.check.interval', 'a positive integer (ms), got `true` (boolean)'],
    ['a malformed duration', { http: 'http://127.0.0.1/', interval: '10 seconds' }, 'body.check.interval', 'a Go duration'],
    ['a timeout not below the interval', { tcp: '127.0.0.1:1', interval: '1s', timeout: '2s' }, 'body.check.timeout', 'below `body.check.interval` (1000)'],
    ['an expected status out of range', { http: 'http://127.0.0.1/', expectedStatus: 99 }, 'body.check.expectedStatus', 'must be >= 100'],
    ['a ttl check field on an http check', { http: 'http://127.0.0.1/', ttl: '10s' }, 'body.check', 'exactly one of'],
    ['a ttl shorter than a lease', { ttl: 500 }, 'body.check.ttl', 'from 1000 ms']
  ])('refuses %s: 400 naming the field, nothing registered', async (_name, check, field, message) => {
    const response = await app.inject({ method: 'POST', url: '/v1/instances', payload: { ...base, id: 'refused', check } })
    expect(response.statusCode, response.body).toBe(400)
    expect(response.json()).toMatchObject({ success: false, field })
    expect(response.json().error).toContain(message)
    expect(registry.lookup('checked', { includeUnhealthy: true }).map((i) => i.id)).not.toContain('refused')
  })

  it('refuses a lease (`ttl`) and a check together, naming body.ttl', async () => {
    const response = await app.inject({ method: 'POST', url: '/v1/instances', payload: { ...base, ttl: 5_000, check: { http: server.url } } })
    expect(response.statusCode).toBe(400)
    expect(response.json()).toMatchObject({ code: 'ERR_INVALID_ARGUMENT', field: 'body.ttl' })
  })

  it('registers with an http check: critical until the check passes, and nothing to renew', async () => {
    const response = await app.inject({ method: 'POST', url: '/v1/instances', payload: { ...base, id: 'probed', check: { http: server.url, interval: '100ms', timeout: 80 } } })
    expect(response.statusCode, response.body).toBe(201)
    expect(response.json().instance).toMatchObject({ id: 'probed', status: 'critical' })
    await expect.poll(() => registry.lookup('checked').map((i) => i.id), { timeout: 5_000, interval: 20 }).toEqual(['probed'])
    const renew = await app.inject({ method: 'PUT', url: '/v1/instances/probed/renew' })
    expect(renew.statusCode).toBe(400)
    expect(renew.json()).toMatchObject({ field: 'params.id', error: expect.stringContaining('kept alive by its http check') })
  })

  it('registers with a ttl check written as a Go duration: renewals pass it', async () => {
    const response = await app.inject({ method: 'POST', url: '/v1/instances', payload: { ...base, id: 'ttl-checked', port: 8081, check: { ttl: '2s' } } })
    expect(response.statusCode, response.body).toBe(201)
    expect(response.json().instance.status).toBe('passing')
    expect((await app.inject({ method: 'PUT', url: '/v1/instances/ttl-checked/renew' })).statusCode).toBe(200)
  })
})

describe('PUT /v1/instances/:id/maintenance', () => {
  it('takes an instance out of lookups, shows it with its reason, and brings it back', async () => {
    await app.inject({ method: 'POST', url: '/v1/instances', payload: { ...base, service: 'serviced', id: 'm-1' } })
    expect(registry.lookup('serviced')).toHaveLength(1)
    const on = await app.inject({ method: 'PUT', url: '/v1/instances/m-1/maintenance', payload: { enable: true, reason: 'deploying 1.1' } })
    expect(on.statusCode, on.body).toBe(200)
    expect(on.json().instance).toMatchObject({ id: 'm-1', status: 'critical', maintenance: { reason: 'deploying 1.1' } })
    expect(registry.lookup('serviced')).toEqual([])
    const listed = (await app.inject({ url: '/v1/services/serviced/instances?healthy=false' })).json().instances
    expect(listed).toEqual([expect.objectContaining({ id: 'm-1', maintenance: { reason: 'deploying 1.1' } })])
    const metrics = (await app.inject({ url: '/metrics' })).body
    expect(metrics).toMatch(/gossip_registry_instances\{status="maintenance"\} [1-9]/)
    const off = await app.inject({ method: 'PUT', url: '/v1/instances/m-1/maintenance', payload: { enable: false } })
    expect(off.json().instance).not.toHaveProperty('maintenance')
    expect(off.json().instance.status).toBe('passing')
    expect(registry.lookup('serviced').map((i) => i.id)).toEqual(['m-1'])
  })

  it('answers 404 for an unknown id and 400 naming the field for a bad body, changing nothing', async () => {
    const unknown = await app.inject({ method: 'PUT', url: '/v1/instances/nope/maintenance', payload: { enable: true } })
    expect(unknown.statusCode).toBe(404)
    expect(unknown.json()).toMatchObject({ code: 'ERR_UNKNOWN_INSTANCE' })
    for (const [payload, field] of [[{}, 'body.enable'], [{ enable: 'yes' }, 'body.enable'], [{ enable: true, reason: 'x'.repeat(300) }, 'body.reason'], [{ enable: true, why: 'x' }, 'body.why']] as const) {
      const response = await app.inject({ method: 'PUT', url: '/v1/instances/m-1/maintenance', payload })
      expect(response.statusCode).toBe(400)
      expect(response.json().field).toBe(field)
    }
    expect(registry.lookup('serviced').map((i) => i.id)).toEqual(['m-1'])
  })
})
