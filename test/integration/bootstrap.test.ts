/**
 * A bootstrap address without `/p2p/<id>` (all an operator may know of a seed node) is dialled as the node
 * starts, not one heartbeat later.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { Cluster } from '../support/cluster.js'

let cluster: Cluster

afterEach(async () => {
  await cluster.stopAll()
})

/** Slow heartbeats, so a dial that waited for the first maintenance round would come 3 s late. */
const SLOW = { heartbeatInterval: 3_000, suspectAfter: 12_000, deadAfter: 30_000, selfPreservationLimit: 60_000, antiEntropyInterval: 30_000 }

describe('a bootstrap address without a peer id', () => {
  it('is dialled at start', async () => {
    cluster = new Cluster()
    const seed = await cluster.start(SLOW)
    const address = seed.multiaddrs[0]!.replace(/\/p2p\/.*$/, '')
    const startedAt = performance.now()
    const node = await cluster.start({ ...SLOW, bootstrap: [address] })
    const connected = (): string[] => (node as unknown as { network: { connectedPeers: () => string[] } }).network.connectedPeers()
    await vi.waitFor(() => { expect(connected()).toContain(seed.peerId) }, { timeout: 2_500, interval: 20 })
    // Well before the first maintenance round, a heartbeat (3 s) after start.
    expect(performance.now() - startedAt).toBeLessThan(SLOW.heartbeatInterval)
  }, 20_000)
})
