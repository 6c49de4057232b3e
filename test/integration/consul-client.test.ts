/**
 * The npm `consul` client (2.x, a client nobody here wrote) against a real agent gateway on loopback: it registers
 * a service with a TTL check, passes the check, watches the service with blocking queries, and sees it go critical
 * when the TTL lapses. The agent has a token, which the client sends as `X-Consul-Token`.
 */
import type { AddressInfo } from 'node:net'
import Consul from 'consul'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createGateway } from '../../src/gateway/server.js'
import { createRegistry, PRESETS, type Registry } from '../../src/index.js'

interface Entry { Service: { ID: string, Port: number }, Checks: Array<{ CheckID: string, Status: string }> }

let registry: Registry
let gateway: FastifyInstance
let consul: Consul

beforeAll(async () => {
  registry = await createRegistry({ ...PRESETS.test, logPrefix: 'consul-client' })
  gateway = await createGateway(registry, { token: 'tok3n' })
  await gateway.listen({ host: '127.0.0.1', port: 0 })
  consul = new Consul({ host: '127.0.0.1', port: (gateway.server.address() as AddressInfo).port, defaults: { token: 'tok3n' } })
})

afterAll(async () => {
  consul?.destroy()
  await gateway?.close()
  await registry?.stop()
})

describe('the npm consul client', () => {
  it('registers with a TTL check, passes it, watches, and sees it go critical when the TTL lapses', async () => {
    // consul@2.0.1's typings require a check `name` and `timeout`; the client sends `timeout` only with probe checks.
    await consul.agent.service.register({ name: 'ttl-svc', id: 'ttl-1', address: '127.0.0.1', port: 7_001, tags: ['t'], check: { name: 'alive', ttl: '2s', timeout: '1s' } })
    expect(await consul.catalog.service.list()).toMatchObject({ 'ttl-svc': ['t'] })
    expect(await consul.agent.self()).toMatchObject({ Config: { Datacenter: 'default', NodeName: registry.peerId } })
    expect(await consul.status.leader()).toMatch(/^127\.0\.0\.1:\d+$/)

    const statuses: string[] = []
    const errors: Error[] = []
    const watch = consul.watch({ method: consul.health.service, options: { service: 'ttl-svc', wait: '5s' } })
    watch.on('change', (entries: Entry[]) => { statuses.push(entries.map((e) => e.Checks.find((c) => c.CheckID === 'service:ttl-1')?.Status).join()) })
    watch.on('error', (err: Error) => { errors.push(err) })
    try {
      // Consul's TTL checks start critical until the first report.
      await vi.waitFor(() => { expect(statuses).toEqual(['critical']) }, { timeout: 10_000 })
      await consul.agent.check.pass('service:ttl-1')
      await vi.waitFor(() => { expect(statuses.at(-1)).toBe('passing') }, { timeout: 10_000 })
      expect((await consul.health.service({ service: 'ttl-svc', passing: true }) as Entry[]).map((e) => e.Service.ID)).toEqual(['ttl-1'])
      // No more reports: the 2 s TTL lapses and the blocked watch is woken with the critical instance.
      await vi.waitFor(() => { expect(statuses.at(-1)).toBe('critical') }, { timeout: 10_000 })
      expect(await consul.health.service({ service: 'ttl-svc', passing: true })).toEqual([])
      expect(errors).toEqual([])
    } finally {
      watch.end()
    }
    await consul.agent.service.deregister('ttl-1')
    expect(await consul.catalog.service.nodes('ttl-svc')).toEqual([])
  })
})
