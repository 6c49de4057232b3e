/**
 * Sealing and opening envelopes: round trips, and the reason for every kind of refusal, in the order the
 * checks run.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { peerIdFromPrivateKey, peerIdFromPublicKey } from '@libp2p/peer-id'
import { RecordEnvelope } from '@libp2p/peer-record'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { encodePayload } from '../../../src/record/codec.js'
import { Envelope } from '../../../src/record/envelope.pb.js'
import { RECORD_CODEC, RECORD_DOMAIN, openRecord, sealRecord, type OpenResult } from '../../../src/record/sign.js'
import type { SignedRecord } from '../../../src/record/types.js'
import { instanceOf, memberOf, numRuns, tombstoneOf } from './fixtures.js'

const key = await generateKeyPair('Ed25519')
const owner = peerIdFromPrivateKey(key).toString()
const expectations = { maxBytes: 4096, namespace: 'default' }
const instance = instanceOf(owner)

/** Seals arbitrary payload bytes, with any domain and payload type: what a hostile peer can do. */
async function sealRaw (payload: Uint8Array, privateKey: PrivateKey, domain = RECORD_DOMAIN, codec = RECORD_CODEC): Promise<Uint8Array> {
  const record = { domain, codec, marshal: () => payload, equals: () => false }
  return (await RecordEnvelope.seal(record, privateKey)).marshal()
}

function rejection (result: OpenResult): { reason: string, detail: string } | undefined {
  return result.ok ? undefined : result.rejection
}

describe('sealRecord / openRecord', () => {
  it.each([['an instance', instance], ['a tombstone', tombstoneOf(owner)], ['a member record', memberOf(owner)]] as Array<[string, SignedRecord]>)('opens %s it sealed, with the signer as owner', async (_name, record) => {
    const sealed = await sealRecord(record, key)
    const received = Uint8Array.from(sealed)
    const opened = await openRecord(received, expectations)
    expect(opened).toEqual({ ok: true, record, envelope: sealed })
    // A fresh copy: what the table keeps does not alias the buffer the network handed in.
    received.fill(0)
    expect(opened).toEqual({ ok: true, record, envelope: sealed })
  })

  it('writes the very bytes libp2p\'s RecordEnvelope writes, and each opens what the other sealed', async () => {
    const ours = await sealRecord(instance, key)
    // Ed25519 signatures are deterministic, so the same key, domain, type and payload give the same envelope.
    const theirs = await sealRaw(encodePayload(instance), key)
    expect(ours).toEqual(theirs)
    const opened = await RecordEnvelope.openAndCertify(ours, RECORD_DOMAIN)
    expect(peerIdFromPublicKey(opened.publicKey).toString()).toBe(owner)
    expect(opened.payload).toEqual(encodePayload(instance))
    expect(await openRecord(theirs, expectations)).toEqual({ ok: true, record: instance, envelope: ours })
  })

  it('returns the canonical envelope when a relay re-encoded the unsigned public key (fields swapped)', async () => {
    const sealed = RecordEnvelope.createFromProtobuf(await sealRecord(instance, key))
    const raw = key.publicKey.raw
    const swappedKey = Uint8Array.from([0x12, raw.length, ...raw, 0x08, 0x01])
    const reframed = Envelope.encode({ publicKey: swappedKey, payloadType: sealed.payloadType, payload: sealed.payload, signature: sealed.signature })
    expect(await openRecord(reframed, expectations)).toEqual({ ok: true, record: instance, envelope: await sealRecord(instance, key) })
  })

  it.each([
    ['a key of 31 bytes', Uint8Array.from([0x08, 0x01, 0x12, 31, ...new Uint8Array(31)])],
    ['a key without a type', Uint8Array.from([0x12, 32, ...new Uint8Array(32)])],
    ['an unknown key type', Uint8Array.from([0x08, 0x09, 0x12, 32, ...new Uint8Array(32)])]
  ])('rejects an envelope carrying %s as malformed', async (_name, publicKey) => {
    const sealed = RecordEnvelope.createFromProtobuf(await sealRecord(instance, key))
    const bytes = Envelope.encode({ publicKey, payloadType: sealed.payloadType, payload: sealed.payload, signature: sealed.signature })
    expect(rejection(await openRecord(bytes, expectations))?.reason).toBe('malformed')
  })

  it('refuses to sign a record of another owner', async () => {
    const other = await generateKeyPair('Ed25519')
    await expect(sealRecord(instance, other)).rejects.toThrow(/cannot be signed by/)
  })

  it('returns the canonical envelope when a relay re-framed it (unknown field appended)', async () => {
    const sealed = await sealRecord(instance, key)
    const reframed = Uint8Array.from([...sealed, (15 << 3) | 2, 1, 0])
    expect(await openRecord(reframed, expectations)).toEqual({ ok: true, record: instance, envelope: sealed })
  })

  it('accepts an envelope of exactly maxBytes and rejects one byte more as oversized', async () => {
    const sealed = await sealRecord(instance, key)
    expect((await openRecord(sealed, { ...expectations, maxBytes: sealed.length })).ok).toBe(true)
    expect(rejection(await openRecord(sealed, { ...expectations, maxBytes: sealed.length - 1 }))).toEqual({
      reason: 'oversized', detail: `envelope of ${sealed.length} bytes, limit ${sealed.length - 1}`
    })
  })

  it('rejects oversized bytes before decoding them', async () => {
    expect(rejection(await openRecord(new Uint8Array(5000).fill(0xff), expectations))?.reason).toBe('oversized')
  })

  it.each([
    ['random bytes', Uint8Array.from([1, 2, 3, 4, 5])],
    ['nothing', new Uint8Array(0)],
    ['a truncated envelope', Uint8Array.from([0x0a, 0x24, 0x08, 0x01])]
  ])('rejects %s as malformed', async (_name, bytes) => {
    expect(rejection(await openRecord(bytes, expectations))?.reason).toBe('malformed')
  })

  it('rejects arbitrary bytes without throwing (property)', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 600 }), async (bytes) => {
      const result = await openRecord(bytes, expectations)
      expect(result.ok).toBe(false)
      expect(rejection(result)?.detail).toEqual(expect.any(String))
    }), { numRuns })
  })

  it('rejects a tampered payload as bad-signature', async () => {
    const envelope = RecordEnvelope.createFromProtobuf(await sealRecord(instance, key))
    const forged = new RecordEnvelope({ ...envelope, payload: encodePayload({ ...instance, port: 9999 }) })
    expect(rejection(await openRecord(forged.marshal(), expectations))?.reason).toBe('bad-signature')
  })

  it('rejects a tampered signature as bad-signature', async () => {
    const envelope = RecordEnvelope.createFromProtobuf(await sealRecord(instance, key))
    const signature = Uint8Array.from(envelope.signature)
    signature[10]! ^= 1
    const forged = new RecordEnvelope({ ...envelope, signature })
    expect(rejection(await openRecord(forged.marshal(), expectations))?.reason).toBe('bad-signature')
  })

  it('rejects a record claiming another owner\'s key as bad-signature', async () => {
    const victim = await generateKeyPair('Ed25519')
    const envelope = RecordEnvelope.createFromProtobuf(await sealRecord(instance, key))
    const forged = new RecordEnvelope({ ...envelope, publicKey: victim.publicKey })
    expect(rejection(await openRecord(forged.marshal(), expectations))?.reason).toBe('bad-signature')
  })

  it('rejects a signature made for another domain as bad-signature', async () => {
    const sealed = await sealRaw(encodePayload(instance), key, 'libp2p-peer-record')
    expect(rejection(await openRecord(sealed, expectations))?.reason).toBe('bad-signature')
  })

  it('rejects another payload type as wrong-type', async () => {
    const sealed = await sealRaw(encodePayload(instance), key, RECORD_DOMAIN, Uint8Array.from([0x03, 0x01]))
    expect(rejection(await openRecord(sealed, expectations))).toEqual({ reason: 'wrong-type', detail: 'envelope of payload type 0x0301, expected 0x677201' })
  })

  it('rejects a record signed by a non-Ed25519 key as invalid-record', async () => {
    const secp = await generateKeyPair('secp256k1')
    const sealed = await sealRaw(encodePayload({ ...instance, owner: peerIdFromPrivateKey(secp).toString() }), secp)
    expect(rejection(await openRecord(sealed, expectations))).toEqual({ reason: 'invalid-record', detail: 'owner key of type secp256k1; only Ed25519 owner keys are accepted' })
  })

  it('rejects a validly signed payload that does not decode as malformed', async () => {
    const sealed = await sealRaw(Uint8Array.from([0xff, 0xff, 0xff]), key)
    expect(rejection(await openRecord(sealed, expectations))?.detail).toMatch(/^undecodable payload: /)
    expect(rejection(await openRecord(await sealRaw(new Uint8Array(0), key), expectations))?.reason).toBe('malformed')
  })

  it('rejects a record of another namespace as wrong-namespace', async () => {
    const sealed = await sealRecord({ ...instance, namespace: 'staging' }, key)
    expect(rejection(await openRecord(sealed, expectations))).toEqual({ reason: 'wrong-namespace', detail: 'record of namespace "staging", expected "default"' })
  })

  it.each([
    ['port', { ...instance, port: 0 }],
    ['tags[1]', { ...instance, tags: ['eu', 'eu'] }],
    ['metadata.zone', { ...instance, metadata: { zone: 'x'.repeat(513) } }],
    ['id', { ...instance, id: '' }],
    ['chain.anchor', { ...memberOf(owner), chain: { chainId: 1, anchor: new Uint8Array(8), length: 10 } }]
  ] as Array<[string, SignedRecord]>)('rejects a validly signed record with a bad `%s` as invalid-record naming it', async (field, record) => {
    const result = rejection(await openRecord(await sealRecord(record, key), expectations))
    expect(result?.reason).toBe('invalid-record')
    expect(result?.detail).toMatch(new RegExp(`^Expected \`${field.replace(/[[\].]/g, '\\$&')}\` to be `))
  })
})
