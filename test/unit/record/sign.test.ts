/**
 * Codec round trips and the order of checks when opening an envelope from the network.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { RecordEnvelope } from '@libp2p/peer-record'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodePayload, encodePayload } from '../../../src/record/codec.js'
import { openRecord, sealRecord } from '../../../src/record/sign.js'
import type { InstanceRecord, InstanceTombstone, MemberRecord, SignedRecord } from '../../../src/record/types.js'

const numRuns = Number(process.env.FC_RUNS ?? 200)
const key = await generateKeyPair('Ed25519')
const owner = peerIdFromPrivateKey(key).toString()
const expect_ = { maxBytes: 4096, namespace: 'default' }

const instance: InstanceRecord = {
  kind: 'instance', deleted: false, owner, id: 'i-1', namespace: 'default', stamp: { wall: 1_700_000_000_000, logical: 3 },
  service: 'orders', version: '2.1.0', address: '10.0.0.1', port: 8080, tags: ['eu', 'canary'], metadata: { zone: 'a' }, weight: 5, status: 'warning'
}
const tombstone: InstanceTombstone = { kind: 'instance', deleted: true, owner, id: 'i-1', namespace: 'default', stamp: { wall: 1_700_000_000_001, logical: 0 }, service: 'orders' }
const member: MemberRecord = {
  kind: 'member', deleted: false, owner, id: '', namespace: 'default', stamp: { wall: 1_700_000_000_002, logical: 0 },
  addrs: ['/ip4/127.0.0.1/tcp/4001'], chain: { chainId: 77, anchor: new Uint8Array(16).fill(5), length: 4096 }, leaving: true
}

describe('record codec', () => {
  it.each([['an instance', instance], ['a tombstone', tombstone], ['a member record', member]] as Array<[string, SignedRecord]>)('round-trips %s', (_name, record) => {
    expect(decodePayload(encodePayload(record), owner)).toEqual(record)
  })

  it('either decodes or throws an Error on arbitrary bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      try {
        decodePayload(bytes, owner)
      } catch (err) {
        expect(err).toBeInstanceOf(Error)
      }
    }), { numRuns })
  })
})

describe('sealRecord / openRecord', () => {
  it('opens what it sealed, with the signer as owner', async () => {
    const sealed = await sealRecord(instance, key)
    expect(await openRecord(sealed, expect_)).toEqual({ ok: true, record: instance, envelope: sealed })
  })

  it('refuses to sign a record of another owner', async () => {
    const other = await generateKeyPair('Ed25519')
    await expect(sealRecord(instance, other)).rejects.toThrow(/cannot be signed/)
  })

  it('rejects oversized bytes before decoding them', async () => {
    expect(await openRecord(new Uint8Array(5000), expect_)).toMatchObject({ ok: false, rejection: { reason: 'oversized' } })
  })

  it('rejects random bytes as malformed', async () => {
    expect(await openRecord(Uint8Array.from([1, 2, 3, 4, 5]), expect_)).toMatchObject({ ok: false, rejection: { reason: 'malformed' } })
  })

  it('rejects a tampered envelope as bad-signature', async () => {
    const envelope = RecordEnvelope.createFromProtobuf(await sealRecord(instance, key))
    const forged = new RecordEnvelope({ ...envelope, payload: encodePayload({ ...instance, port: 9999 }) })
    expect(await openRecord(forged.marshal(), expect_)).toMatchObject({ ok: false, rejection: { reason: 'bad-signature' } })
  })

  it('rejects another payload type as wrong-type', async () => {
    const envelope = RecordEnvelope.createFromProtobuf(await sealRecord(instance, key))
    const other = new RecordEnvelope({ ...envelope, payloadType: Uint8Array.from([1, 2]) })
    expect(await openRecord(other.marshal(), expect_)).toMatchObject({ ok: false, rejection: { reason: 'wrong-type' } })
  })

  it('rejects a record of another namespace', async () => {
    const sealed = await sealRecord({ ...instance, namespace: 'staging' }, key)
    expect(await openRecord(sealed, expect_)).toMatchObject({ ok: false, rejection: { reason: 'wrong-namespace' } })
  })

  it('rejects a validly signed record that breaks a limit, naming the field', async () => {
    const sealed = await sealRecord({ ...instance, port: 0 }, key)
    expect(await openRecord(sealed, expect_)).toMatchObject({ ok: false, rejection: { reason: 'invalid-record', detail: expect.stringContaining('`port`') } })
  })
})
