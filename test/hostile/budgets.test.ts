/**
 * Work a single peer's input can cost a node, whatever path it takes (issue 14, classes 5, 6 and 9): hashing for
 * forged beats, signature checks for a flood of copies over anti-entropy, and what fresh keys can make a node
 * store. Each asserts that the work stopped where its budget says, that the attacker (not an honest node) paid
 * for it, and that the honest cluster is unharmed.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { PRESETS, type Registry } from '../../src/index.js'
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

async function honestCluster (): Promise<Registry[]> {
  cluster = new Cluster()
  const nodes = await cluster.startMany(3)
  await vi.waitFor(() => { expectAllAlive(nodes) }, { timeout: 10_000 })
  return nodes
}

async function attackerAt (target: Registry): Promise<Attacker> {
  const attacker = await Attacker.start()
  attackers.push(attacker)
  await attacker.join(target.multiaddrs[0]!, target.peerId)
  return attacker
}

const rejected = (node: Registry, reason: string): number => (node.stats.snapshot().rejected as Record<string, number>)[reason] ?? 0
const connected = (node: Registry): string[] => (node as unknown as { network: { connectedPeers: () => string[] } }).network.connectedPeers()

describe('every path a peer sends on has a budget', () => {
  it('forged beats far along their chain cost one chain length of hashing, then nothing', async () => {
    const nodes = await honestCluster()
    const blamed = watchBlame(nodes)
    const target = nodes[0]!
    const attacker = await attackerAt(target)
    // A member with a 4 096-beat chain, so a beat claiming the end of it costs 4 096 hashes to refute.
    const chainId = 7
    await attacker.publish(await sealRecord({
      kind: 'member', deleted: false, owner: attacker.peerId, id: '', namespace: 'default', stamp: { wall: Date.now(), logical: 0 },
      addrs: [], chain: { chainId, anchor: new Uint8Array(16).fill(1), length: 4_096 }, leaving: false
    }, attacker.key))
    await vi.waitFor(() => { expect(target.members().some((m) => m.peerId === attacker.peerId)).toBe(true) }, { timeout: 5_000 })
    const forged = Array.from({ length: 60 }, (_, i) => encodeOwnBeat({ chainId, seq: 4_096 - i, proof: new Uint8Array(16).fill(i), recordsStamp: { wall: 0, logical: 0 } }))
    await attacker.sendFrames(target.peerId, 'beat', forged)
    await vi.waitFor(() => { expect(rejected(target, 'bad-proof') + rejected(target, 'rate-limited')).toBeGreaterThanOrEqual(20) }, { timeout: 10_000 })
    // Hashed: the first forged beat (the whole burst of the hashing budget), never the rest.
    expect(rejected(target, 'bad-proof')).toBe(1)
    // Every forged beat was the attacker's own doing: struck and banned.
    await vi.waitFor(() => { expect(connected(target)).not.toContain(attacker.peerId) }, { timeout: 10_000 })
    expect(target.stats.snapshot().bans).toBeGreaterThanOrEqual(1)
    await expectRegistrationConverges(nodes[1]!, nodes)
    expectAllAlive(nodes)
    expect(blamed()).toEqual([])
  }, 60_000)

  it('a frame of thousands of copies of one record over anti-entropy costs one signature check', async () => {
    const nodes = await honestCluster()
    const blamed = watchBlame(nodes)
    const target = nodes[0]!
    const attacker = await attackerAt(target)
    const copy = await attacker.ownRecord({ id: 'copied' })
    const before = target.stats.snapshot().messagesIn.sync
    // 1 MiB of one record: 5 700 copies, once 600 ms of signature checks.
    const copies = Array.from({ length: Math.floor(1_000_000 / (copy.length + 3)) }, () => copy)
    await attacker.sendFrames(target.peerId, 'sync', [encodeSyncFrame({ type: 'records', envelopes: copies }), encodeSyncFrame({ type: 'done' })])
    await vi.waitFor(() => { expect(rejected(target, 'duplicate')).toBe(1) }, { timeout: 10_000 })
    // The first copy was checked and applied; the second ended the exchange, the rest of the frame unread.
    expect(target.stats.snapshot().messagesIn.sync - before).toBeLessThan(10)
    await expectRegistrationConverges(nodes[2]!, nodes)
    expectAllAlive(nodes)
    expect(blamed()).toEqual([])
  }, 60_000)

  it('fresh keys cannot make a node store more than the budget of owners not yet established (Sybil owners)', async () => {
    const nodes = await honestCluster()
    const blamed = watchBlame(nodes)
    const target = nodes[0]!
    // A node takes every member it meets in its first deadAfter as established (the cluster as it found it).
    const joinedAt = Date.now()
    await vi.waitFor(() => { expect(Date.now() - joinedAt).toBeGreaterThan(PRESETS.test.deadAfter) }, { timeout: 5_000 })
    const attacker = await attackerAt(target)
    // Four fresh keys, 1 000 instances each (each within the per-owner cap), in one exchange.
    const keys = await Promise.all(Array.from({ length: 4 }, async () => generateKeyPair('Ed25519')))
    const frames = await Promise.all(keys.map(async (key) => {
      const owner = peerIdFromPrivateKey(key).toString()
      const envelopes = await Promise.all(Array.from({ length: 1_000 }, async (_, i) => sealRecord({
        kind: 'instance', deleted: false, owner, id: `sybil-${i}`, namespace: 'default', stamp: { wall: Date.now(), logical: 0 },
        service: 'orders', version: '6.6.6', address: '6.6.6.6', port: 666, tags: [], metadata: {}, weight: 1, status: 'passing'
      }, key)))
      return encodeSyncFrame({ type: 'records', envelopes })
    }))
    // The most sybil instances the target held at any moment (they die with their silent owners soon after).
    const sybils = new Set(keys.map((key) => peerIdFromPrivateKey(key).toString()))
    let held = 0
    let most = 0
    target.addEventListener('instance:up', (e) => { if (sybils.has(e.detail.instance.owner)) most = Math.max(most, ++held) })
    target.addEventListener('instance:down', (e) => { if (sybils.has(e.detail.instance.owner)) held-- })
    const before = target.stats.snapshot()
    await attacker.sendFrames(target.peerId, 'sync', [...frames, encodeSyncFrame({ type: 'done' })])
    // The push is over: read whole, or cut off by the exchange's time limit on a busy machine.
    await vi.waitFor(() => {
      const stats = target.stats.snapshot()
      expect(stats.messagesIn.sync >= before.messagesIn.sync + 4_000 || (stats.rejected.stalled ?? 0) > (before.rejected.stalled ?? 0)).toBe(true)
    }, { timeout: 30_000 })
    expect(most).toBeGreaterThan(0)
    expect(most).toBeLessThanOrEqual(2_000)
    // Whatever was read past the budget was refused as such.
    const read = target.stats.snapshot().messagesIn.sync - before.messagesIn.sync
    expect(rejected(target, 'owner-budget')).toBeGreaterThanOrEqual(Math.min(2_000, read - 2_000 - 50))
    await expectRegistrationConverges(nodes[1]!, nodes)
    expectAllAlive(nodes)
    expect(blamed()).toEqual([])
  }, 60_000)
})
