/**
 * `registry.maintenance(id, { enable, reason })` between two embedded nodes: the switch travels in the record, so
 * the instance leaves the peer's lookups and comes back; what its check finds meanwhile is published when it ends.
 */
import { afterEach, describe, expect, it } from 'vitest'
import { UnknownInstanceError, type Registry } from '../../src/index.js'
import { Cluster } from '../support/cluster.js'
import { startHttp } from '../support/servers.js'

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

const poll = { timeout: 10_000, interval: 20 }
const shown = (node: Registry, service: string): Array<[string, string, string | undefined]> =>
  node.lookup(service, { includeUnhealthy: true }).map((i) => [i.id, i.status, i.maintenance?.reason])

describe('registry.maintenance', () => {
  it('takes an instance out of lookups at a peer and brings it back with the status it had', async () => {
    const [owner, peer] = await pair()
    await owner.register({ id: 'w-1', service: 'web', version: '1.0.0', address: '127.0.0.1', port: 80, status: 'warning' })
    await expect.poll(() => peer.lookup('web').length, poll).toBe(1)

    const held = await owner.maintenance('w-1', { enable: true, reason: 'deploy' })
    expect(held).toMatchObject({ status: 'critical', maintenance: { reason: 'deploy' } })
    await expect.poll(() => shown(peer, 'web'), poll).toEqual([['w-1', 'critical', 'deploy']])
    expect(peer.lookup('web')).toEqual([])

    // Switching on again only changes the reason; an update meanwhile changes what comes back.
    await owner.maintenance('w-1', { enable: true, reason: 'still deploying' })
    await owner.update('w-1', { status: 'passing', weight: 5 })
    await expect.poll(() => shown(peer, 'web'), poll).toEqual([['w-1', 'critical', 'still deploying']])
    // Registering the id again (as a restarted client would) keeps the operator's switch.
    await owner.register({ id: 'w-1', service: 'web', version: '1.0.0', address: '127.0.0.1', port: 80 })
    expect(owner.lookup('web')).toEqual([])

    const back = await owner.maintenance('w-1', { enable: false })
    expect(back.status).toBe('passing')
    expect(back).not.toHaveProperty('maintenance')
    await expect.poll(() => shown(peer, 'web'), poll).toEqual([['w-1', 'passing', undefined]])
  })

  it('lets the check run but not bring the instance back; what it found is published when maintenance ends', async () => {
    const [owner, peer] = await pair()
    const server = await startHttp(200)
    cleanups.push(server.close)
    await owner.register({ id: 'c-1', service: 'checked', version: '1.0.0', address: '127.0.0.1', port: server.port, check: { http: server.url, interval: 50, timeout: 40 } })
    await expect.poll(() => shown(peer, 'checked'), poll).toEqual([['c-1', 'passing', undefined]])
    await owner.maintenance('c-1', { enable: true })
    await expect.poll(() => shown(peer, 'checked'), poll).toEqual([['c-1', 'critical', '']])
    server.status = 503
    const hits = server.hits
    await expect.poll(() => server.hits, poll).toBeGreaterThan(hits + 2)
    server.status = 200
    const again = server.hits
    await expect.poll(() => server.hits, poll).toBeGreaterThan(again + 2)
    expect(shown(owner, 'checked')).toEqual([['c-1', 'critical', '']])
    server.status = 503
    await expect.poll(() => server.hits, poll).toBeGreaterThan(server.hits + 2)
    await owner.maintenance('c-1', { enable: false })
    await expect.poll(() => shown(peer, 'checked'), poll).toEqual([['c-1', 'critical', undefined]])
    server.status = 200
    await expect.poll(() => shown(peer, 'checked'), poll).toEqual([['c-1', 'passing', undefined]])
  })

  it('throws UnknownInstanceError for an id it does not own, and ends with a deregistration', async () => {
    const [owner] = await pair()
    await expect(owner.maintenance('nope', { enable: true })).rejects.toBeInstanceOf(UnknownInstanceError)
    await expect(owner.maintenance('nope', { enable: 'yes' as never })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT', argument: 'enable' })
    await owner.register({ id: 'd-1', service: 'gone', version: '1.0.0', address: '127.0.0.1', port: 80 })
    await owner.maintenance('d-1', { enable: true })
    await owner.deregister('d-1')
    const again = await owner.register({ id: 'd-1', service: 'gone', version: '1.0.0', address: '127.0.0.1', port: 80 })
    expect(again.status).toBe('passing')
    expect(again).not.toHaveProperty('maintenance')
  })
})
