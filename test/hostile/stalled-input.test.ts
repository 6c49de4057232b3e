/**
 * Input that starts and never finishes: beat frames sent in part on streams then left open, and TCP sockets
 * that never begin the libp2p handshake. Each is closed within its bound and counted by reason, while the
 * honest cluster keeps its members alive, converges on new records, and admits a new node at once.
 */
import { connect, type Socket } from 'node:net'
import type { Stream } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { PRESETS, resolveConfig, type Registry } from '../../src/index.js'
import { inboundBeatBounds } from '../../src/net/beat-links.js'
import type { RegistryLibp2p } from '../../src/net/node.js'
import { beatProtocol } from '../../src/net/protocols.js'
import { Cluster } from '../support/cluster.js'
import { Attacker } from './attacker.js'

const BEAT = beatProtocol('default')
const BOUNDS = inboundBeatBounds(resolveConfig(PRESETS.test).heartbeatInterval)
/** libp2p's bound on the handshake of an inbound connection, as src/net/node.ts sets it. */
const UPGRADE_TIMEOUT_MS = 5_000

let cluster: Cluster
const attackers: Attacker[] = []
const sockets: Socket[] = []
/** Aborted after each test: ends the writers that hold attackers' streams open. */
let hold = new AbortController()

afterEach(async () => {
  hold.abort()
  hold = new AbortController()
  for (const socket of sockets.splice(0)) socket.destroy()
  await Promise.allSettled(attackers.splice(0).map(async (attacker) => attacker.stop()))
  await cluster.stopAll()
})

function libp2pOf (node: Registry): RegistryLibp2p {
  return (node as unknown as { network: { node: RegistryLibp2p } }).network.node
}

/** Inbound beat streams at `node` from the given peers. */
function beatStreamsFrom (node: Registry, peers: readonly string[]): Stream[] {
  return libp2pOf(node).getConnections()
    .filter((connection) => peers.includes(connection.remotePeer.toString()))
    .flatMap((connection) => connection.streams)
    .filter((stream) => stream.protocol === BEAT && stream.direction === 'inbound')
}

/** Opens a beat stream from `attacker` to `peer`, writes `bytes`, then keeps it open writing nothing more. */
async function openAndStall (attacker: Attacker, peer: string, bytes: Uint8Array): Promise<Stream> {
  const stream = await attacker.node.dialProtocol(peerIdFromString(peer), BEAT, { signal: AbortSignal.timeout(5_000) })
  const signal = hold.signal
  stream.sink((async function * () {
    if (bytes.length > 0) yield bytes
    await new Promise((resolve) => { signal.addEventListener('abort', resolve) })
  })()).catch(() => {})
  return stream
}

/** Every honest node sees every other one alive, and no one was struck or banned. */
function expectHonestPeace (nodes: readonly Registry[]): void {
  for (const node of nodes) {
    expect(node.stats.snapshot()).toMatchObject({ strikes: 0, bans: 0 })
    const states = Object.fromEntries(node.members().map((m) => [m.peerId, m.state]))
    for (const other of nodes) expect(states[other.peerId], `${other.peerId} at ${node.peerId}`).toBe('alive')
  }
}

describe('stalled input', () => {
  it('closes beat streams holding half a frame within the frame bound, and idle ones within the idle bound', async () => {
    cluster = new Cluster()
    const nodes = await cluster.startMany(3)
    const target = nodes[0]!
    // A length prefix announcing 100 bytes (a beat frame may have 128), then only 10 of them.
    const halfFrame = Uint8Array.from([100, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10])
    const stalled: Stream[] = []
    for (let i = 0; i < 2; i++) {
      const attacker = await Attacker.start()
      attackers.push(attacker)
      await attacker.join(target.multiaddrs[0]!, target.peerId)
      // Four streams each: as many as a connection may open on the beat protocol.
      for (let s = 0; s < 4; s++) stalled.push(await openAndStall(attacker, target.peerId, halfFrame))
    }
    const idler = await Attacker.start()
    attackers.push(idler)
    await idler.join(target.multiaddrs[0]!, target.peerId)
    const idle = await openAndStall(idler, target.peerId, new Uint8Array(0))
    const halfSenders = attackers.slice(0, 2).map((a) => a.peerId)
    await vi.waitFor(() => { expect(beatStreamsFrom(target, halfSenders)).toHaveLength(8) }, { timeout: 5_000 })
    expect(beatStreamsFrom(target, [idler.peerId])).toHaveLength(1)

    // Closed by a sweep (every heartbeat interval) once the frame bound has passed: reset on the attacker's side.
    await vi.waitFor(() => {
      expect(stalled.filter((stream) => stream.status === 'open')).toHaveLength(0)
      expect(beatStreamsFrom(target, halfSenders)).toHaveLength(0)
    }, { timeout: BOUNDS.frameMs + 5_000, interval: 100 })
    expect(target.stats.snapshot().rejected.stalled).toBe(8)
    // A stream with no frame in progress is held to the longer idle bound, so it outlived the half frames.
    expect(idle.status).toBe('open')

    const added = await nodes[2]!.register({ service: 'after-stall', version: '1.0.0', address: '10.0.0.3', port: 80 })
    await vi.waitFor(() => {
      for (const node of nodes) expect(node.lookup('after-stall').map((i) => i.id)).toEqual([added.id])
    }, { timeout: 10_000 })

    await vi.waitFor(() => {
      expect(idle.status).not.toBe('open')
      expect(beatStreamsFrom(target, [idler.peerId])).toHaveLength(0)
    }, { timeout: BOUNDS.idleMs + 5_000, interval: 250 })
    // Idle is not counted: an honest sender that stopped observing this node looks the same.
    expect(target.stats.snapshot().rejected.stalled).toBe(8)
    expectHonestPeace(nodes)
  }, 60_000)

  it('lets a new node join through a node whose pending slots 80 idle sockets from its address try to fill', async () => {
    cluster = new Cluster()
    const nodes = await cluster.startMany(3)
    const target = nodes[0]!
    const { host, port } = multiaddr(target.multiaddrs[0]!).toOptions()
    const closed = new Set<Socket>()
    for (let i = 0; i < 80; i++) {
      const socket = connect(port, host)
      socket.on('error', () => {})
      socket.on('close', () => { closed.add(socket) })
      sockets.push(socket)
    }
    // One address holds at most a quarter of the 64 pending slots: the rest were closed as they came.
    await vi.waitFor(() => { expect(target.stats.snapshot().rejected['too-many-pending'] ?? 0).toBeGreaterThanOrEqual(64) }, { timeout: 5_000 })

    const newcomer = await cluster.start({ bootstrap: [target.multiaddrs[0]!] })
    const late = await newcomer.register({ service: 'late', version: '1.0.0', address: '10.0.0.9', port: 80 })
    await vi.waitFor(() => {
      for (const node of nodes) expect(node.lookup('late').map((i) => i.id)).toEqual([late.id])
    }, { timeout: 5_000 })
    // It got in while idle sockets still held pending slots, not after their handshake timeout freed them.
    expect(closed.size).toBeLessThan(80)

    await vi.waitFor(() => { expect(closed.size).toBe(80) }, { timeout: UPGRADE_TIMEOUT_MS + 5_000, interval: 100 })
    // Each socket was either closed for a newer one from its address or timed out in its handshake.
    await vi.waitFor(() => {
      const rejected = target.stats.snapshot().rejected
      expect(rejected.stalled ?? 0).toBeGreaterThan(0)
      expect((rejected.stalled ?? 0) + (rejected['too-many-pending'] ?? 0)).toBeGreaterThanOrEqual(80)
    }, { timeout: 2_000 })
    expectHonestPeace([...nodes, newcomer])
  }, 60_000)
})
