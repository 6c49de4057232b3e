/**
 * The users' contract: the seed's client, call for call (method, path, JSON body), against the classic routes,
 * and the 400s and the `healthy: false` registration its body can ask for.
 */
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createGateway } from '../../src/gateway/server.js'
import { createRegistry, PRESETS, type Registry } from '../../src/index.js'

let registry: Registry
let app: FastifyInstance

beforeAll(async () => {
  registry = await createRegistry({ ...PRESETS.test, logPrefix: 'seed' })
  app = await createGateway(registry)
})

afterAll(async () => {
  await app.close()
  await registry.stop()
})

/** A call as the seed's client makes it: JSON text, from the host it registers (so its own address). */
async function seedCall (method: 'GET' | 'POST', url: string, from: string, body?: unknown): Promise<LightMyRequestResponse> {
  return await app.inject({
    method,
    url,
    remoteAddress: from,
    ...(body !== undefined && { headers: { 'content-type': 'application/json' }, payload: JSON.stringify(body) })
  })
}

describe("the seed's client", () => {
  it('registers, lists its address and heartbeats, unchanged', async () => {
    const registered = await seedCall('POST', '/orders/1.4.2/register', '10.1.2.3', { name: 'orders', version: '1.4.2', address: '10.1.2.3', port: 8080, healthy: true })
    expect(registered.statusCode).toBe(200)
    expect(registered.json()).toMatchObject({ success: true })

    const addresses = await seedCall('GET', '/orders/1.4.2/getaddresses', '10.1.2.3')
    expect(addresses.statusCode).toBe(200)
    expect(addresses.json().addresses).toEqual(['10.1.2.3:8080'])

    const beat = await seedCall('GET', '/orders/1.4.2/heartbeat', '10.1.2.3')
    expect(beat.statusCode).toBe(200)
    expect(beat.json()).toEqual({ success: true, renewed: [registered.json().id] })
  })

  it('registers `healthy: false` as critical, left out of getaddresses; `healthy` left out as passing', async () => {
    await seedCall('POST', '/payments/2.0.0/register', '10.1.2.4', { name: 'payments', version: '2.0.0', address: '10.1.2.4', port: 9090, healthy: false })
    await seedCall('POST', '/payments/2.0.0/register', '10.1.2.5', { name: 'payments', version: '2.0.0', address: '10.1.2.5', port: 9090 })
    const statuses = Object.fromEntries(registry.lookup('payments', { includeUnhealthy: true }).map((i) => [i.address, i.status]))
    expect(statuses).toEqual({ '10.1.2.4': 'critical', '10.1.2.5': 'passing' })
    expect((await seedCall('GET', '/payments/2.0.0/getaddresses', '10.1.2.4')).json().addresses).toEqual(['10.1.2.5:9090'])
  })

  it.each([
    ['name', { name: 'billing', version: '1.0.0' }, 'service `mismatch`'],
    ['version', { name: 'mismatch', version: '1.0.1' }, 'version `1.0.0`']
  ])('answers 400 naming body.%s when it differs from the path, and registers nothing', async (field, given, pathPart) => {
    const response = await seedCall('POST', '/mismatch/1.0.0/register', '10.1.2.6', { ...given, address: '10.1.2.6', port: 8080, healthy: true })
    expect(response.statusCode).toBe(400)
    expect(response.json()).toMatchObject({ success: false, field: `body.${field}` })
    expect(response.json().error).toContain(`body.${field}`)
    expect(response.json().error).toContain(pathPart)
    expect(registry.lookup('mismatch', { includeUnhealthy: true })).toEqual([])
  })
})
