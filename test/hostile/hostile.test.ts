/**
 * A hostile peer joins a three-node cluster and sends, on the records topic, the heartbeat protocol and the
 * anti-entropy protocol: random bytes, oversized messages, bad signatures, records claiming another owner,
 * tombstones for others' instances, replays of old versions, stamps far in the future, unknown frames, and a
 * flood of 10 000 records a second. No honest table changes, every node keeps serving lookups, the attacker's
 * score falls and it is banned, and every rejection is counted by reason.
 */
import { RecordEnvelope } from '@libp2p/peer-record'
import { peerIdFromString } from '@libp2p/peer-id'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Registry } from '../../src/index.js'
import { encodePayload } from '../../src/record/codec.js'
import type { InstanceRecord } from '../../src/record/types.js'
import type { TableEntry } from '../../src/table/entry.js'
import { Cluster } from '../support/cluster.js'
import { Attacker } from './attacker.js'

let cluster: Cluster
let attacker: Attacker | undefined
let flooder: Attacker | undefined

afterEach(async () => {
  await attacker?.stop()
  await flooder?.stop()
  await cluster.stopAll()
})

/** Every honest owner's entries at a node, as owner/id -> stamp and deletion. */
function honestTable (node: Registry, honest: readonly string[]): Record<string, string> {
  const table = (node as unknown as { replica: { table: { ownerEntries: (o: string) => TableEntry[] } } }).replica.table
  return Object.fromEntries(honest.flatMap((owner) => table.ownerEntries(owner)
    .filter((e) => e.record.kind === 'instance')
    .map((e) => [`${owner}/${e.record.id}`, `${e.record.stamp.wall}.${e.record.stamp.logical}:${e.record.deleted}`])))
}

describe('a hostile peer', () => {
  it('changes no honest table, stops no lookup, and is scored down, counted and banned', async () => {
    cluster = new Cluster()
    // Signing and sending a 10 000-record flood from this same process starves every node's event loop for a
    // while: generous liveness timings keep this test about hostile input, not about a starved host.
    const nodes = await cluster.startMany(3, { suspectAfter: 10_000, deadAfter: 60_000, selfPreservationLimit: 120_000 })
    const honest = nodes.map((n) => n.peerId)
    const victim = nodes[1]!
    const first = await victim.register({ service: 'orders', version: '2.0.0', address: '10.0.0.2', port: 80 })
    const oldEnvelope = (victim as unknown as { replica: { table: { get: (o: string, i: string) => TableEntry } } }).replica.table.get(victim.peerId, first.id).envelope
    await victim.update(first.id, { weight: 7 })
    await vi.waitFor(() => { for (const n of nodes) expect(n.lookup('orders')).toMatchObject([{ weight: 7 }]) }, { timeout: 10_000 })
    const before = nodes.map((n) => honestTable(n, honest))

    attacker = await Attacker.start()
    const target = nodes[0]!
    await attacker.join(target.multiaddrs[0]!, target.peerId)

    const signed = RecordEnvelope.createFromProtobuf(await attacker.ownRecord())
    const victimKey = peerIdFromString(victim.peerId).publicKey!
    const asVictim: InstanceRecord = { kind: 'instance', deleted: false, owner: victim.peerId, id: first.id, namespace: 'default', stamp: { wall: Date.now(), logical: 0 }, service: 'orders', version: '6.6.6', address: '6.6.6.6', port: 666, tags: [], metadata: {}, weight: 1, status: 'passing' }
    const attacks: Array<[string, Uint8Array]> = [
      ['random bytes', Uint8Array.from({ length: 300 }, (_, i) => (i * 151) & 0xff)],
      ['oversized', new Uint8Array(4_096 + 200).fill(7)],
      ['bad signature', new RecordEnvelope({ ...signed, payload: encodePayload({ ...asVictim, owner: attacker.peerId }) }).marshal()],
      ['claims another owner', new RecordEnvelope({ ...signed, publicKey: victimKey, payload: encodePayload(asVictim) }).marshal()],
      ['tombstone of the victim\'s instance', await attacker.ownRecord({ id: first.id, deleted: true } as never)],
      ['replay of an old version', oldEnvelope],
      ['stamp far in the future', await attacker.ownRecord({ id: 'future', stamp: { wall: Date.now() + 3_600_000, logical: 0 } })]
    ]
    for (const [, data] of attacks) await attacker.publish(data)
    await attacker.sendFrames(target.peerId, 'sync', [Uint8Array.from([0x08, 0x63, 0x12, 0x00]), Uint8Array.from([0xff, 0xff, 0xff])])
    await attacker.sendFrames(target.peerId, 'beat', [Uint8Array.from([0x0a, 0x05, 0x01, 0x02]), new Uint8Array(64).fill(0xee)])

    // The flood, from a second attacker (the first is graylisted by now, so its gossip no longer even reaches
    // validation): 10 000 validly signed records of its own within about a second.
    flooder = await Attacker.start()
    await flooder.join(target.multiaddrs[0]!, target.peerId)
    const flood = await Promise.all(Array.from({ length: 10_000 }, async (_, i) => flooder!.ownRecord({ id: `flood-${i}` })))
    for (const data of flood) await flooder.publish(data).catch(() => {})

    await vi.waitFor(() => {
      const rejected = target.stats.snapshot().rejected
      for (const reason of ['malformed', 'oversized', 'bad-signature', 'future-stamp', 'rate-limited'] as const) {
        expect(rejected[reason] ?? 0, reason).toBeGreaterThan(0)
      }
    }, { timeout: 20_000, interval: 100 })
    // Both are scored below the graylist threshold (their gossip is no longer even validated) or, struck out,
    // disconnected.
    const connected = (): string[] => (target as unknown as { network: { connectedPeers: () => string[] } }).network.connectedPeers()
    await vi.waitFor(() => {
      for (const peer of [attacker!.peerId, flooder!.peerId]) expect(target.peerScore(peer) < -80 || !connected().includes(peer), peer).toBe(true)
    }, { timeout: 10_000 })

    // Garbage on the heartbeat protocol (which gossipsub does not score) earns strikes, then a ban: the attacker
    // is disconnected and cannot come back.
    await attacker.sendFrames(target.peerId, 'beat', Array.from({ length: 30 }, () => new Uint8Array(64).fill(0xee)))
    await vi.waitFor(() => { expect(connected()).not.toContain(attacker!.peerId) }, { timeout: 10_000 })
    // Coming back does not work: the target drops the connection as soon as it learns who is calling.
    await attacker.node.dial(peerIdFromString(target.peerId), { signal: AbortSignal.timeout(5_000) }).catch(() => {})
    await vi.waitFor(() => {
      expect(attacker!.node.getConnections(peerIdFromString(target.peerId))).toHaveLength(0)
      expect(connected()).not.toContain(attacker!.peerId)
    }, { timeout: 10_000 })

    // Nothing honest changed anywhere, and every node still answers lookups.
    expect(nodes.map((n) => honestTable(n, honest))).toEqual(before)
    await vi.waitFor(() => {
      for (const node of nodes) expect(node.lookup('orders', { version: '^2' })).toMatchObject([{ owner: victim.peerId, weight: 7, address: '10.0.0.2' }])
    }, { timeout: 15_000, interval: 100 })
    // What the attacker may do is own its own records, within the limits: at most maxInstancesPerOwner of them.
    for (const node of nodes) expect(node.lookup('orders').filter((i) => i.owner === attacker!.peerId).length).toBeLessThanOrEqual(1_000)
  }, 90_000)
})
