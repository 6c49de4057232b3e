/**
 * A peer that publishes garbage and forged records on the records topic: every message is rejected and
 * counted by reason, the honest table is unchanged, and the honest node's gossipsub score of the sender drops.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey, peerIdFromString } from '@libp2p/peer-id'
import { RecordEnvelope } from '@libp2p/peer-record'
import { multiaddr } from '@multiformats/multiaddr'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { PRESETS, resolveConfig } from '../../src/index.js'
import { createNode, type RegistryLibp2p } from '../../src/net/node.js'
import { recordsTopic } from '../../src/net/protocols.js'
import { encodePayload } from '../../src/record/codec.js'
import { sealRecord } from '../../src/record/sign.js'
import type { InstanceRecord } from '../../src/record/types.js'
import { Cluster } from '../support/cluster.js'

let cluster: Cluster
let rogue: RegistryLibp2p | undefined

afterEach(async () => {
  await rogue?.stop()
  await cluster.stopAll()
})

describe('a peer gossiping hostile records', () => {
  it('is rejected message by message, and its score falls', async () => {
    cluster = new Cluster()
    const honest = await cluster.start()
    const victim = await cluster.start()
    await vi.waitFor(() => { expect(honest.members().filter((m) => m.state === 'alive')).toHaveLength(2) }, { timeout: 10_000 })
    await victim.register({ service: 'orders', version: '1.0.0', address: '10.0.0.1', port: 80 })
    await vi.waitFor(() => { expect(honest.lookup('orders')).toHaveLength(1) }, { timeout: 10_000 })
    const before = honest.lookup('orders')

    const rogueKey = await generateKeyPair('Ed25519')
    rogue = await createNode(resolveConfig({ ...PRESETS.test }), rogueKey)
    const topic = recordsTopic('default')
    rogue.services.pubsub.subscribe(topic)
    await rogue.dial(multiaddr(honest.multiaddrs[0]!))
    await vi.waitFor(() => { expect(rogue!.services.pubsub.getSubscribers(topic).map(String)).toContain(honest.peerId) }, { timeout: 10_000 })

    // A validly signed record of the rogue's own, then the same bytes re-labelled as the victim's.
    const own: InstanceRecord = {
      kind: 'instance', deleted: false, owner: peerIdFromPrivateKey(rogueKey).toString(), id: 'fake', namespace: 'default',
      stamp: { wall: Date.now(), logical: 0 }, service: 'orders', version: '1.0.0', address: '6.6.6.6', port: 666, tags: [], metadata: {}, weight: 1, status: 'passing'
    }
    const signed = RecordEnvelope.createFromProtobuf(await sealRecord(own, rogueKey))
    const victimKey = peerIdFromString(victim.peerId).publicKey!
    const forged = new RecordEnvelope({ ...signed, publicKey: victimKey, payload: encodePayload({ ...own, owner: victim.peerId }) })
    const zeros = new Uint8Array(200)
    const messages = [Uint8Array.from([0xde, 0xad, 0xbe, 0xef]), forged.marshal(), zeros]
    for (const data of messages) await rogue.services.pubsub.publish(topic, data)

    await vi.waitFor(() => {
      const rejected = honest.stats.snapshot().rejected
      expect(rejected.malformed ?? 0).toBeGreaterThanOrEqual(2)
      expect(rejected['bad-signature'] ?? 0).toBeGreaterThanOrEqual(1)
    }, { timeout: 10_000 })
    await vi.waitFor(() => { expect(honest.peerScore(rogue!.peerId.toString())).toBeLessThan(0) }, { timeout: 10_000 })
    expect(honest.lookup('orders')).toEqual(before)
  })
})
