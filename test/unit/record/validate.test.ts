/**
 * Every limit of an instance, each with the field the error names (table-driven).
 */
import { describe, expect, it } from 'vitest'
import { InvalidRecordError } from '../../../src/errors.js'
import { checkRecord, validateInstanceFields, validatePatch } from '../../../src/record/validate.js'
import type { InstanceRecord } from '../../../src/record/types.js'

const valid = { service: 'orders', version: '2.1.0', address: '10.0.0.1', port: 8080 }

function thrown (fn: () => unknown): InvalidRecordError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidRecordError)
    return err as InvalidRecordError
  }
  throw new Error('expected a throw')
}

describe('validateInstanceFields', () => {
  it('applies defaults', () => {
    expect(validateInstanceFields(valid)).toEqual({ ...valid, tags: [], metadata: {}, weight: 1, status: 'passing' })
  })

  it.each([
    ['a host name', 'orders-1.svc.cluster.local'],
    ['an IPv4 address', '192.168.1.20'],
    ['an IPv6 address', 'fe80::1'],
    ['a full IPv6 address', '2001:0db8:0000:0000:0000:ff00:0042:8329'],
    ['an IPv4-mapped IPv6 address', '::ffff:10.0.0.1']
  ])('accepts %s as address', (_name, address) => {
    expect(validateInstanceFields({ ...valid, address }).address).toBe(address)
  })

  it.each([
    [{ ...valid, service: undefined }, 'service', 'Missing required field `service`'],
    [{ ...valid, service: '' }, 'service', 'Expected `service` to be a service name'],
    [{ ...valid, service: '-orders' }, 'service', 'Expected `service` to be a service name'],
    [{ ...valid, service: 'x'.repeat(65) }, 'service', 'service name of 1-64'],
    [{ ...valid, version: '2.1' }, 'version', 'Expected `version` to be a semantic version such as `2.1.0`, got `"2.1"` (string)'],
    [{ ...valid, version: 2 }, 'version', 'got `2` (number)'],
    [{ ...valid, address: 'bad host!' }, 'address', 'Expected `address` to be a host name or an IPv4 or IPv6 address'],
    [{ ...valid, address: '10.0.0.999' }, 'address', 'host name or an IPv4'],
    [{ ...valid, address: '1::2::3' }, 'address', 'host name or an IPv4'],
    [{ ...valid, port: 0 }, 'port', 'Expected `port` to be an integer from 1 to 65535, got `0` (number)'],
    [{ ...valid, port: 70000 }, 'port', 'Expected `port` to be an integer from 1 to 65535, got `70000` (number)'],
    [{ ...valid, port: 80.5 }, 'port', 'integer from 1 to 65535'],
    [{ ...valid, port: '80' }, 'port', 'got `"80"` (string)'],
    [{ ...valid, tags: 'eu' }, 'tags', 'Expected `tags` to be an array of strings'],
    [{ ...valid, tags: Array.from({ length: 33 }, (_, i) => `t${i}`) }, 'tags', 'at most 32 tags'],
    [{ ...valid, tags: ['eu', 'has space'] }, 'tags[1]', 'Expected `tags[1]` to be a tag of 1-64 printable characters'],
    [{ ...valid, tags: ['eu', ''] }, 'tags[1]', 'tag of 1-64'],
    [{ ...valid, tags: ['eu', 'eu'] }, 'tags[1]', 'a tag not already listed'],
    [{ ...valid, metadata: [] }, 'metadata', 'Expected `metadata` to be an object of string values'],
    [{ ...valid, metadata: { zone: 5 } }, 'metadata.zone', 'Expected `metadata.zone` to be a string of at most 512 characters, got `5` (number)'],
    [{ ...valid, metadata: { zone: 'x'.repeat(513) } }, 'metadata.zone', 'at most 512 characters'],
    [{ ...valid, metadata: { 'bad key': 'x' } }, 'metadata', 'Expected every `metadata` key'],
    [{ ...valid, metadata: Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, 'v'])) }, 'metadata', 'at most 32 keys'],
    [{ ...valid, weight: -1 }, 'weight', 'Expected `weight` to be an integer from 0 to 10000, got `-1` (number)'],
    [{ ...valid, weight: 10001 }, 'weight', 'integer from 0 to 10000'],
    [{ ...valid, status: 'down' }, 'status', 'Expected `status` to be one of `passing`, `warning`, `critical`, got `"down"` (string)'],
    [{ ...valid, colour: 'red' }, 'colour', 'Unknown field `colour`']
  ])('rejects %j naming `%s`', (input, field, message) => {
    const err = thrown(() => validateInstanceFields(input))
    expect(err.code).toBe('ERR_INVALID_RECORD')
    expect(err.field).toBe(field)
    expect(err.message).toContain(message)
  })

  it('rejects a non-object', () => {
    expect(thrown(() => validateInstanceFields('orders')).field).toBe('instance')
  })
})

describe('validatePatch', () => {
  it('returns only the fields given', () => {
    expect(validatePatch({ status: 'warning', weight: 3 })).toEqual({ status: 'warning', weight: 3 })
  })

  it.each([
    [{}, 'patch', 'at least one of'],
    [{ port: 1 }, 'port', 'Unknown field `port`'],
    [{ status: 'bad' }, 'status', 'one of `passing`'],
    [{ tags: [1] }, 'tags[0]', 'tag of 1-64'],
    [null, 'patch', 'Expected the patch to be an object']
  ])('rejects %j naming `%s`', (input, field, message) => {
    const err = thrown(() => validatePatch(input))
    expect(err.field).toBe(field)
    expect(err.message).toContain(message)
  })
})

describe('checkRecord', () => {
  const record: InstanceRecord = {
    kind: 'instance', deleted: false, owner: 'o', id: 'i-1', namespace: 'default', stamp: { wall: 1, logical: 0 },
    ...valid, tags: [], metadata: {}, weight: 1, status: 'passing'
  }

  it('accepts a valid record', () => {
    expect(checkRecord(record)).toBeUndefined()
  })

  it.each([
    [{ id: '' }, 'Expected `id` to be an id'],
    [{ id: 'has space' }, 'Expected `id`'],
    [{ namespace: '' }, 'Expected `namespace`'],
    [{ port: 0 }, 'Expected `port`'],
    [{ stamp: { wall: -1, logical: 0 } }, 'Expected `stamp.wall`']
  ])('rejects %j as invalid-record', (change, detail) => {
    expect(checkRecord({ ...record, ...change } as InstanceRecord)).toMatchObject({ reason: 'invalid-record', detail: expect.stringContaining(detail) })
  })

  it('checks member records', () => {
    const member = { kind: 'member', deleted: false, owner: 'o', id: '', namespace: 'default', stamp: { wall: 1, logical: 0 }, addrs: ['/ip4/1.2.3.4/tcp/1'], chain: { chainId: 1, anchor: new Uint8Array(16), length: 10 }, leaving: false } as const
    expect(checkRecord(member)).toBeUndefined()
    expect(checkRecord({ ...member, id: 'x' } as never)?.detail).toContain('`id`')
    expect(checkRecord({ ...member, chain: { ...member.chain, anchor: new Uint8Array(3) } })?.detail).toContain('`chain.anchor`')
    expect(checkRecord({ ...member, addrs: Array.from({ length: 17 }, () => '/ip4/1.2.3.4/tcp/1') })?.detail).toContain('`addrs`')
  })
})
