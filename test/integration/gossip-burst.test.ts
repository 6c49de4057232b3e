/**
 * Gossipsub under a burst: a thousand registrations at once make the IHAVE list of one gossip window larger than
 * one gossip frame; it must be split so no gossip stream breaks. A gossip stream that is lost anyway, with its
 * connection still up, must be opened again. Eight real nodes on loopback (PRESETS.test timings).
 */
import type { GossipSub } from '@chainsafe/libp2p-gossipsub'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Registry } from '../../src/index.js'
import type { RegistryLibp2p } from '../../src/net/node.js'
import { GOSSIP_FRAME_BYTES } from '../../src/net/protocols.js'
import { Cluster } from '../support/cluster.js'

/** Anti-entropy only on connect: records must travel by gossip. */
const options = { antiEntropyInterval: 600_000 }
/** A gossipsub message id is 32 bytes (sha256), 34 on the wire: more ids than this fill more than one frame. */
const IDS_PER_FRAME = Math.ceil(GOSSIP_FRAME_BYTES / 34)

let cluster: Cluster

afterEach(async () => {
  await cluster.stopAll()
})

function libp2pOf (node: Registry): RegistryLibp2p {
  return (node as unknown as { network: { node: RegistryLibp2p } }).network.node
}

function pubsubOf (node: Registry): GossipSub {
  return libp2pOf(node).services.pubsub as unknown as GossipSub
}

/** Per node: connected peers, and those with a gossipsub peer entry and both gossip streams. */
function gossipLinks (node: Registry): { connected: string[], gossiping: string[] } {
  const pubsub = pubsubOf(node)
  const connected = libp2pOf(node).getPeers().map(String).sort()
  const gossiping = pubsub.getPeers().map(String)
    .filter((peer) => pubsub.streamsInbound.has(peer) && pubsub.streamsOutbound.has(peer)).sort()
  return { connected, gossiping }
}

/** Every node alive everywhere, connected to every other (fewer than `targetPeers`), with both gossip streams. */
async function settled (nodes: readonly Registry[]): Promise<void> {
  await vi.waitFor(() => {
    for (const node of nodes) {
      const alive = node.members().filter((m) => m.state === 'alive').length
      expect(alive, `members alive at ${node.peerId}`).toBe(nodes.length)
      const others = nodes.filter((other) => other !== node).map((other) => other.peerId).sort()
      expect(gossipLinks(node), `links of ${node.peerId}`).toEqual({ connected: others, gossiping: others })
    }
  }, { timeout: 20_000, interval: 100 })
}

/** Resolves after `count` gossipsub heartbeats at every node: by then each has sent (and heard) its IHAVEs. */
async function heartbeats (nodes: readonly Registry[], count: number): Promise<void> {
  await Promise.all(nodes.map(async (node) => {
    const pubsub = pubsubOf(node)
    let seen = 0
    await new Promise<void>((resolve) => {
      const onBeat = (): void => {
        if (++seen < count) return
        pubsub.removeEventListener('gossipsub:heartbeat', onBeat)
        resolve()
      }
      pubsub.addEventListener('gossipsub:heartbeat', onBeat)
    })
  }))
}

describe('gossip under a burst', () => {
  it('splits frames: a burst of several frames of gossip breaks no gossip stream, and every node sees every record', async () => {
    cluster = new Cluster()
    const nodes = await cluster.startMany(8, options)
    await settled(nodes)
    const before = nodes.map(gossipLinks)
    const disconnects: string[] = []
    for (const node of nodes) libp2pOf(node).addEventListener('peer:disconnect', (event) => { disconnects.push(`${node.peerId} lost ${event.detail.toString()}`) })

    // Enough records that one gossip window's IHAVE list spans three frames (two full ones and a rest).
    const perNode = Math.ceil((2 * IDS_PER_FRAME) / nodes.length)
    const total = perNode * nodes.length
    const synced = (): number[] => nodes.map((node) => node.stats.snapshot().messagesIn.sync)
    const syncedBefore = synced()
    await Promise.all(nodes.map(async (node, n) => {
      await Promise.all(Array.from({ length: perNode }, async (_, i) =>
        node.register({ service: 'burst', version: '1.0.0', address: `10.1.${n}.${i % 250}`, port: 1_000 + i, metadata: { pad: 'x'.repeat(200) } })))
    }))
    await vi.waitFor(() => {
      for (const node of nodes) expect(node.lookup('burst'), `records at ${node.peerId}`).toHaveLength(total)
    }, { timeout: 10_000, interval: 50 })
    // By gossip alone: no record of the burst came by anti-entropy.
    expect(synced()).toEqual(syncedBefore)

    // The mcache gossips a message for three heartbeats: after four, every IHAVE of the burst has been handled.
    await heartbeats(nodes, 4)
    expect(disconnects).toEqual([])
    expect(nodes.map(gossipLinks)).toEqual(before)
  }, 60_000)

  it('opens a lost gossip stream again while its connection stays up', async () => {
    cluster = new Cluster()
    const nodes = await cluster.startMany(3, options)
    await settled(nodes)
    const [victim, peer] = [nodes[1]!, nodes[0]!]
    // Break the victim's inbound gossip stream from its peer as a bad frame would: gossipsub drops the peer.
    const stream = libp2pOf(victim).getConnections(libp2pOf(peer).peerId)
      .flatMap((connection) => connection.streams)
      .find((s) => s.direction === 'inbound' && s.protocol?.startsWith('/meshsub/') === true)
    expect(stream).toBeDefined()
    stream!.abort(new Error('test: gossip stream broken'))
    await vi.waitFor(() => { expect(gossipLinks(victim).gossiping).not.toContain(peer.peerId) }, { timeout: 5_000, interval: 20 })

    await settled(nodes)
    expect(gossipLinks(victim).connected).toContain(peer.peerId)
    await peer.register({ service: 'after', version: '1.0.0', address: '10.2.0.1', port: 80 })
    await vi.waitFor(() => { for (const node of nodes) expect(node.lookup('after')).toHaveLength(1) }, { timeout: 5_000, interval: 50 })
  }, 60_000)
})
