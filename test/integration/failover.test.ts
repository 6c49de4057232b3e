/**
 * call() against real local HTTP services: failover past a failing instance, timeouts, passive ejection and
 * recovery after the back-off, and the typed error when nothing answers.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { NoHealthyInstanceError, type Instance, type Registry } from '../../src/index.js'
import { Cluster } from '../support/cluster.js'
import { startHttp, type FakeService } from '../support/servers.js'

let cluster: Cluster
let services: FakeService[] = []

afterEach(async () => {
  await cluster.stopAll()
  await Promise.allSettled(services.map(async (s) => s.close()))
  services = []
})

/** GETs the instance and throws unless it answers 2xx. */
async function get (instance: Instance, signal: AbortSignal): Promise<number> {
  const response = await fetch(`http://${instance.address}:${instance.port}/`, { signal })
  await response.body?.cancel()
  if (!response.ok) throw new Error(`HTTP ${response.status}`)
  return instance.port
}

async function setup (statuses: Array<number | 'hang'>, options = {}): Promise<Registry> {
  cluster = new Cluster()
  const [provider, caller] = await cluster.startMany(2, { outlierFailures: 2, outlierEjection: 500, outlierMaxEjection: 2_000, ...options })
  services = await Promise.all(statuses.map(async (status) => startHttp(status)))
  for (const service of services) await provider!.register({ service: 'api', version: '1.0.0', address: '127.0.0.1', port: service.port })
  await vi.waitFor(() => { expect(caller!.lookup('api')).toHaveLength(statuses.length) }, { timeout: 10_000 })
  return caller!
}

describe('call() with failover', () => {
  it('answers every call although one instance fails, and ejects that instance', async () => {
    const caller = await setup([200, 500, 200])
    const bad = services[1]!
    for (let i = 0; i < 12; i++) expect(await caller.call('api', get, { strategy: 'round-robin' })).not.toBe(bad.port)
    // Round-robin reached the failing instance twice, which ejected it: it was not tried again.
    expect(bad.hits).toBe(2)
    expect(caller.ejected()).toHaveLength(1)
  })

  it('tries the next instance when one does not answer within the timeout', async () => {
    const caller = await setup(['hang', 200])
    const port = await caller.call('api', get, { strategy: 'round-robin', timeout: 200 })
    expect(port).toBe(services[1]!.port)
  })

  it('takes an ejected instance back after one successful trial call', async () => {
    const caller = await setup([500, 200])
    const flaky = services[0]!
    for (let i = 0; i < 4; i++) await caller.call('api', get, { strategy: 'round-robin' })
    expect(caller.ejected()).toHaveLength(1)
    flaky.status = 200
    // After the back-off the instance gets a trial call, succeeds, and is back in rotation.
    await vi.waitFor(async () => {
      await caller.call('api', get, { strategy: 'round-robin' })
      expect(caller.ejected()).toEqual([])
    }, { timeout: 5_000, interval: 100 })
    const before = flaky.hits
    for (let i = 0; i < 4; i++) await caller.call('api', get, { strategy: 'round-robin' })
    expect(flaky.hits).toBeGreaterThan(before)
  })

  it('throws NoHealthyInstanceError naming the service and what it tried', async () => {
    const caller = await setup([500, 503])
    const error = await caller.call('api', get, { retries: 5 }).catch((err: unknown) => err)
    expect(error).toBeInstanceOf(NoHealthyInstanceError)
    expect(error).toMatchObject({ code: 'ERR_NO_HEALTHY_INSTANCE', service: 'api' })
    expect((error as NoHealthyInstanceError).tried).toHaveLength(2)
    expect((error as Error).message).toMatch(/`api`.*tried 2 instance\(s\).*HTTP 50[03]/)
    await expect(caller.call('nothing', get)).rejects.toMatchObject({ code: 'ERR_NO_HEALTHY_INSTANCE', tried: [] })
  })

  it('validates its options', async () => {
    const caller = await setup([200])
    await expect(caller.call('api', get, { strategy: 'fastest' as never })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT', argument: 'strategy' })
    await expect(caller.call('api', get, { retries: -1 })).rejects.toMatchObject({ argument: 'retries' })
    await expect(caller.call('api', get, { timeout: 0 })).rejects.toMatchObject({ argument: 'timeout' })
    expect(() => caller.balancer('api', { version: 'x.y' })).toThrow(expect.objectContaining({ argument: 'version' }))
  })

  it('gives balancers that follow the table and prefer the local zone', async () => {
    cluster = new Cluster()
    const [provider, caller] = await cluster.startMany(2, { zone: 'eu' })
    const near = await provider!.register({ service: 'geo', version: '1.0.0', address: 'near.local', port: 1, metadata: { zone: 'eu' } })
    await provider!.register({ service: 'geo', version: '1.0.0', address: 'far.local', port: 2, metadata: { zone: 'us' } })
    await vi.waitFor(() => { expect(caller!.lookup('geo')).toHaveLength(2) }, { timeout: 10_000 })
    const local = caller!.balancer('geo', { locality: true })
    for (let i = 0; i < 4; i++) expect(local.pick()?.address).toBe('near.local')
    await provider!.deregister(near.id)
    await vi.waitFor(() => { expect(local.pick()?.address).toBe('far.local') }, { timeout: 10_000 })
  })
})
