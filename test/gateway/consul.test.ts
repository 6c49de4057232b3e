/**
 * The Consul-compatible routes through fastify's inject() (and one real socket for disconnects), in front of a
 * real single registry node: shapes, blocking queries and their headers, agent writes onto the registry's own
 * checks, unsupported parameters answered 400 naming themselves, Prometheus HTTP SD, the classic heartbeat's status.
 */
import { request as httpRequest } from 'node:http'
import type { AddressInfo } from 'node:net'
import Fastify, { type FastifyInstance, type LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { consulRoutes } from '../../src/gateway/consul.js'
import { handleError } from '../../src/gateway/errors.js'
import { createGateway } from '../../src/gateway/server.js'
import { SHARED_SCHEMAS } from '../../src/gateway/responses.js'
import { createRegistry, PRESETS, type Registry } from '../../src/index.js'

let registry: Registry
let app: FastifyInstance
let secured: FastifyInstance

beforeAll(async () => {
  registry = await createRegistry({ ...PRESETS.test, logPrefix: 'consul', namespace: 'eu-1' })
  app = await createGateway(registry, { namespace: 'eu-1', leaseTtl: 5_000, leaseGrace: 5_000 })
  secured = await createGateway(registry, { namespace: 'eu-1', token: 's3cret' })
})

afterAll(async () => {
  await app.close()
  await secured.close()
  await registry.stop()
})

const put = async (url: string, payload?: unknown, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> =>
  await app.inject({ method: 'PUT', url, headers, ...(payload !== undefined && { payload: payload as object }) })

describe('Consul reads', () => {
  it('lists services, instances and checks in Consul shapes, with the namespace as datacenter', async () => {
    await registry.register({ service: 'orders', version: '2.1.0', address: '10.0.0.7', port: 8080, tags: ['eu', 'v2'], metadata: { zone: 'a' }, id: 'o-1' })
    await registry.register({ service: 'orders', version: '2.2.0', address: '10.0.0.8', port: 8080, tags: ['eu'], status: 'warning', id: 'o-2' })

    const services = await app.inject({ url: '/v1/catalog/services' })
    expect(services.statusCode).toBe(200)
    expect(services.json()).toMatchObject({ orders: ['eu', 'v2'] })
    expect(Number(services.headers['x-consul-index'])).toBeGreaterThan(0)
    expect(services.headers['x-consul-knownleader']).toBe('true')
    expect(services.headers['x-consul-lastcontact']).toBe('0')

    const catalog = (await app.inject({ url: '/v1/catalog/service/orders?tag=v2' })).json()
    expect(catalog).toEqual([expect.objectContaining({
      Node: registry.peerId, Address: '127.0.0.1', Datacenter: 'eu-1', ServiceID: 'o-1', ServiceName: 'orders',
      ServiceAddress: '10.0.0.7', ServicePort: 8080, ServiceTags: ['eu', 'v2'], ServiceMeta: { version: '2.1.0', zone: 'a' }
    })])

    const health = (await app.inject({ url: '/v1/health/service/orders' })).json()
    expect(health).toHaveLength(2)
    expect(health[0]).toMatchObject({ Node: { Node: registry.peerId, Datacenter: 'eu-1' }, Service: { ID: expect.any(String), Service: 'orders', Port: 8080 } })
    const statuses = Object.fromEntries(health.map((entry: { Service: { ID: string }, Checks: Array<{ CheckID: string, Status: string }> }) => [entry.Service.ID, entry.Checks.map((c) => `${c.CheckID}=${c.Status}`)]))
    expect(statuses).toEqual({ 'o-1': ['serfHealth=passing', 'service:o-1=passing'], 'o-2': ['serfHealth=passing', 'service:o-2=warning'] })
    for (const passing of ['?passing', '?passing=true', '?passing=1&tag=eu']) {
      expect((await app.inject({ url: `/v1/health/service/orders${passing}` })).json().map((e: { Service: { ID: string } }) => e.Service.ID)).toEqual(['o-1'])
    }
    expect((await app.inject({ url: '/v1/health/service/orders?passing=false' })).json()).toHaveLength(2)
    expect((await app.inject({ url: '/v1/health/service/nothing' })).json()).toEqual([])
  })

  it('describes this agent, its nodes and its "leader"', async () => {
    const self = (await app.inject({ url: '/v1/agent/self' })).json()
    expect(self).toMatchObject({ Config: { Datacenter: 'eu-1', NodeName: registry.peerId }, Member: { Name: registry.peerId, Addr: '127.0.0.1', Status: 1 } })
    expect((await app.inject({ url: '/v1/catalog/nodes' })).json()).toEqual([expect.objectContaining({ Node: registry.peerId, Address: '127.0.0.1', Datacenter: 'eu-1' })])
    const leader = await app.inject({ url: '/v1/status/leader' })
    expect(leader.json()).toMatch(/^127\.0\.0\.1:\d+$/)
    expect((await app.inject({ url: '/v1/status/leader' })).json()).toBe(leader.json())
    expect((await app.inject({ url: '/v1/status/peers' })).json()).toEqual([leader.json()])
  })

  it('answers 400 naming the parameter it does not support, and a foreign datacenter', async () => {
    for (const [query, field] of [['filter=Service.Port==80', 'querystring.filter'], ['near=_agent', 'querystring.near'], ['dc=us-2', 'querystring.dc'], ['bogus=1', 'querystring.bogus'], ['wait=5x&index=1', 'querystring.wait'], ['passing=maybe', 'querystring.passing']]) {
      const answer = await app.inject({ url: `/v1/health/service/orders?${query}` })
      expect(answer.statusCode, query).toBe(400)
      expect(answer.json(), query).toMatchObject({ success: false, field })
    }
    expect((await app.inject({ url: '/v1/catalog/services?filter=x' })).json().error).toContain('not supported')
    expect((await app.inject({ url: '/v1/catalog/services?dc=eu-1&stale&consistent&cached' })).statusCode).toBe(200)
  })
})

describe('blocking queries', () => {
  it('waits while the index is current, wakes on a change of that service only, and never goes backwards', async () => {
    await registry.register({ service: 'blocky', version: '1.0.0', address: '10.0.1.1', port: 1, id: 'b-1' })
    const first = await app.inject({ url: '/v1/health/service/blocky' })
    const index = Number(first.headers['x-consul-index'])

    const started = performance.now()
    const timedOut = await app.inject({ url: `/v1/health/service/blocky?index=${index}&wait=300ms` })
    expect(performance.now() - started).toBeGreaterThanOrEqual(290)
    expect(Number(timedOut.headers['x-consul-index'])).toBe(index)

    const blocked = app.inject({ url: `/v1/health/service/blocky?index=${index}&wait=20s` })
    // Another service's change does not wake it; this one's does, at once.
    await registry.register({ service: 'other', version: '1.0.0', address: '10.0.1.2', port: 1, id: 'x-1' })
    await registry.update('b-1', { status: 'critical' })
    const woken = await blocked
    expect(Number(woken.headers['x-consul-index'])).toBeGreaterThan(index)
    expect(woken.json()[0].Checks[1].Status).toBe('critical')
    expect(performance.now() - started).toBeLessThan(10_000)

    // An index this agent never issued (a client of an earlier run) is answered at once.
    const stale = await app.inject({ url: '/v1/health/service/blocky?index=999999999&wait=20s' })
    expect(Number(stale.headers['x-consul-index'])).toBe(Number(woken.headers['x-consul-index']))
  })

  it('bounds blocked queries (429 naming the field) and frees the slot of a client that disconnects', async () => {
    const bounded = Fastify({ logger: false })
    bounded.setErrorHandler(handleError)
    for (const schema of SHARED_SCHEMAS) bounded.addSchema(schema)
    consulRoutes(bounded, registry, { datacenter: 'eu-1', maxBlockingQueries: 1 })
    await bounded.listen({ host: '127.0.0.1', port: 0 })
    try {
      const port = (bounded.server.address() as AddressInfo).port
      const index = (await bounded.inject({ url: '/v1/catalog/nodes' })).headers['x-consul-index']
      const aborted = new AbortController()
      const hanging = new Promise<void>((resolve) => {
        const req = httpRequest({ host: '127.0.0.1', port, path: `/v1/catalog/nodes?index=${index}&wait=5m`, signal: aborted.signal })
        req.on('error', () => { resolve() })
        req.end()
      })
      await vi.waitFor(async () => {
        // A 1 ms wait: while the slot is free this probe takes it only for a moment.
        const refused = await bounded.inject({ url: `/v1/catalog/nodes?index=${index}&wait=1ms` })
        expect(refused.statusCode).toBe(429)
        expect(refused.json()).toMatchObject({ code: 'ERR_TOO_MANY_BLOCKING_QUERIES', field: 'querystring.index' })
      }, { timeout: 5_000, interval: 50 })
      aborted.abort()
      await hanging
      await vi.waitFor(async () => {
        expect((await bounded.inject({ url: `/v1/catalog/nodes?index=${index}&wait=50ms` })).statusCode).toBe(200)
      }, { timeout: 5_000, interval: 50 })
    } finally {
      await bounded.close()
    }
  })
})

describe('Consul agent writes', () => {
  it('registers with a TTL check, takes pass/warn/fail/update, and deregisters', async () => {
    const registered = await put('/v1/agent/service/register', { Name: 'web', ID: 'web-1', Address: '10.0.2.1', Port: 80, Tags: ['a'], Meta: { version: '1.2.3' }, Check: { TTL: '10s', DeregisterCriticalServiceAfter: '1m' } })
    expect(registered.statusCode).toBe(200)
    const web = (): string | undefined => registry.lookup('web', { includeUnhealthy: true }).find((i) => i.id === 'web-1')?.status
    expect(registry.lookup('web', { includeUnhealthy: true })[0]).toMatchObject({ version: '1.2.3', tags: ['a'], metadata: { version: '1.2.3' }, status: 'critical' })
    expect((await put('/v1/agent/check/pass/service:web-1')).statusCode).toBe(200)
    await vi.waitFor(() => { expect(web()).toBe('passing') }, { timeout: 2_000 })
    await put('/v1/agent/check/warn/service:web-1?note=slow')
    await vi.waitFor(() => { expect(web()).toBe('warning') }, { timeout: 2_000 })
    await put('/v1/agent/check/update/service:web-1', { Status: 'critical', Output: 'down' })
    await vi.waitFor(() => { expect(web()).toBe('critical') }, { timeout: 2_000 })

    const unknown = await put('/v1/agent/check/pass/service:nope')
    expect(unknown.statusCode).toBe(404)
    expect(unknown.json()).toMatchObject({ field: 'params.checkId' })
    expect((await put('/v1/agent/check/update/service:web-1', { Status: 'fine' })).json()).toMatchObject({ field: 'body.Status' })

    expect((await put('/v1/agent/service/deregister/web-1')).statusCode).toBe(200)
    expect(registry.lookup('web', { includeUnhealthy: true })).toEqual([])
    expect((await put('/v1/agent/service/deregister/web-1')).json()).toMatchObject({ field: 'params.id' })
  })

  it('runs an HTTP check itself, and folds several checks into one status with ids service:<id>:<n>', async () => {
    const noTtl = await put('/v1/agent/service/register', { Name: 'probed', Port: 81, Check: { HTTP: 'http://127.0.0.1:1/health', Interval: '10s', Timeout: '1s' } })
    expect(noTtl.statusCode).toBe(200)
    expect(registry.lookup('probed', { includeUnhealthy: true })[0]).toMatchObject({ id: 'probed', address: '127.0.0.1', version: '0.0.0' })
    expect((await put('/v1/agent/check/pass/service:probed')).json()).toMatchObject({ field: 'params.checkId' })

    await put('/v1/agent/service/register', { Name: 'multi', ID: 'm-1', Port: 82, Checks: [{ TTL: '5s' }, { TTL: '5s', Status: 'passing' }] })
    const multi = (): string | undefined => registry.lookup('multi', { includeUnhealthy: true })[0]?.status
    expect((await put('/v1/agent/check/pass/service:m-1:1')).statusCode).toBe(200)
    expect((await put('/v1/agent/check/pass/service:m-1:2')).statusCode).toBe(200)
    await vi.waitFor(() => { expect(multi()).toBe('passing') }, { timeout: 3_000 })
    await put('/v1/agent/check/fail/service:m-1:2')
    await vi.waitFor(() => { expect(multi()).toBe('critical') }, { timeout: 3_000 })
    expect((await put('/v1/agent/check/pass/service:m-1')).statusCode).toBe(404)
  })

  it('answers 400 naming the Consul field', async () => {
    for (const [body, field] of [
      [{ Name: 'x', Port: 1, Check: { TTL: 'soon' } }, 'body.Check.TTL'],
      [{ Name: 'x', Port: 1, Check: { HTTP: 'http://h/' } }, 'body.Check.Interval'],
      [{ Name: 'x', Port: 1, Check: { HTTP: 'http://h/', Interval: '1s', Timeout: '2s' } }, 'body.Check.Timeout'],
      [{ Name: 'x', Port: 1, Check: { GRPC: 'h:1', Interval: '1s' } }, 'body.Check.GRPC'],
      [{ Name: 'x', Port: 1, Checks: [{ TTL: '1s' }, { Script: 'x' }] }, 'body.Checks[1].Script'],
      [{ Name: 'x', Port: 1, Meta: { version: 'one' } }, 'body.Meta.version'],
      [{ Name: 'x', Port: 1, Connect: {} }, 'body.Connect'],
      [{ Name: 'x' }, 'body.Port']
    ] as const) {
      const answer = await put('/v1/agent/service/register', body)
      expect(answer.statusCode, JSON.stringify(body)).toBe(400)
      expect(answer.json().field, JSON.stringify(body)).toBe(field)
    }
  })

  it('takes the token as X-Consul-Token as well as Authorization: Bearer', async () => {
    const body = { Name: 'tok', Port: 9 }
    expect((await secured.inject({ method: 'PUT', url: '/v1/agent/service/register', payload: body })).statusCode).toBe(401)
    expect((await secured.inject({ method: 'PUT', url: '/v1/agent/service/register', payload: body, headers: { 'x-consul-token': 'wrong' } })).statusCode).toBe(401)
    expect((await secured.inject({ method: 'PUT', url: '/v1/agent/service/register', payload: body, headers: { 'x-consul-token': 's3cret' } })).statusCode).toBe(200)
    expect((await secured.inject({ method: 'PUT', url: '/v1/agent/service/deregister/tok', headers: { authorization: 'Bearer s3cret' } })).statusCode).toBe(200)
  })
})

describe('Prometheus HTTP SD and the heartbeat state', () => {
  it('lists target groups with labels, filtered by ?service=', async () => {
    await registry.register({ service: 'metrics', version: '3.0.0', address: '::1', port: 9100, tags: ['x'], metadata: { zone: 'z1', 'k8s.pod': 'p' }, id: 'm-9' })
    const all = await app.inject({ url: '/v1/sd/prometheus' })
    expect(all.headers['content-type']).toMatch(/^application\/json/)
    const groups = (await app.inject({ url: '/v1/sd/prometheus?service=metrics' })).json()
    expect(groups).toEqual([{
      targets: ['[::1]:9100'],
      labels: expect.objectContaining({ __meta_gossip_registry_service: 'metrics', __meta_gossip_registry_version: '3.0.0', __meta_gossip_registry_tags: ',x,', __meta_gossip_registry_zone: 'z1', __meta_gossip_registry_metadata_k8s_pod: 'p', __meta_gossip_registry_status: 'passing' })
    }])
    expect(all.json().length).toBeGreaterThan(groups.length)
  })

  it('a classic heartbeat reports ?status= and still renews only the caller', async () => {
    const { id } = (await app.inject({ method: 'POST', url: '/beating/1.0.0/register', payload: { address: '10.0.3.1', port: 7 } })).json()
    const beat = await app.inject({ method: 'PUT', url: `/beating/1.0.0/heartbeat?id=${id}&status=warning` })
    expect(beat.json()).toEqual({ success: true, renewed: [id] })
    await vi.waitFor(() => { expect(registry.lookup('beating')[0]?.status).toBe('warning') }, { timeout: 2_000 })
    await app.inject({ method: 'GET', url: '/beating/1.0.0/heartbeat?status=passing', remoteAddress: '10.0.3.1' })
    await vi.waitFor(() => { expect(registry.lookup('beating')[0]?.status).toBe('passing') }, { timeout: 2_000 })
    expect((await app.inject({ method: 'GET', url: '/beating/1.0.0/heartbeat?status=sick', remoteAddress: '10.0.3.1' })).json()).toMatchObject({ field: 'querystring.status' })
  })
})
