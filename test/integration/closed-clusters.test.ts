/**
 * Closed clusters: a pre-shared network key keeps nodes without it from connecting at all, and an allow-list
 * refuses records (and connections) of peers not on it.
 */
import { multiaddr } from '@multiformats/multiaddr'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { InvalidOptionError, type Registry } from '../../src/index.js'
import { Cluster, newKey } from '../support/cluster.js'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'

const KEY = 'a3'.repeat(32)
const OTHER_KEY = '5c'.repeat(32)
let cluster: Cluster

afterEach(async () => {
  await cluster.stopAll()
})

async function alivePeers (node: Registry): Promise<string[]> {
  return node.members().filter((m) => m.state === 'alive').map((m) => m.peerId).sort()
}

describe('networkKey', () => {
  it('lets nodes with the key form a cluster and keeps others out', async () => {
    cluster = new Cluster()
    const a = await cluster.start({ networkKey: KEY })
    const b = await cluster.start({ networkKey: KEY })
    await vi.waitFor(async () => { expect(await alivePeers(a)).toEqual([a.peerId, b.peerId].sort()) }, { timeout: 10_000 })

    const outsider = await cluster.start({ networkKey: OTHER_KEY })
    const open = await cluster.start({ networkKey: undefined })
    for (const stranger of [outsider, open]) {
      // Dialling the keyed node directly fails: the connection cannot even be set up.
      const dial = (stranger as unknown as { network: { node: { dial: (ma: unknown) => Promise<unknown> } } }).network.node.dial(multiaddr(a.multiaddrs[0]!))
      await expect(dial).rejects.toThrow()
    }
    await b.register({ service: 'secret', version: '1.0.0', address: 's.local', port: 1 })
    await vi.waitFor(() => { expect(a.lookup('secret')).toHaveLength(1) }, { timeout: 10_000 })
    expect(outsider.lookup('secret')).toEqual([])
    expect(open.lookup('secret')).toEqual([])
    expect(await alivePeers(a)).toEqual([a.peerId, b.peerId].sort())
  })

  it('must be 64 hex digits', async () => {
    cluster = new Cluster()
    await expect(cluster.start({ networkKey: 'short' })).rejects.toBeInstanceOf(InvalidOptionError)
  })
})

describe('allowPeers', () => {
  it('accepts records only from the peers listed', async () => {
    cluster = new Cluster()
    const [keyA, keyB, keyC] = await Promise.all([newKey(), newKey(), newKey()])
    const ids = [keyA, keyB].map((key) => peerIdFromPrivateKey(key).toString())
    // a only accepts a and b; b accepts everyone and so relays c's records to a.
    const a = await cluster.start({ privateKey: keyA, allowPeers: ids })
    const b = await cluster.start({ privateKey: keyB })
    const c = await cluster.start({ privateKey: keyC, bootstrap: [b.multiaddrs[0]!] })
    await c.register({ service: 'intruder', version: '1.0.0', address: 'c.local', port: 1 })
    await b.register({ service: 'friend', version: '1.0.0', address: 'b.local', port: 1 })
    await vi.waitFor(() => {
      expect(a.lookup('friend')).toHaveLength(1)
      expect(b.lookup('intruder')).toHaveLength(1)
    }, { timeout: 10_000 })
    await vi.waitFor(() => { expect(a.stats.snapshot().rejected['not-allowed'] ?? 0).toBeGreaterThan(0) }, { timeout: 10_000 })
    expect(a.lookup('intruder')).toEqual([])
    expect(a.members().map((m) => m.peerId)).not.toContain(c.peerId)
  })
})
