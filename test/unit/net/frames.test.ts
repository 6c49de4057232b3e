/**
 * Wire codecs of heartbeats and sync frames: round trips, and total decoding of hostile bytes.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { peerIdFromBytes, peerIdToBytes } from '../../../src/net/peer-ids.js'
import { decodeOwnBeat, decodeSyncFrame, encodeOwnBeat, encodeSyncFrame, encodeSyncMessage, joinSyncParts, type SyncFrameContent, type SyncMessage } from '../../../src/net/frames.js'
import { MAX_BEAT_FRAME_BYTES } from '../../../src/net/protocols.js'

const runs = Number(process.env.FC_RUNS ?? 200)
const owner = peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()

describe('peer id bytes', () => {
  it('round-trips an Ed25519 peer id', () => {
    expect(peerIdFromBytes(peerIdToBytes(owner))).toBe(owner)
  })

  it('refuses bytes that are not an Ed25519 peer id', () => {
    expect(peerIdFromBytes(new Uint8Array(0))).toBeUndefined()
    expect(peerIdFromBytes(Uint8Array.from([1, 2, 3]))).toBeUndefined()
    expect(peerIdFromBytes(new Uint8Array(200))).toBeUndefined()
  })
})

describe('own beats', () => {
  it('round-trip', () => {
    const beat = { chainId: 42, seq: 7, proof: new Uint8Array(16).fill(3), recordsStamp: { wall: 1_700_000_000_123, logical: 4 } }
    expect(decodeOwnBeat(encodeOwnBeat(beat))).toEqual(beat)
  })

  it('fits the beat frame limit with room to spare', () => {
    const beat = { chainId: 0xffff_ffff, seq: 1_000_000, proof: new Uint8Array(16).fill(0xff), recordsStamp: { wall: Number.MAX_SAFE_INTEGER, logical: 0xffff_ffff } }
    expect(encodeOwnBeat(beat).length).toBeLessThan(MAX_BEAT_FRAME_BYTES / 2)
  })

  it('never throws on arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
      const decoded = decodeOwnBeat(bytes)
      expect(decoded === undefined || typeof decoded.seq === 'number').toBe(true)
    }), { numRuns: runs })
  })
})

describe('sync frames', () => {
  it('round-trip every frame type', () => {
    const stamp = { wall: 1_700_000_000_000, logical: 2 }
    const frames = [
      { type: 'digest', partial: true, owners: [{ owner, fingerprint: new Uint8Array(8).fill(1), count: 3, maxStamp: stamp }] },
      { type: 'summary', owners: [{ owner, entries: [{ id: 'a', stamp, deleted: false, hash: new Uint8Array(8).fill(2) }, { id: 'b', stamp, deleted: true, hash: new Uint8Array(8) }] }] },
      { type: 'want', owners: [{ owner, ids: ['a', 'b'] }] },
      { type: 'want', owners: [{ owner, ids: ['c'] }], more: true },
      { type: 'records', envelopes: [Uint8Array.from([1, 2, 3])] },
      { type: 'done' }
    ] satisfies SyncFrameContent[]
    for (const frame of frames) expect(decodeSyncFrame(encodeSyncFrame(frame))).toEqual(frame)
  })

  it('sends a message that fits as one frame, the bytes a node that cannot join frames reads', () => {
    const want: SyncMessage = { type: 'want', owners: [{ owner, ids: ['a', 'b'] }] }
    expect(encodeSyncMessage(want)).toEqual([encodeSyncFrame(want)])
    expect(decodeSyncFrame(encodeSyncFrame(want))).not.toHaveProperty('more')
  })

  it('splits digests, summaries and wants into frames under the limit, and joins them back', async () => {
    const owners = await Promise.all(Array.from({ length: 40 }, async () => peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()))
    const stamp = fc.record({ wall: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), logical: fc.nat() })
    // Ids of up to 64 characters of up to 4 UTF-8 bytes: sizes are counted in bytes, not characters.
    const id = fc.string({ unit: fc.constantFrom('a', 'Z', '-', 'é', '€', '😀'), minLength: 1, maxLength: 64 })
    const hash = fc.uint8Array({ minLength: 8, maxLength: 8 })
    const groups = <T>(items: fc.Arbitrary<T>): fc.Arbitrary<Array<{ owner: string, items: T[] }>> =>
      fc.uniqueArray(fc.record({ owner: fc.constantFrom(...owners), items: fc.array(items, { maxLength: 30 }) }), { selector: (g) => g.owner, maxLength: 8 })
    const message: fc.Arbitrary<SyncMessage> = fc.oneof(
      fc.record({
        type: fc.constant('digest' as const),
        partial: fc.boolean(),
        owners: fc.uniqueArray(fc.record({ owner: fc.constantFrom(...owners), fingerprint: hash, count: fc.nat(), maxStamp: stamp }), { selector: (d) => d.owner, maxLength: 40 })
      }),
      groups(fc.record({ id, stamp, deleted: fc.boolean(), hash })).map((g) => ({ type: 'summary' as const, owners: g.map(({ owner, items }) => ({ owner, entries: items })) })),
      groups(id).map((g) => ({ type: 'want' as const, owners: g.map(({ owner, items }) => ({ owner, ids: items })) }))
    )
    const split = new Set<string>()
    fc.assert(fc.property(message, fc.integer({ min: 512, max: 4_096 }), (sent, limit) => {
      const frames = encodeSyncMessage(sent, limit)
      if (frames.length > 1) split.add(sent.type)
      for (const frame of frames) expect(frame.length).toBeLessThanOrEqual(limit)
      const parts = frames.map((frame) => decodeSyncFrame(frame)!)
      expect(parts.map((part) => part.more === true)).toEqual(parts.map((_, i) => i < parts.length - 1))
      expect(joinSyncParts(parts as [SyncFrameContent, ...SyncFrameContent[]])).toEqual(sent)
    }), { numRuns: runs })
    expect([...split].sort()).toEqual(['digest', 'summary', 'want'])
  })

  it('never throws on arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
      const decoded = decodeSyncFrame(bytes)
      expect(decoded === undefined || typeof decoded.type === 'string').toBe(true)
    }), { numRuns: runs })
  })
})
