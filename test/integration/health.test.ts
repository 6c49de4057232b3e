/**
 * Health checks of a node's own instances, against real local servers: results are published as the
 * instance's status and seen by a peer; long-critical instances are deregistered.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Registry } from '../../src/index.js'
import { Cluster } from '../support/cluster.js'
import { startHttp, startTcp } from '../support/servers.js'

let cluster: Cluster
const cleanups: Array<() => Promise<void>> = []

afterEach(async () => {
  await cluster.stopAll()
  await Promise.allSettled(cleanups.splice(0).map(async (close) => close()))
})

async function pair (): Promise<[Registry, Registry]> {
  cluster = new Cluster()
  return cluster.startPair()
}

async function statusAt (node: Registry, service: string, status: string): Promise<void> {
  await vi.waitFor(() => {
    expect(node.lookup(service, { includeUnhealthy: true }).map((i) => i.status)).toEqual([status])
  }, { timeout: 10_000, interval: 20 })
}

describe('health checks', () => {
  it('HTTP: 2xx passes, 429 warns, 5xx is critical, as seen from a peer', async () => {
    const [owner, peer] = await pair()
    const server = await startHttp(200)
    cleanups.push(server.close)
    const instance = await owner.register({ service: 'web', version: '1.0.0', address: '127.0.0.1', port: server.port, check: { http: server.url, interval: 100, timeout: 80 } })
    expect(instance.status).toBe('critical')
    await statusAt(peer, 'web', 'passing')
    server.status = 429
    await statusAt(peer, 'web', 'warning')
    server.status = 503
    await statusAt(peer, 'web', 'critical')
    expect(peer.lookup('web')).toEqual([])
    server.status = 204
    await statusAt(peer, 'web', 'passing')
  })

  it('HTTP: a server that does not answer within the timeout is critical', async () => {
    const [owner, peer] = await pair()
    const server = await startHttp(200)
    cleanups.push(server.close)
    await owner.register({ service: 'slow', version: '1.0.0', address: '127.0.0.1', port: server.port, check: { http: server.url, interval: 150, timeout: 100 } })
    await statusAt(peer, 'slow', 'passing')
    server.status = 'hang'
    await statusAt(peer, 'slow', 'critical')
  })

  it('TCP: a listening port passes, a closed one is critical', async () => {
    const [owner, peer] = await pair()
    const server = await startTcp()
    await owner.register({ service: 'db', version: '1.0.0', address: '127.0.0.1', port: server.port, check: { tcp: `127.0.0.1:${server.port}`, interval: 100 } })
    await statusAt(peer, 'db', 'passing')
    await server.close()
    await statusAt(peer, 'db', 'critical')
  })

  it('TTL: passes while the application reports in time, critical when it stops', async () => {
    const [owner, peer] = await pair()
    const instance = await owner.register({ service: 'worker', version: '1.0.0', address: 'w.local', port: 1, check: { ttl: 400 } })
    owner.pass(instance.id)
    await statusAt(peer, 'worker', 'passing')
    owner.warn(instance.id)
    await statusAt(peer, 'worker', 'warning')
    owner.pass(instance.id)
    await statusAt(peer, 'worker', 'passing')
    // No more reports: the TTL runs out.
    await statusAt(peer, 'worker', 'critical')
  })

  it('function: its result is the status; a throw is critical', async () => {
    const [owner, peer] = await pair()
    let result: boolean | 'warning' | Error = true
    await owner.register({
      service: 'custom', version: '1.0.0', address: 'c.local', port: 1,
      check: { interval: 100, fn: async () => { if (result instanceof Error) throw result; return result } }
    })
    await statusAt(peer, 'custom', 'passing')
    result = 'warning'
    await statusAt(peer, 'custom', 'warning')
    result = new Error('database unreachable')
    await statusAt(peer, 'custom', 'critical')
  })

  it('deregisters an instance critical for deregisterCriticalAfter, everywhere', async () => {
    const [owner, peer] = await pair()
    let healthy = true
    const instance = await owner.register({
      service: 'flaky', version: '1.0.0', address: 'f.local', port: 1,
      check: { interval: 50, fn: () => healthy, deregisterCriticalAfter: 300 }
    })
    await statusAt(peer, 'flaky', 'passing')
    healthy = false
    await vi.waitFor(() => { expect(peer.lookup('flaky', { includeUnhealthy: true })).toEqual([]) }, { timeout: 10_000 })
    await expect(owner.update(instance.id, { weight: 2 })).rejects.toMatchObject({ code: 'ERR_UNKNOWN_INSTANCE' })
  })

  it('refuses TTL reports for instances without a TTL check, and bad check definitions', async () => {
    const [owner] = await pair()
    const plain = await owner.register({ service: 'plain', version: '1.0.0', address: 'p.local', port: 1 })
    expect(() => { owner.pass(plain.id) }).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }))
    expect(() => { owner.pass('unknown') }).toThrow(expect.objectContaining({ code: 'ERR_UNKNOWN_INSTANCE' }))
    await expect(owner.register({ service: 'x', version: '1.0.0', address: 'x.local', port: 1, check: { ttl: -1 } })).rejects.toMatchObject({ code: 'ERR_INVALID_CHECK', field: 'check.ttl' })
    expect(owner.services()).toEqual(['plain'])
  })
})
