/**
 * Splitting gossipsub RPCs to the frame bound: every part fits, nothing is lost, duplicated or reordered.
 */
import { RPC } from '@chainsafe/libp2p-gossipsub/message'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { splitRpc } from '../../../src/net/gossip-frames.js'
import { GOSSIP_FRAME_BYTES, gossipFrameBytes, recordsTopic } from '../../../src/net/protocols.js'

const runs = Number(process.env.FC_RUNS ?? 200)
const topic = recordsTopic('default')
const id = (n: number): Uint8Array => new Uint8Array(32).fill(n % 256).map((byte, i) => i < 4 ? (n >> (8 * i)) & 0xff : byte)
const ids = (from: number, count: number): Uint8Array[] => Array.from({ length: count }, (_, i) => id(from + i))

/** Everything an RPC carries, flattened in order, so parts can be compared with the whole. */
function contents (parts: readonly RPC[]): unknown {
  return {
    subscriptions: parts.flatMap((p) => p.subscriptions),
    messages: parts.flatMap((p) => p.messages),
    graft: parts.flatMap((p) => p.control?.graft ?? []),
    prune: parts.flatMap((p) => p.control?.prune ?? []),
    ihave: parts.flatMap((p) => p.control?.ihave ?? []).flatMap((e) => e.messageIDs.map((m) => [e.topicID, m])),
    iwant: parts.flatMap((p) => p.control?.iwant ?? []).flatMap((e) => e.messageIDs),
    idontwant: parts.flatMap((p) => p.control?.idontwant ?? []).flatMap((e) => e.messageIDs)
  }
}

function message (bytes: number): RPC.Message {
  return { topic, data: new Uint8Array(bytes).fill(7) }
}

describe('splitRpc', () => {
  it('sends gossipsub\'s largest IHAVE (5 000 ids) in 10 frames, a receiver\'s per-heartbeat allowance', () => {
    const rpc: RPC = { subscriptions: [], messages: [], control: { ihave: [{ topicID: topic, messageIDs: ids(0, 5_000) }], iwant: [], graft: [], prune: [], idontwant: [] } }
    const parts = splitRpc(rpc, GOSSIP_FRAME_BYTES)
    expect(parts).toHaveLength(10)
    for (const part of parts) expect(RPC.encode(part).length).toBeLessThanOrEqual(GOSSIP_FRAME_BYTES)
    expect(contents(parts)).toEqual(contents([rpc]))
  })

  it('answers an IWANT for many full-size records in frames of a few records each', () => {
    const frame = gossipFrameBytes(4_096)
    const rpc: RPC = { subscriptions: [], messages: Array.from({ length: 40 }, () => message(4_096)), control: { ihave: [{ topicID: topic, messageIDs: ids(0, 300) }], iwant: [{ messageIDs: ids(1_000, 10) }], graft: [], prune: [{ topicID: topic, peers: [], backoff: 60 }], idontwant: [] } }
    const parts = splitRpc(rpc, frame)
    for (const part of parts) {
      expect(RPC.encode(part).length).toBeLessThanOrEqual(frame)
      expect(part.messages.length).toBeLessThanOrEqual(4)
    }
    expect(contents(parts)).toEqual(contents([rpc]))
  })

  it('sends a message larger than the bound alone, whole', () => {
    const rpc: RPC = { subscriptions: [{ subscribe: true, topic }], messages: [message(100), message(30_000), message(100)] }
    const parts = splitRpc(rpc, GOSSIP_FRAME_BYTES)
    expect(parts.map((p) => p.messages.length)).toEqual([1, 1, 1])
    expect(contents(parts)).toEqual(contents([rpc]))
  })

  it('fits every part and keeps every entry in order, whatever the mix', () => {
    const idList = fc.array(fc.uint8Array({ minLength: 1, maxLength: 40 }), { maxLength: 800 })
    const rpcs = fc.record({
      subscriptions: fc.array(fc.record({ subscribe: fc.boolean(), topic: fc.constant(topic) }), { maxLength: 3 }),
      messages: fc.array(fc.integer({ min: 0, max: 4_096 }).map(message), { maxLength: 30 }),
      control: fc.option(fc.record({
        ihave: fc.array(fc.record({ topicID: fc.constant(topic), messageIDs: idList }), { maxLength: 3 }),
        iwant: fc.array(fc.record({ messageIDs: idList }), { maxLength: 2 }),
        graft: fc.array(fc.record({ topicID: fc.constant(topic) }), { maxLength: 2 }),
        prune: fc.array(fc.record({ topicID: fc.constant(topic), peers: fc.constant<RPC.PeerInfo[]>([]), backoff: fc.nat(600) }), { maxLength: 2 }),
        idontwant: fc.array(fc.record({ messageIDs: idList }), { maxLength: 2 })
      }), { nil: undefined })
    })
    fc.assert(fc.property(rpcs, fc.integer({ min: gossipFrameBytes(4_096), max: 4 * GOSSIP_FRAME_BYTES }), (rpc, maxBytes) => {
      const parts = splitRpc(rpc, maxBytes)
      for (const part of parts) expect(RPC.encode(part).length).toBeLessThanOrEqual(maxBytes)
      expect(contents(parts)).toEqual(contents([rpc]))
    }), { numRuns: runs })
  })
})
