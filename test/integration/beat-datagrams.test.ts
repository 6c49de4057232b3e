/**
 * Beats as UDP datagrams (src/net/beat-datagrams.ts): observers offer UDP on each member's beat stream and take
 * the datagrams that carry the token they offered. A path that drops UDP, before or after the switch, must cost
 * no death; datagrams revoked after a stall come back; datagrams with tokens nobody offered must credit nobody.
 */
import { createSocket, Socket } from 'node:dgram'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { Engine } from '../../src/engine/engine.js'
import { InboundBeats, inboundBeatBounds } from '../../src/net/beat-links.js'
import { BeatOffer } from '../../src/net/wire.pb.js'
import { PRESETS, type Registry } from '../../src/index.js'
import { Cluster } from '../support/cluster.js'

const cluster = new Cluster()

afterEach(async () => {
  vi.restoreAllMocks()
  await cluster.stopAll()
})

/** Member changes seen by any node, by kind. */
function watchChanges (nodes: readonly Registry[]): { suspect: number, dead: number } {
  const seen = { suspect: 0, dead: 0 }
  for (const node of nodes) {
    node.addEventListener('member:suspect', () => { seen.suspect++ })
    node.addEventListener('member:dead', () => { seen.dead++ })
  }
  return seen
}

async function allAlive (nodes: readonly Registry[]): Promise<void> {
  await vi.waitFor(() => {
    for (const node of nodes) expect(node.members().filter((m) => m.state === 'alive')).toHaveLength(nodes.length)
  }, { timeout: 20_000, interval: 50 })
}

/** Waits until `count` more datagrams with a known token have arrived. */
async function datagramsArrive (spy: { mock: { calls: unknown[] } }, count: number): Promise<void> {
  const from = spy.mock.calls.length
  await vi.waitFor(() => { expect(spy.mock.calls.length - from).toBeGreaterThanOrEqual(count) }, { timeout: 10_000, interval: 50 })
}

/** Holds for `ms` (the window the test observes), then returns. */
async function during (ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms))
}

function udpPortOf (node: Registry): number {
  // Bound on the TCP port's number where it was free, which on loopback in a test it is.
  return Number(/\/tcp\/(\d+)/.exec(node.multiaddrs[0]!)![1])
}

describe('beats as datagrams', () => {
  it('carry the beats once observers confirm, and keep every member alive', async () => {
    const delivered = vi.spyOn(InboundBeats.prototype, 'datagram')
    const nodes = await cluster.startMany(4)
    await allAlive(nodes)
    await datagramsArrive(delivered, 50)
    const seen = watchChanges(nodes)
    await during(2_000)
    expect(seen).toEqual({ suspect: 0, dead: 0 })
    await allAlive(nodes)
  })

  it('cost nothing where the path drops UDP: the stream carries the beats', async () => {
    const sent = vi.spyOn(Socket.prototype, 'send').mockImplementation(function () { /* dropped on the path */ })
    const delivered = vi.spyOn(InboundBeats.prototype, 'datagram')
    const nodes = await cluster.startMany(4)
    await allAlive(nodes)
    const seen = watchChanges(nodes)
    await during(2_000)
    expect(sent).toHaveBeenCalled()
    expect(delivered).not.toHaveBeenCalled()
    expect(seen).toEqual({ suspect: 0, dead: 0 })
    await allAlive(nodes)
  })

  it('are revoked when they stop arriving, and nobody dies of it', async () => {
    const delivered = vi.spyOn(InboundBeats.prototype, 'datagram')
    const nodes = await cluster.startMany(4)
    await allAlive(nodes)
    await datagramsArrive(delivered, 50)
    const seen = watchChanges(nodes)
    vi.spyOn(Socket.prototype, 'send').mockImplementation(function () { /* the path starts dropping UDP */ })
    await during(3_000)
    // A suspicion is allowed (the revocation races an observer's suspectAfter); a death is not.
    expect(seen.dead).toBe(0)
    await allAlive(nodes)
  })

  it('come back after a revocation, once the observer offers again and the path carries them', async () => {
    const delivered = vi.spyOn(InboundBeats.prototype, 'datagram')
    const nodes = await cluster.startMany(3)
    await allAlive(nodes)
    await datagramsArrive(delivered, 30)
    // A stall, as far as the observers can tell: no datagram for longer than datagramsMs, so they revoke.
    const dropped = vi.spyOn(Socket.prototype, 'send').mockImplementation(function () { /* dropped */ })
    const revoked = vi.spyOn(InboundBeats.prototype as unknown as { tell: (inbound: unknown, offer: BeatOffer) => void }, 'tell')
    await vi.waitFor(() => { expect(revoked.mock.calls.some(([, offer]) => offer.state === BeatOffer.State.REVOKED)).toBe(true) }, { timeout: 10_000, interval: 50 })
    dropped.mockRestore()
    // Offered again `reofferMs` after the revocation, the senders take datagrams up again.
    const { reofferMs } = inboundBeatBounds(PRESETS.test.heartbeatInterval!)
    const before = delivered.mock.calls.length
    await vi.waitFor(() => { expect(delivered.mock.calls.length - before).toBeGreaterThanOrEqual(30) }, { timeout: reofferMs + 10_000, interval: 100 })
    await allAlive(nodes)
  }, 60_000)

  it('credit nobody when their token was never offered', async () => {
    const realSend = Socket.prototype.send as (this: Socket, msg: Uint8Array, port: number, address: string) => void
    // The members' own datagrams are dropped, so whatever UDP reaches a node is the attacker's.
    vi.spyOn(Socket.prototype, 'send').mockImplementation(function () { /* dropped */ })
    const nodes = await cluster.startMany(3)
    await allAlive(nodes)
    const target = nodes[1]!
    const checked = vi.spyOn(InboundBeats.prototype, 'datagram')
    const credited = vi.spyOn(Engine.prototype as unknown as { receiveBeats: (frame: Uint8Array, from: string) => void }, 'receiveBeats')
    const forged = new Set<string>()
    const attacker = createSocket('udp4')
    // Bound first: an unbound socket's send binds and then calls `send` again, which is the stub.
    await new Promise<void>((resolve) => { attacker.bind(0, '127.0.0.1', resolve) })
    try {
      const sizes = [0, 5, 17, 18, 60, 145, 400]
      for (let i = 0; i < 700; i++) {
        const datagram = Uint8Array.from({ length: sizes[i % sizes.length]! }, () => Math.floor(Math.random() * 256))
        if (datagram.length > 0 && i % 3 !== 0) datagram[0] = 1
        if (datagram.length > 17) forged.add(Buffer.from(datagram.subarray(17)).toString('hex'))
        realSend.call(attacker, datagram, udpPortOf(target), '127.0.0.1')
      }
      // Well-formed ones reach the token check (and stop there; a burst this size may lose some in the kernel);
      // the rest are dropped on their shape.
      await vi.waitFor(() => { expect(checked.mock.calls.length).toBeGreaterThan(20) }, { timeout: 5_000, interval: 20 })
    } finally {
      attacker.close()
    }
    const seen = watchChanges(nodes)
    await during(1_000)
    for (const [frame] of credited.mock.calls) expect(forged.has(Buffer.from(frame).toString('hex'))).toBe(false)
    expect(credited).toHaveBeenCalled()
    expect(seen).toEqual({ suspect: 0, dead: 0 })
    await allAlive(nodes)
  })
})
