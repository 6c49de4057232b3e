/**
 * Attacks that once made honest nodes ban honest nodes, by making one relay pass on more than its neighbour
 * admits, or what the next hop refuses (issue 14, classes 1 to 4). In each, no honest node may strike another,
 * none may die, and a new registration must still reach every node.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Registry } from '../../src/index.js'
import { HashChain } from '../../src/membership/hash-chain.js'
import { encodeOwnBeat, encodeSyncFrame } from '../../src/net/frames.js'
import { sealRecord } from '../../src/record/sign.js'
import { Cluster } from '../support/cluster.js'
import { Attacker } from './attacker.js'
import { expectAllAlive, expectRegistrationConverges, watchBlame } from './honest.js'

let cluster: Cluster
const attackers: Attacker[] = []

afterEach(async () => {
  await Promise.allSettled(attackers.splice(0).map(async (a) => a.stop()))
  await cluster.stopAll()
})

/** Three honest nodes that all hold each other alive. */
async function honestCluster (options: Parameters<Cluster['startMany']>[1] = {}): Promise<Registry[]> {
  cluster = new Cluster()
  const nodes = await cluster.startMany(3, options)
  await vi.waitFor(() => { expectAllAlive(nodes) }, { timeout: 10_000 })
  return nodes
}

/** Attackers connected to `target` only, each with a key of its own. */
async function attackersAt (target: Registry, count: number): Promise<Attacker[]> {
  const started = await Promise.all(Array.from({ length: count }, async () => Attacker.start()))
  attackers.push(...started)
  for (const attacker of started) await attacker.join(target.multiaddrs[0]!, target.peerId)
  return started
}

const ownedBy = (node: Registry, owner: string): number => node.lookup('orders').filter((i) => i.owner === owner).length

describe('relays are never blamed for what they pass on', () => {
  it('an anti-entropy push of thousands of records (the amplifier) gets no relay struck', async () => {
    const nodes = await honestCluster()
    const blamed = watchBlame(nodes)
    const relay = nodes[0]!
    // One push by anti-entropy of 8 000 versions of 100 instances of the attacker's own: the relay gossips records
    // handed to it by their owner, as fast as it verifies them, well over what a neighbour admits from one peer.
    const [attacker] = await attackersAt(relay, 1)
    const before = relay.stats.snapshot().messagesIn.sync
    const stalledBefore = relay.stats.snapshot().rejected.stalled ?? 0
    const versions = await Promise.all(Array.from({ length: 8_000 }, async (_, i) => attacker!.ownRecord({ id: `push-${i % 100}`, stamp: { wall: Date.now(), logical: i } })))
    const frames = [0, 1, 2, 3].map((k) => encodeSyncFrame({ type: 'records', envelopes: versions.slice(k * 2_000, (k + 1) * 2_000) }))
    await attacker!.sendFrames(relay.peerId, 'sync', [...frames, encodeSyncFrame({ type: 'done' })])
    // The push is over: read whole, or cut off by the exchange's time limit on a busy machine (counted as stalled).
    // (The attacker never beats, so its instances die with it soon after.)
    await vi.waitFor(() => {
      const stats = relay.stats.snapshot()
      expect(stats.messagesIn.sync >= before + 8_000 || (stats.rejected.stalled ?? 0) > stalledBefore).toBe(true)
    }, { timeout: 30_000 })
    await expectRegistrationConverges(nodes[1]!, nodes)
    expectAllAlive(nodes)
    expect(blamed()).toEqual([])
  }, 60_000)

  it('two origins each under the record rate, relayed together (aggregation), get no relay struck', async () => {
    const nodes = await honestCluster()
    const blamed = watchBlame(nodes)
    const relay = nodes[0]!
    // Each origin gossips 1 900 versions of 100 instances: under the 2 000 burst each, twice that relayed.
    const origins = await attackersAt(relay, 2)
    const floods = await Promise.all(origins.map(async (origin) => Promise.all(Array.from({ length: 1_900 }, async (_, i) =>
      origin.ownRecord({ id: `agg-${i % 100}`, stamp: { wall: Date.now(), logical: i } })))))
    for (const [k, origin] of origins.entries()) for (const data of floods[k]!) await origin.publish(data).catch(() => {})
    await vi.waitFor(() => { for (const origin of origins) expect(ownedBy(relay, origin.peerId)).toBe(100) }, { timeout: 15_000 })
    await expectRegistrationConverges(nodes[2]!, nodes)
    expectAllAlive(nodes)
    expect(blamed()).toEqual([])
  }, 60_000)

  it('a node that must pull a fast-changing owner on every beat never pulls faster than it is served', async () => {
    // The puller drops all gossip, so every beat of the writer announces records it lacks: with 200 ms beats
    // that asks for five pulls a second, over the two a second a node serves one peer.
    cluster = new Cluster()
    const writer = await cluster.start()
    const puller = await cluster.start({ dropGossipRate: 1 })
    const third = await cluster.start()
    const nodes = [writer, puller, third]
    await vi.waitFor(() => { expectAllAlive(nodes) }, { timeout: 10_000 })
    const blamed = watchBlame(nodes)
    const instance = await writer.register({ service: 'orders', version: '1.0.0', address: '10.0.0.1', port: 80 })
    const deadline = Date.now() + 4_000
    for (let weight = 1; weight <= 40 && Date.now() < deadline; weight++) {
      await writer.update(instance.id, { weight })
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    const last = writer.lookup('orders')[0]!.weight
    await vi.waitFor(() => { expect(puller.lookup('orders')[0]?.weight).toBe(last) }, { timeout: 10_000 })
    expectAllAlive(nodes)
    expect(blamed()).toEqual([])
  }, 60_000)

  it('a member that signs two anchors for one chain (equivocation) pays for it alone', async () => {
    const nodes = await honestCluster()
    const blamed = watchBlame(nodes)
    const [x, y] = nodes as [Registry, Registry, Registry]
    const [attacker] = await attackersAt(x, 1)
    await attacker!.join(y.multiaddrs[0]!, y.peerId)
    // Two member records with one stamp and one chain id but different anchors, one handed to each node.
    const stamp = { wall: Date.now(), logical: 0 }
    const chains = [1, 2].map((fill) => HashChain.create(new Uint8Array(32).fill(fill), 100))
    const members = await Promise.all(chains.map(async (chain) => sealRecord({
      kind: 'member', deleted: false, owner: attacker!.peerId, id: '', namespace: 'default', stamp, addrs: [],
      chain: { chainId: 7, anchor: chain.anchor, length: chain.length }, leaving: false
    }, attacker!.key)))
    for (const [k, node] of [x, y].entries()) {
      await attacker!.sendFrames(node.peerId, 'sync', [encodeSyncFrame({ type: 'records', envelopes: [members[k]!] }), encodeSyncFrame({ type: 'done' })])
    }
    // Each node beats from the chain it was given; whichever anchor wins, one of the two nodes refutes those beats.
    for (const [k, node] of [x, y].entries()) {
      const beats = [1, 2, 3, 4, 5].map((seq) => encodeOwnBeat({ chainId: 7, seq, proof: chains[k]!.reveal(seq), recordsStamp: stamp }))
      await attacker!.sendFrames(node.peerId, 'beat', beats)
    }
    // Both nodes settle on one of the two records (the tie is broken the same way everywhere).
    const anchorAt = (node: Registry): string | undefined => {
      const record = (node as unknown as { replica: { memberRecord: (o: string) => { chain: { anchor: Uint8Array } } | undefined } }).replica.memberRecord(attacker!.peerId)
      return record === undefined ? undefined : Buffer.from(record.chain.anchor).toString('hex')
    }
    await vi.waitFor(() => {
      expect(anchorAt(x)).toBeDefined()
      expect(anchorAt(x)).toBe(anchorAt(y))
    }, { timeout: 10_000 })
    // Where the two records met, the evidence is counted, against the signer.
    await vi.waitFor(() => {
      expect([x, y].some((node) => (node.stats.snapshot().rejected.equivocation ?? 0) > 0)).toBe(true)
    }, { timeout: 10_000 })
    await expectRegistrationConverges(nodes[2]!, nodes)
    expectAllAlive(nodes)
    expect(blamed()).toEqual([])
  }, 60_000)
})
