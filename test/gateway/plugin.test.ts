/**
 * The gateway mounted in someone else's app: a Fastify app with its own routes and Fastify's default validation
 * registers `gatewayPlugin` under a prefix, and the routes, metrics and dashboard answer there with the gateway's
 * own rules (strict bodies, its error shape, its body limit) while the host's routes keep theirs. A node:http
 * server serves `metricsHandler`.
 */
import { createServer, type Server } from 'node:http'
import Fastify, { type FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { gatewayPlugin, metricsHandler } from '../../src/gateway/index.js'
import { createRegistry, PRESETS, type Registry } from '../../src/index.js'

let registry: Registry
let host: FastifyInstance

const instance = { service: 'orders', version: '2.1.0', address: '10.0.0.7', port: 8080 }

beforeAll(async () => {
  registry = await createRegistry({ ...PRESETS.test, mdns: false, logPrefix: 'plugin' })
  host = Fastify()
  host.post('/echo', async (request) => request.body)
  await host.register(gatewayPlugin, { registry, prefix: '/registry' })
  await host.ready()
})

afterAll(async () => {
  await host.close()
  await registry.stop()
})

describe('gatewayPlugin under a prefix', () => {
  it('serves the routes there, refusing unknown fields even though the host strips them', async () => {
    const refused = await host.inject({ method: 'POST', url: '/registry/v1/instances', payload: { ...instance, colour: 'red' } })
    expect(refused.statusCode).toBe(400)
    expect(refused.json()).toMatchObject({ success: false, code: 'ERR_VALIDATION', error: expect.stringContaining('colour') })
    expect(registry.lookup('orders')).toHaveLength(0)
    // The host's own route keeps Fastify's defaults: no schema, so the field goes through untouched.
    expect((await host.inject({ method: 'POST', url: '/echo', payload: { colour: 'red' } })).json()).toEqual({ colour: 'red' })

    const registered = await host.inject({ method: 'POST', url: '/registry/v1/instances', payload: instance })
    expect(registered.statusCode).toBe(201)
    const services = await host.inject({ method: 'GET', url: '/registry/v1/services' })
    expect(services.json()).toMatchObject({ services: ['orders'] })
    expect((await host.inject({ method: 'GET', url: '/registry/orders/2.1.0/getaddresses' })).json()).toEqual({ addresses: ['10.0.0.7:8080'] })
    expect((await host.inject({ method: 'GET', url: '/v1/services' })).statusCode).toBe(404)
  })

  it('answers its own unknown paths in its error shape and leaves the host its 404', async () => {
    const inside = await host.inject({ method: 'GET', url: '/registry/nothing-here' })
    expect(inside.statusCode).toBe(404)
    expect(inside.json()).toMatchObject({ success: false, code: 'ERR_NOT_FOUND' })
    const outside = await host.inject({ method: 'GET', url: '/nothing-here' })
    expect(outside.statusCode).toBe(404)
    expect(outside.json()).not.toHaveProperty('success')
  })

  it('bounds bodies on its routes only', async () => {
    const big = { ...instance, metadata: { blob: 'x'.repeat(20_000) } }
    expect((await host.inject({ method: 'POST', url: '/registry/v1/instances', payload: big })).statusCode).toBe(413)
    expect((await host.inject({ method: 'POST', url: '/echo', payload: big })).statusCode).toBe(200)
  })

  it('serves metrics without process metrics unless asked', async () => {
    const metrics = await host.inject({ method: 'GET', url: '/registry/metrics' })
    expect(metrics.statusCode).toBe(200)
    expect(metrics.headers['content-type']).toMatch(/^text\/plain/)
    expect(metrics.body).toMatch(/^gossip_registry_members\{state="alive"\} 1$/m)
    expect(metrics.body).not.toContain('process_cpu_user_seconds_total')
    expect(metrics.body).not.toContain('nodejs_heap_size_used_bytes')

    const withProcess = Fastify()
    await withProcess.register(gatewayPlugin, { registry, prefix: '/r', processMetrics: true })
    try {
      const body = (await withProcess.inject({ method: 'GET', url: '/r/metrics' })).body
      expect(body).toContain('process_cpu_user_seconds_total')
      expect(body).toMatch(/^gossip_registry_instances\{status="passing"\} 1$/m)
    } finally {
      await withProcess.close()
    }
  })

  it('serves the dashboard, whose page reads the API relative to itself', async () => {
    const page = await host.inject({ method: 'GET', url: '/registry/ui' })
    expect(page.statusCode).toBe(200)
    expect(page.headers['content-type']).toMatch(/^text\/html/)
    expect(page.body).toContain("get('v1/members')")
    expect(page.body).not.toMatch(/['"]\/v1\//)
    const root = await host.inject({ method: 'GET', url: '/registry' })
    expect(root.statusCode).toBe(302)
    expect(root.headers.location).toBe('/registry/ui')
  })

  it('documents its routes under the prefix', async () => {
    const doc = (await host.inject({ method: 'GET', url: '/registry/openapi.json' })).json() as { paths: Record<string, unknown> }
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/registry/v1/instances', '/registry/metrics']))
  })
})

describe('metricsHandler', () => {
  let server: Server | undefined

  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve))
  })

  it('serves the node\'s metrics from a node:http server', async () => {
    const handler = metricsHandler(registry)
    server = createServer((request, response) => {
      if (request.url === '/metrics') void handler(request, response)
      else response.writeHead(404).end()
    })
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as { port: number }
    const response = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5_000) })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
    const text = await response.text()
    expect(text).toMatch(/^gossip_registry_members\{state="alive"\} 1$/m)
    expect(text).toContain('# TYPE gossip_registry_convergence_lag_seconds histogram')
  })
})
