/**
 * A bootstrap address without `/p2p/<id>` (all an operator may know of a seed node) is dialled as the node
 * starts, not one heartbeat later. Nodes that found each other before their bootstrap peer was up keep dialling
 * it, and join it once it is: they do not stay an island.
 */
import { createServer } from 'node:net'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Registry } from '../../src/index.js'
import { GOSSIP_FANOUT } from '../../src/net/protocols.js'
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

/** A loopback TCP port free right now (the OS picks it; the socket is closed before it is used). */
async function freePort (): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen({ host: '127.0.0.1', port: 0 }, resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

function aliveCount (node: Registry): number {
  return node.members().filter((m) => m.state === 'alive').length
}

describe('nodes that found each other before their bootstrap peer', () => {
  it('join it once it is up, instead of staying an island', async () => {
    cluster = new Cluster()
    const port = await freePort()
    const seedAddress = `/ip4/127.0.0.1/tcp/${port}`
    // Both are given the seed, which is not up yet; the second also the first, so the two connect at once.
    const first = await cluster.start({ bootstrap: [seedAddress] })
    const second = await cluster.start({ bootstrap: [first.multiaddrs[0]!, seedAddress] })
    await vi.waitFor(() => { for (const node of [first, second]) expect(aliveCount(node)).toBe(2) }, { timeout: 10_000, interval: 50 })

    const seed = await cluster.start({ bootstrap: [], listen: [seedAddress] })
    // The seed dials nobody: the island must find it, within the longest dial back-off (30 s) and a margin.
    await vi.waitFor(() => {
      for (const node of [first, second, seed]) expect(aliveCount(node), `alive at ${node.peerId}`).toBe(3)
    }, { timeout: 40_000, interval: 100 })
  }, 60_000)
})


describe('a bootstrap peer that everyone joins through', () => {
  it('hangs up on members beyond twice targetPeers once they have found others, and the cluster stays whole', async () => {
    cluster = new Cluster()
    // One observer each: a node's beat peers (which it never sheds) are then at most two; with its gossip mesh (at
    // most gossipsub's Dhi, 6) that leaves it at most 12 peers, below the joiners.
    const options = { targetPeers: 2, observers: 1, observerQuorum: 1 }
    const kept = 2 + GOSSIP_FANOUT.meshHigh
    const seed = await cluster.start(options)
    const joiners = 16
    for (let i = 0; i < joiners; i++) await cluster.start({ ...options, bootstrap: [seed.multiaddrs[0]!] })
    const everyone = cluster.nodes
    const deaths: string[] = []
    for (const node of everyone) node.addEventListener('member:dead', (e) => { deaths.push(e.detail.member.peerId) })
    await vi.waitFor(() => {
      for (const node of everyone) expect(node.members().filter((m) => m.state === 'alive')).toHaveLength(everyone.length)
    }, { timeout: 20_000, interval: 100 })
    expect(seed.connectedPeers).toBeGreaterThan(2 * options.targetPeers + kept)
    // Twice targetPeers plus the peers it keeps, after the grace newcomers get (10 s).
    await vi.waitFor(() => { expect(seed.connectedPeers).toBeLessThanOrEqual(2 * options.targetPeers + kept) }, { timeout: 25_000, interval: 200 })
    for (const node of everyone) {
      expect(node.members().filter((m) => m.state === 'alive')).toHaveLength(everyone.length)
      expect(node.connectedPeers).toBeGreaterThan(0)
    }
    expect(deaths).toEqual([])
  }, 60_000)
})
