/**
 * The payload codec: round trips of every kind, hostile payloads, and totality over arbitrary bytes.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { InvalidRecordError } from '../../../src/errors.js'
import { decodePayload, encodePayload } from '../../../src/record/codec.js'
import { RecordPayload, type InstancePayload } from '../../../src/record/record.pb.js'
import type { InstanceRecord, SignedRecord } from '../../../src/record/types.js'
import { checkRecord } from '../../../src/record/validate.js'
import { instanceOf, memberOf, numRuns, tombstoneOf } from './fixtures.js'

const owner = '12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN'
const instance = instanceOf(owner)
const tombstone = tombstoneOf(owner)
const member = memberOf(owner)
const records: Array<[string, SignedRecord]> = [['an instance', instance], ['a tombstone', tombstone], ['a member record', member]]

function instancePayload (fields: Partial<InstancePayload>): Uint8Array {
  const body: InstancePayload = { service: 'orders', version: '1.0.0', address: 'a', port: 1, tags: [], metadata: new Map(), weight: 1, status: 'PASSING' as InstancePayload.Status, maintenance: false, maintenanceReason: '', ...fields }
  return RecordPayload.encode({ namespace: 'default', id: 'i-1', stampWall: 1n, stampLogical: 0, instance: body })
}

/** Decodes, reporting anything thrown that is not an Error. */
function decodeTotal (bytes: Uint8Array): void {
  try {
    decodePayload(bytes, owner)
  } catch (err) {
    if (!(err instanceof Error)) throw new Error(`decodePayload threw a non-Error: ${String(err)}`)
  }
}

describe('encodePayload / decodePayload', () => {
  it.each(records)('round-trips %s', (_name, record) => {
    expect(decodePayload(encodePayload(record), owner)).toEqual(record)
  })

  it('round-trips records whose fields are all protobuf defaults (empty sub-messages still carry the kind)', () => {
    const empty = { owner, id: '', namespace: '', stamp: { wall: 0, logical: 0 } }
    const cases: SignedRecord[] = [
      { ...empty, kind: 'instance', deleted: false, service: '', version: '', address: '', port: 0, tags: [], metadata: {}, weight: 0, status: 'passing' },
      { ...empty, kind: 'instance', deleted: true, service: '' },
      { ...empty, kind: 'member', deleted: false, addrs: [], chain: { chainId: 0, anchor: new Uint8Array(0), length: 0 }, leaving: false }
    ]
    for (const record of cases) expect(decodePayload(encodePayload(record), owner)).toEqual(record)
  })

  it('round-trips an instance in maintenance, with and without a reason; a reason without the flag is dropped', () => {
    for (const reason of ['deploying 2.4', '']) {
      const record: InstanceRecord = { ...instance, status: 'critical', maintenance: { reason } }
      expect(decodePayload(encodePayload(record), owner)).toEqual(record)
      expect(checkRecord(record)).toBeUndefined()
    }
    const stray = decodePayload(instancePayload({ maintenanceReason: 'stray' }), owner)
    expect(stray).not.toHaveProperty('maintenance')
  })

  it('refuses an instance in maintenance that is not critical, or with an over-long reason, naming the field', () => {
    expect(checkRecord({ ...instance, status: 'passing', maintenance: { reason: '' } })).toMatchObject({ reason: 'invalid-record', detail: expect.stringContaining('`status`') })
    expect(checkRecord({ ...instance, status: 'critical', maintenance: { reason: 'x'.repeat(257) } })).toMatchObject({ reason: 'invalid-record', detail: expect.stringContaining('`maintenance.reason`') })
  })

  it('leaves the owner out of the payload: the owner is whoever signed it', () => {
    const bytes = encodePayload(instance)
    expect(Buffer.from(bytes).includes(Buffer.from(owner))).toBe(false)
    expect(decodePayload(bytes, 'someone-else').owner).toBe('someone-else')
  })

  it('round-trips non-ASCII strings and the largest safe stamp', () => {
    const record: InstanceRecord = { ...instance, metadata: { note: 'zoné ✓ 日本' }, stamp: { wall: Number.MAX_SAFE_INTEGER, logical: 0xffff_ffff } }
    expect(decodePayload(encodePayload(record), owner)).toEqual(record)
  })

  it.each([
    ['logical', { wall: 1, logical: 0x1_0000_0000 }],
    ['logical', { wall: 1, logical: -1 }],
    ['logical', { wall: 1, logical: 0.5 }],
    ['wall', { wall: Number.MAX_SAFE_INTEGER + 1, logical: 0 }]
  ])('refuses to encode a stamp whose %s part the wire cannot carry, instead of truncating it (%j)', (part, stamp) => {
    const encode = (): Uint8Array => encodePayload({ ...tombstone, stamp })
    expect(encode).toThrow(InvalidRecordError)
    expect(encode).toThrow(expect.objectContaining({ code: 'ERR_INVALID_RECORD', field: `stamp.${part}` }))
  })

  it('copies the chain anchor out of the received buffer', () => {
    const bytes = encodePayload(member)
    const decoded = decodePayload(bytes, owner)
    bytes.fill(0)
    expect(decoded).toEqual(member)
  })

  it('round-trips any record shape (property)', () => {
    const text = fc.string({ maxLength: 20 })
    const u32 = fc.integer({ min: 0, max: 0xffff_ffff })
    const header = fc.record({ id: text, namespace: text, stamp: fc.record({ wall: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), logical: u32 }) })
    const record: fc.Arbitrary<SignedRecord> = fc.oneof(
      fc.record({
        h: header, service: text, version: text, address: text, port: u32, tags: fc.array(text, { maxLength: 5 }),
        metadata: fc.dictionary(text, text, { maxKeys: 5, noNullPrototype: true }), weight: u32, status: fc.constantFrom('passing', 'warning', 'critical') as fc.Arbitrary<'passing'>
      }).map(({ h, ...f }) => ({ ...h, owner, kind: 'instance', deleted: false, ...f }) as const),
      fc.record({ h: header, service: text }).map(({ h, service }) => ({ ...h, owner, kind: 'instance', deleted: true, service }) as const),
      fc.record({ h: header, addrs: fc.array(text, { maxLength: 5 }), chainId: u32, anchor: fc.uint8Array({ maxLength: 20 }), length: u32, leaving: fc.boolean() })
        .map(({ h, addrs, chainId, anchor, length, leaving }) => ({ ...h, owner, kind: 'member', deleted: false, addrs, chain: { chainId, anchor, length }, leaving }) as const)
    )
    fc.assert(fc.property(record, (r) => {
      expect(decodePayload(encodePayload(r), owner)).toEqual(r)
    }), { numRuns })
  })
})

describe('decodePayload on hostile payloads', () => {
  it.each([
    ['a payload with no body', RecordPayload.encode({ namespace: 'default', id: 'i-1', stampWall: 1n, stampLogical: 0 }), /no body/],
    ['an empty payload', new Uint8Array(0), /no body/],
    ['a stamp beyond 2^53 - 1', RecordPayload.encode({ namespace: 'default', id: 'x', stampWall: 2n ** 53n, stampLogical: 0, tombstone: { service: 'x' } }), /safe integer/],
    ['an unknown status', Uint8Array.from([82, 2, 64, 7]), /enum/i],
    ['a truncated payload', encodePayload(instance).subarray(0, 20), /./],
    ['a thousand tags', instancePayload({ tags: Array.from({ length: 1000 }, (_, i) => `t${i}`) }), /too many elements/],
    ['a thousand metadata keys', instancePayload({ metadata: new Map(Array.from({ length: 1000 }, (_, i) => [`k${i}`, 'v'])) }), /too many elements/]
  ])('throws an Error for %s', (_name, bytes, message) => {
    expect(() => decodePayload(bytes, owner)).toThrow(message)
  })

  it('decodes a payload just over a limit, so checkRecord can name the field', () => {
    const record = decodePayload(instancePayload({ tags: Array.from({ length: 33 }, (_, i) => `t${i}`) }), owner)
    expect(checkRecord(record)?.detail).toMatch(/^Expected `tags` to be an array of at most 32 tags/)
  })

  it('either decodes or throws an Error on arbitrary bytes (property)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 512 }), decodeTotal), { numRuns })
  })

  it('either decodes or throws an Error on corrupted valid payloads (property)', () => {
    const valid = records.map(([, record]) => encodePayload(record))
    const corrupted = fc.tuple(fc.constantFrom(...valid), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), fc.nat())
      .map(([bytes, flips, cut]) => {
        const copy = Uint8Array.from(bytes)
        for (const [at, value] of flips) copy[at % copy.length] = value
        return copy.subarray(0, copy.length - (cut % 4))
      })
    fc.assert(fc.property(corrupted, decodeTotal), { numRuns })
  })
})
