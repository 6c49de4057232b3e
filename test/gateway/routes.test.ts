/**
 * Every gateway route through fastify's inject(), in front of a real (single) registry node: answers,
 * validation errors naming the field, 413, 401, and state left untouched by rejected requests.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createGateway } from '../../src/gateway/server.js'
import { createRegistry, PRESETS, type Registry } from '../../src/index.js'

let registry: Registry
let app: FastifyInstance
let secured: FastifyInstance

beforeAll(async () => {
  registry = await createRegistry({ ...PRESETS.test, logPrefix: 'gw' })
  app = await createGateway(registry, { leaseTtl: 400, leaseGrace: 400 })
  secured = await createGateway(registry, { token: 's3cret' })
})

afterAll(async () => {
  await app.close()
  await secured.close()
  await registry.stop()
})

describe('classic routes', () => {
  it('registers idempotently, lists addresses, renews by heartbeat', async () => {
    const first = await app.inject({ method: 'POST', url: '/orders/2.1.0/register', payload: { address: '10.0.0.7', port: 8080, metadata: { zone: 'eu' } } })
    expect(first.statusCode).toBe(200)
    const { success, id } = first.json()
    expect(success).toBe(true)
    const again = await app.inject({ method: 'POST', url: '/orders/2.1.0/register', payload: { address: '10.0.0.7', port: 8080 } })
    expect(again.json().id).toBe(id)
    expect(registry.lookup('orders')).toHaveLength(1)

    const addresses = await app.inject({ method: 'GET', url: '/orders/2.1.0/getaddresses' })
    expect(addresses.json()).toEqual({ addresses: ['10.0.0.7:8080'] })
    expect((await app.inject({ method: 'GET', url: '/orders/^2/getaddresses' })).json()).toEqual({ addresses: ['10.0.0.7:8080'] })

    expect((await app.inject({ method: 'PUT', url: '/orders/2.1.0/heartbeat', remoteAddress: '10.0.0.7' })).json()).toEqual({ success: true, renewed: [id] })
    expect((await app.inject({ method: 'GET', url: `/orders/2.1.0/heartbeat?id=${id}` })).statusCode).toBe(200)
  })

  it("renews only the caller's own lease: by ?id=, by ?address=&port=, else by the caller's address", async () => {
    const register = async (address: string, port: number): Promise<string> =>
      (await app.inject({ method: 'POST', url: '/siblings/1.0.0/register', payload: { address, port }, remoteAddress: address })).json().id as string
    const beat = async (query: string, remoteAddress = '127.0.0.1'): Promise<LightMyRequestResponse> =>
      await app.inject({ method: 'GET', url: `/siblings/1.0.0/heartbeat${query}`, remoteAddress })
    const a = await register('10.0.1.1', 7001)
    const b = await register('10.0.1.2', 7002)
    expect((await beat('', '10.0.1.1')).json()).toEqual({ success: true, renewed: [a] })
    expect((await beat('', '::ffff:10.0.1.2')).json()).toEqual({ success: true, renewed: [b] })
    expect((await beat(`?id=${b}`)).json()).toEqual({ success: true, renewed: [b] })
    expect((await beat('?address=10.0.1.1&port=7001')).json()).toEqual({ success: true, renewed: [a] })

    const stranger = await beat('', '10.0.9.9')
    expect(stranger.statusCode).toBe(404)
    expect(stranger.json()).toMatchObject({ success: false, error: expect.stringContaining('siblings@1.0.0 with address 10.0.9.9') })
    const wrongPort = await beat('?address=10.0.1.1&port=7002')
    expect(wrongPort.statusCode).toBe(404)
    expect(wrongPort.json().error).toContain('address 10.0.1.1 and port 7002')

    // A crashed client (a) expires while its sibling (b) on the same agent keeps beating.
    await vi.waitFor(async () => {
      expect((await beat('', '10.0.1.2')).statusCode).toBe(200)
      expect(registry.lookup('siblings', { includeUnhealthy: true }).find((i) => i.id === a)?.status).toBe('critical')
    }, { timeout: 5_000, interval: 100 })
    expect(registry.lookup('siblings').map((i) => i.id)).toEqual([b])
  })

  it('answers 404 when there is nothing to list or renew', async () => {
    const none = await app.inject({ method: 'GET', url: '/nothing/1.0.0/getaddresses' })
    expect(none.statusCode).toBe(404)
    expect(none.json()).toMatchObject({ success: false, error: expect.stringContaining('nothing@1.0.0') })
    expect((await app.inject({ method: 'GET', url: '/nothing/1.0.0/heartbeat' })).statusCode).toBe(404)
  })

  it('expires a lease that is not renewed: critical, then deregistered', async () => {
    const { id } = (await app.inject({ method: 'POST', url: '/leased/1.0.0/register', payload: { address: 'l.local', port: 1 } })).json()
    expect(registry.lookup('leased')).toHaveLength(1)
    await vi.waitFor(() => { expect(registry.lookup('leased', { includeUnhealthy: true }).map((i) => i.status)).toEqual(['critical']) }, { timeout: 5_000, interval: 20 })
    await vi.waitFor(() => { expect(registry.lookup('leased', { includeUnhealthy: true })).toEqual([]) }, { timeout: 5_000, interval: 20 })
    expect((await app.inject({ method: 'PUT', url: `/v1/instances/${id}/renew` })).statusCode).toBe(404)
  })
})

describe('/v1 routes', () => {
  it('registers, queries, renews and deregisters', async () => {
    const created = await app.inject({ method: 'POST', url: '/v1/instances', payload: { service: 'billing', version: '1.2.0', address: '10.0.0.9', port: 9000, tags: ['eu'], ttl: 60_000 } })
    expect(created.statusCode).toBe(201)
    const { instance } = created.json()
    expect(instance).toMatchObject({ service: 'billing', status: 'passing', owner: registry.peerId })
    expect((await app.inject({ method: 'GET', url: '/v1/services' })).json().services).toContain('billing')
    expect((await app.inject({ method: 'GET', url: '/v1/services/billing/instances?version=^1.2&tag=eu' })).json().instances).toHaveLength(1)
    expect((await app.inject({ method: 'GET', url: '/v1/services/billing/instances?tag=us' })).json().instances).toHaveLength(0)
    expect((await app.inject({ method: 'PUT', url: `/v1/instances/${instance.id}/renew` })).json()).toEqual({ success: true })
    expect((await app.inject({ method: 'DELETE', url: `/v1/instances/${instance.id}` })).json()).toEqual({ success: true })
    expect(registry.lookup('billing')).toEqual([])
    expect((await app.inject({ method: 'DELETE', url: `/v1/instances/${instance.id}` })).statusCode).toBe(404)
  })

  it('publishes the requested status first: a watcher never sees a critical registration as passing', async () => {
    const seen: string[] = []
    const unwatch = registry.watch('firstcritical', (change) => { if (change.type !== 'down') seen.push(`${change.type}:${change.instance.status}`) })
    try {
      const created = await app.inject({ method: 'POST', url: '/v1/instances', payload: { service: 'firstcritical', version: '1.0.0', address: '10.0.0.11', port: 9001, status: 'critical', ttl: 60_000 } })
      expect(created.statusCode).toBe(201)
      expect(created.json().instance).toMatchObject({ status: 'critical' })
      expect(registry.lookup('firstcritical', { includeUnhealthy: true }).map((i) => i.status)).toEqual(['critical'])
      expect(registry.lookup('firstcritical')).toEqual([])
      expect(seen).toEqual(['up:critical'])
      await app.inject({ method: 'DELETE', url: `/v1/instances/${created.json().instance.id as string}` })
    } finally {
      unwatch()
    }
  })

  it('describes members, itself, its health, metrics and its API', async () => {
    expect((await app.inject({ method: 'GET', url: '/v1/members' })).json().members[0]).toMatchObject({ peerId: registry.peerId, self: true, state: 'alive' })
    expect((await app.inject({ method: 'GET', url: '/v1/self' })).json()).toEqual({ peerId: registry.peerId, multiaddrs: registry.multiaddrs })
    expect((await app.inject({ method: 'GET', url: '/healthz' })).json()).toMatchObject({ ok: true })
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body
    for (const name of ['gossip_registry_members{state="alive"} 1', 'gossip_registry_health_score 0', 'gossip_registry_instances', 'gossip_registry_messages_in_total', 'gossip_registry_rejected_total', 'gossip_registry_sync_rounds_total', 'gossip_registry_convergence_lag_seconds']) {
      expect(metrics).toContain(name)
    }
    const openapi = (await app.inject({ method: 'GET', url: '/openapi.json' })).json()
    expect(openapi.openapi).toMatch(/^3\./)
    expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining(['/v1/instances', '/{service}/{version}/register', '/v1/watch']))
    const ui = await app.inject({ method: 'GET', url: '/ui' })
    expect(ui.headers['content-type']).toContain('text/html')
    expect(ui.body).toContain('EventSource')
  })
})

describe('bad input', () => {
  it.each([
    ['POST', '/badinput/1.0.0/register', { address: '10.0.0.1', port: 70000 }, 'body.port'],
    ['POST', '/badinput/1.0.0/register', { address: '10.0.0.1' }, 'body.port'],
    ['POST', '/badinput/1.0.0/register', { address: '10.0.0.1', port: 80, colour: 'red' }, 'body.colour'],
    ['POST', '/badinput/1.0.0/register', { address: '10.0.0.1', port: 80, ttl: 5 }, 'body.ttl'],
    ['POST', '/badinput/1.0.0/register', { address: '10.0.0.1', port: 80, metadata: { zone: 1 } }, 'body.metadata.zone'],
    ['POST', '/bad%20name/1.0.0/register', { address: '10.0.0.1', port: 80 }, 'params.service'],
    ['POST', '/badinput/1.0/register', { address: '10.0.0.1', port: 80 }, 'version'],
    ['POST', '/badinput/1.0.0/register', { address: 'bad host!', port: 80 }, 'address'],
    ['POST', '/v1/instances', { service: 'badinput', version: '1.0.0', address: 'h', port: 1, tags: ['a', 'a'] }, 'tags[1]'],
    ['POST', '/v1/instances', { service: 'badinput', version: '1.0.0', address: 'h', port: 1, weight: -1 }, 'body.weight'],
    ['GET', '/v1/services/x/instances?version=not-a-range', undefined, 'version'],
    ['GET', '/v1/services/x/instances?healthy=maybe', undefined, 'querystring.healthy'],
    ['GET', '/v1/services/x/instances?colour=red', undefined, 'querystring.colour'],
    ['GET', '/badinput/1.0.0/heartbeat?id=has%20space', undefined, 'querystring.id'],
    ['GET', '/badinput/1.0.0/heartbeat?address=10.0.0.1', undefined, 'querystring.port'],
    ['GET', '/badinput/1.0.0/heartbeat?address=10.0.0.1&port=70000', undefined, 'querystring.port'],
    ['GET', '/badinput/1.0.0/heartbeat?address=10.0.0.1&port=eighty', undefined, 'querystring.port']
  ])('%s %s %j answers 400 naming %s, and changes nothing', async (method, url, payload, field) => {
    const response = await app.inject({ method: method as 'GET', url, ...(payload !== undefined && { payload }) })
    expect(response.statusCode).toBe(400)
    expect(response.json()).toMatchObject({ success: false, field })
    expect(response.json().error).toContain(field.split('.').at(-1)!.replace(/\[\d+\]/, ''))
    expect(registry.lookup('badinput', { includeUnhealthy: true })).toEqual([])
  })

  it('answers 413 for an oversized body and 400 for broken JSON', async () => {
    const big = await app.inject({ method: 'POST', url: '/orders/1.0.0/register', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ address: 'h', port: 1, metadata: { pad: 'x'.repeat(20_000) } }) })
    expect(big.statusCode).toBe(413)
    const broken = await app.inject({ method: 'POST', url: '/orders/1.0.0/register', headers: { 'content-type': 'application/json' }, payload: '{"address":' })
    expect(broken.statusCode).toBe(400)
  })

  it('answers 401 to writes without the token, and lets reads through', async () => {
    const denied = await secured.inject({ method: 'POST', url: '/sec/1.0.0/register', payload: { address: 'h.local', port: 1 } })
    expect(denied.statusCode).toBe(401)
    expect((await secured.inject({ method: 'GET', url: '/sec/1.0.0/heartbeat' })).statusCode).toBe(401)
    expect((await secured.inject({ method: 'POST', url: '/sec/1.0.0/register', headers: { authorization: 'Bearer wrong' }, payload: { address: 'h.local', port: 1 } })).statusCode).toBe(401)
    expect(registry.services()).not.toContain('sec')
    expect((await secured.inject({ method: 'GET', url: '/v1/services' })).statusCode).toBe(200)
    const allowed = await secured.inject({ method: 'POST', url: '/sec/1.0.0/register', headers: { authorization: 'Bearer s3cret' }, payload: { address: 'h.local', port: 1 } })
    expect(allowed.statusCode).toBe(200)
  })
})
