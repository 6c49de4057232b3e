/**
 * Wire codecs of heartbeats and sync frames: round trips, and total decoding of hostile bytes.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { peerIdFromBytes, peerIdToBytes } from '../../../src/net/peer-ids.js'
import { decodeOwnBeat, decodeSyncFrame, encodeOwnBeat, encodeSyncFrame, type SyncMessage } from '../../../src/net/frames.js'
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
      { type: 'records', envelopes: [Uint8Array.from([1, 2, 3])] },
      { type: 'done' }
    ] satisfies SyncMessage[]
    for (const frame of frames) expect(decodeSyncFrame(encodeSyncFrame(frame))).toEqual(frame)
  })

  it('never throws on arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
      const decoded = decodeSyncFrame(bytes)
      expect(decoded === undefined || typeof decoded.type === 'string').toBe(true)
    }), { numRuns: runs })
  })
})
