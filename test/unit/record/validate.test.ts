/**
 * Every limit of a record, table-driven: values on each side of each limit, and the exact field the error or
 * rejection names. The same tables drive the API path (throws) and the network path (rejection).
 */
import { describe, expect, it } from 'vitest'
import { InvalidRecordError } from '../../../src/errors.js'
import { checkRecord, validateInstanceFields, validatePatch } from '../../../src/record/validate.js'
import type { SignedRecord } from '../../../src/record/types.js'
import { instanceOf, memberOf, tombstoneOf, validFields } from './fixtures.js'

const valid = validFields
const x = (n: number): string => 'x'.repeat(n)
const list = (n: number, make: (i: number) => string): string[] => Array.from({ length: n }, (_, i) => make(i))
const keys = (n: number): Record<string, string> => Object.fromEntries(list(n, (i) => `k${i}`).map((k) => [k, 'v']))
const host63 = `${x(63)}.example`
const host253 = [x(63), x(63), x(63), x(61)].join('.')

function thrown (fn: () => unknown): InvalidRecordError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidRecordError)
    return err as InvalidRecordError
  }
  throw new Error('expected an InvalidRecordError, nothing was thrown')
}

/** The field a rejection detail names: messages start with "Expected `field`" or name it in backticks. */
function fieldOf (detail: string): string | undefined {
  return /`([^`]+)`/.exec(detail)?.[1]
}

/** [field or key, accepted value]: values on the inside edge of each limit. */
const ACCEPTED: Array<[string, unknown]> = [
  ['service', 'a'], ['service', x(64)], ['service', 'Orders.v2_eu-1'], ['service', '9'],
  ['version', '1.0.0'], ['version', '2.1.0-rc.1'], ['version', '1.0.0+build.5'], ['version', '1.0.0-alpha.1+001'], ['version', `1.0.0-${x(58)}`],
  ['address', 'localhost'], ['address', 'orders-1.svc.cluster.local'], ['address', host63], ['address', host253], ['address', '1.example'],
  ['address', '0.0.0.0'], ['address', '255.255.255.255'], ['address', '::'], ['address', '::1'], ['address', 'fe80::1'],
  ['address', '2001:0db8:0000:0000:0000:ff00:0042:8329'], ['address', '::ffff:10.0.0.1'], ['address', '1:2:3:4:5:6:1.2.3.4'], ['address', '1::'],
  ['port', 1], ['port', 65_535],
  ['tags', []], ['tags', list(32, (i) => `t${i}`)], ['tags', [x(64)]], ['tags', ['!~', 'a=b', 'k:v']],
  ['metadata', {}], ['metadata', keys(32)], ['metadata', { [x(64)]: 'v' }], ['metadata', { zone: x(512) }], ['metadata', { zone: '' }],
  ['metadata', { 'k8s.io:pod_name-1': 'é ✓' }], ['metadata', Object.assign(Object.create(null) as object, { zone: 'a' })],
  ['weight', 0], ['weight', 10_000],
  ['status', 'passing'], ['status', 'warning'], ['status', 'critical']
]

/** [input change, field named, expected message part]: one or more values just outside each limit. */
const REJECTED: Array<[Record<string, unknown>, string, string]> = [
  [{ service: undefined }, 'service', 'Expected `service` to be a service name of 1-64 letters, digits, `.`, `_` or `-`, starting and ending with a letter or digit, got `undefined` (undefined)'],
  [{ service: '' }, 'service', 'service name of 1-64'],
  [{ service: '-orders' }, 'service', 'starting and ending with a letter or digit'],
  [{ service: 'orders-' }, 'service', 'starting and ending'],
  [{ service: 'or ders' }, 'service', 'got `"or ders"` (string)'],
  [{ service: 'or/ders' }, 'service', 'service name'],
  [{ service: x(65) }, 'service', 'service name of 1-64'],
  [{ service: 5 }, 'service', 'got `5` (number)'],
  [{ version: undefined }, 'version', 'got `undefined` (undefined)'],
  [{ version: '2.1' }, 'version', 'Expected `version` to be a semantic version of at most 64 characters such as `2.1.0`, got `"2.1"` (string)'],
  [{ version: 'v2.1.0' }, 'version', 'semantic version'],
  [{ version: ' 2.1.0' }, 'version', 'semantic version'],
  [{ version: '=2.1.0' }, 'version', 'semantic version'],
  [{ version: '01.2.3' }, 'version', 'semantic version'],
  [{ version: '^2.1.0' }, 'version', 'semantic version'],
  [{ version: `1.0.0-${x(59)}` }, 'version', 'at most 64 characters'],
  [{ version: 2 }, 'version', 'got `2` (number)'],
  [{ address: undefined }, 'address', 'Expected `address` to be a host name of at most 253 characters or an IPv4 or IPv6 address, got `undefined` (undefined)'],
  [{ address: '' }, 'address', 'host name'],
  [{ address: 'bad host!' }, 'address', 'host name'],
  [{ address: 'under_score.example' }, 'address', 'host name'],
  [{ address: '-a.example' }, 'address', 'host name'],
  [{ address: 'a-.example' }, 'address', 'host name'],
  [{ address: 'example.com.' }, 'address', 'host name'],
  [{ address: `${x(64)}.example` }, 'address', 'host name'],
  [{ address: `${host253}x` }, 'address', 'at most 253 characters'],
  [{ address: '10.0.0.999' }, 'address', 'IPv4'],
  [{ address: '010.0.0.1' }, 'address', 'IPv4'],
  [{ address: '10.0.0' }, 'address', 'IPv4'],
  [{ address: '1::2::3' }, 'address', 'IPv6'],
  [{ address: '1:2:3:4:5:6:7' }, 'address', 'IPv6'],
  [{ address: '1:2:3:4:5:6:7:8:9' }, 'address', 'IPv6'],
  [{ address: '1:2:3:4:5:6:7::8' }, 'address', 'IPv6'],
  [{ address: '12345::1' }, 'address', 'IPv6'],
  [{ address: 'fe80::1%eth0' }, 'address', 'IPv6'],
  [{ address: '[::1]' }, 'address', 'IPv6'],
  [{ address: '::ffff:10.0.0.256' }, 'address', 'IPv6'],
  [{ address: 7 }, 'address', 'got `7` (number)'],
  [{ port: undefined }, 'port', 'Expected `port` to be an integer from 1 to 65535, got `undefined` (undefined)'],
  [{ port: 0 }, 'port', 'Expected `port` to be an integer from 1 to 65535, got `0` (number)'],
  [{ port: 70000 }, 'port', 'Expected `port` to be an integer from 1 to 65535, got `70000` (number)'],
  [{ port: 65_536 }, 'port', 'integer from 1 to 65535'],
  [{ port: 80.5 }, 'port', 'integer from 1 to 65535'],
  [{ port: Number.NaN }, 'port', 'integer from 1 to 65535'],
  [{ port: '80' }, 'port', 'got `"80"` (string)'],
  [{ tags: 'eu' }, 'tags', 'Expected `tags` to be an array of at most 32 tags, got `"eu"` (string)'],
  [{ tags: list(33, (i) => `t${i}`) }, 'tags', 'Expected `tags` to be an array of at most 32 tags, got 33 tags'],
  [{ tags: ['eu', 'has space'] }, 'tags[1]', 'Expected `tags[1]` to be a tag of 1-64 printable ASCII characters without spaces, got `"has space"` (string)'],
  [{ tags: ['eu', ''] }, 'tags[1]', 'tag of 1-64'],
  [{ tags: [x(65)] }, 'tags[0]', 'tag of 1-64'],
  [{ tags: ['zoné'] }, 'tags[0]', 'printable ASCII'],
  [{ tags: ['tab\there'] }, 'tags[0]', 'printable ASCII'],
  [{ tags: [1] }, 'tags[0]', 'got `1` (number)'],
  [{ tags: ['eu', 'us', 'eu'] }, 'tags[2]', 'Expected `tags[2]` to be a tag not already listed, got `"eu"` (string)'],
  [{ tags: ['eu', , 'us'] }, 'tags[1]', 'got `undefined` (undefined)'],
  [{ metadata: [] }, 'metadata', 'Expected `metadata` to be a plain object of string values, got `[]` (array)'],
  [{ metadata: new Map([['zone', 'a']]) }, 'metadata', 'plain object'],
  [{ metadata: 'zone=a' }, 'metadata', 'plain object'],
  [{ metadata: null }, 'metadata', 'got `null` (null)'],
  [{ metadata: keys(33) }, 'metadata', 'Expected `metadata` to be an object of at most 32 keys, got 33 keys'],
  [{ metadata: { 'bad key': 'x' } }, 'metadata', 'Expected every `metadata` key to be 1-64 letters, digits, `_`, `.`, `:` or `-`, got `"bad key"` (string)'],
  [{ metadata: { [x(65)]: 'x' } }, 'metadata', 'Expected every `metadata` key'],
  [{ metadata: { '': 'x' } }, 'metadata', 'Expected every `metadata` key'],
  [{ metadata: { zone: 5 } }, 'metadata.zone', 'Expected `metadata.zone` to be a string of at most 512 characters, got `5` (number)'],
  [{ metadata: { zone: x(513) } }, 'metadata.zone', 'at most 512 characters'],
  [{ metadata: { zone: null } }, 'metadata.zone', 'got `null` (null)'],
  [{ weight: -1 }, 'weight', 'Expected `weight` to be an integer from 0 to 10000, got `-1` (number)'],
  [{ weight: 10_001 }, 'weight', 'integer from 0 to 10000'],
  [{ weight: 1.5 }, 'weight', 'integer from 0 to 10000'],
  [{ weight: '1' }, 'weight', 'got `"1"` (string)'],
  [{ status: 'down' }, 'status', 'Expected `status` to be one of `passing`, `warning`, `critical`, got `"down"` (string)'],
  [{ status: 'PASSING' }, 'status', 'one of `passing`']
]

describe('validateInstanceFields', () => {
  it('applies the defaults and returns a frozen copy', () => {
    const tags = ['eu']
    const result = validateInstanceFields({ ...valid, tags, weight: undefined })
    expect(result).toEqual({ ...valid, tags: ['eu'], metadata: {}, weight: 1, status: 'passing' })
    expect(Object.isFrozen(result) && Object.isFrozen(result.tags) && Object.isFrozen(result.metadata)).toBe(true)
    tags.push('us')
    expect(result.tags).toEqual(['eu'])
  })

  it.each(ACCEPTED)('accepts `%s` = %j', (field, value) => {
    expect(validateInstanceFields({ ...valid, [field]: value })).toMatchObject({ [field]: value })
  })

  it.each(REJECTED)('rejects %j naming `%s`', (change, field, message) => {
    const err = thrown(() => validateInstanceFields({ ...valid, ...change }))
    expect(err.code).toBe('ERR_INVALID_RECORD')
    expect(err.name).toBe('InvalidRecordError')
    expect(err.field).toBe(field)
    expect(err.message).toContain(message)
  })

  it.each([['colour', 'red'], ['id', 'i-1'], ['check', {}]])('rejects the unknown field `%s`', (key, value) => {
    const err = thrown(() => validateInstanceFields({ ...valid, [key]: value }))
    expect(err.field).toBe(key)
    expect(err.message).toMatch(new RegExp(`^Unknown field \`${key}\`; known fields: service, version`))
  })

  it.each([['a string', 'orders'], ['null', null], ['an array', []], ['a Map', new Map()], ['a class instance', new Date(0)]])('rejects %s as the instance', (_name, input) => {
    const err = thrown(() => validateInstanceFields(input))
    expect(err.field).toBe('instance')
    expect(err.message).toMatch(/^Expected `instance` to be a plain object, got /)
  })
})

describe('validatePatch', () => {
  it('returns only the fields given, frozen', () => {
    const patch = validatePatch({ status: 'warning', weight: 0, tags: undefined })
    expect(patch).toEqual({ status: 'warning', weight: 0 })
    expect(Object.isFrozen(patch)).toBe(true)
  })

  it.each([
    [{ tags: ['a'], metadata: { zone: 'b' } }],
    [{ status: 'critical' }]
  ])('accepts %j', (input) => {
    expect(validatePatch(input)).toEqual(input)
  })

  it.each([
    [{}, 'patch', 'Expected `patch` to change at least one of status, metadata, weight, tags, got `{}` (object)'],
    [{ status: undefined }, 'patch', 'at least one of'],
    [{ port: 1 }, 'port', 'Field `port` cannot be updated: it identifies the instance'],
    [{ service: 'x' }, 'service', 'cannot be updated'],
    [{ colour: 'red' }, 'colour', 'Unknown field `colour`; updatable fields: status, metadata, weight, tags'],
    [{ status: 'bad' }, 'status', 'one of `passing`'],
    [{ weight: 10_001 }, 'weight', 'integer from 0 to 10000'],
    [{ tags: [1] }, 'tags[0]', 'tag of 1-64'],
    [{ metadata: { zone: 1 } }, 'metadata.zone', 'at most 512 characters'],
    [null, 'patch', 'Expected `patch` to be a plain object, got `null` (null)'],
    ['warning', 'patch', 'plain object']
  ])('rejects %j naming `%s`', (input, field, message) => {
    const err = thrown(() => validatePatch(input))
    expect(err.code).toBe('ERR_INVALID_RECORD')
    expect(err.field).toBe(field)
    expect(err.message).toContain(message)
  })
})

describe('checkRecord', () => {
  const instance = instanceOf('owner')
  const tombstone = tombstoneOf('owner')
  const member = memberOf('owner')
  const change = (record: SignedRecord, fields: Record<string, unknown>): SignedRecord => ({ ...record, ...fields }) as SignedRecord

  it.each([['an instance', instance], ['a tombstone', tombstone], ['a member record', member]])('accepts %s', (_name, record) => {
    expect(checkRecord(record)).toBeUndefined()
  })

  it('accepts the edges of the header and member limits', () => {
    expect(checkRecord(change(instance, { namespace: x(64), stamp: { wall: Number.MAX_SAFE_INTEGER, logical: 0xffff_ffff } }))).toBeUndefined()
    expect(checkRecord(change(instance, { id: x(64), stamp: { wall: 0, logical: 0 } }))).toBeUndefined()
    expect(checkRecord(change(member, { addrs: list(16, () => x(256)), chain: { chainId: 0xffff_ffff, anchor: new Uint8Array(16), length: 1_000_000 } }))).toBeUndefined()
    expect(checkRecord(change(member, { addrs: [], chain: { chainId: 0, anchor: new Uint8Array(16), length: 1 } }))).toBeUndefined()
  })

  it.each([
    [instance, { namespace: '' }, 'namespace'],
    [instance, { namespace: x(65) }, 'namespace'],
    [member, { namespace: 5 }, 'namespace'],
    [instance, { stamp: { wall: -1, logical: 0 } }, 'stamp.wall'],
    [instance, { stamp: { wall: 1.5, logical: 0 } }, 'stamp.wall'],
    [instance, { stamp: { wall: Number.MAX_SAFE_INTEGER + 1, logical: 0 } }, 'stamp.wall'],
    [tombstone, { stamp: { wall: 1, logical: -1 } }, 'stamp.logical'],
    [member, { stamp: { wall: 1, logical: 2 ** 32 } }, 'stamp.logical'],
    [instance, { stamp: undefined }, 'stamp.wall'],
    [instance, { id: '' }, 'id'],
    [instance, { id: 'has space' }, 'id'],
    [instance, { id: 'a/b' }, 'id'],
    [instance, { id: x(65) }, 'id'],
    [tombstone, { id: '' }, 'id'],
    [tombstone, { service: '' }, 'service'],
    [tombstone, { service: '-x' }, 'service'],
    [instance, { deleted: 'no' }, 'deleted'],
    [instance, { kind: 'other' }, 'kind'],
    [member, { id: 'x' }, 'id'],
    [member, { deleted: true }, 'deleted'],
    [member, { addrs: list(17, () => '/ip4/1.2.3.4/tcp/1') }, 'addrs'],
    [member, { addrs: '/ip4/1.2.3.4/tcp/1' }, 'addrs'],
    [member, { addrs: ['/ip4/1.2.3.4/tcp/1', ''] }, 'addrs[1]'],
    [member, { addrs: [x(257)] }, 'addrs[0]'],
    [member, { addrs: [4001] }, 'addrs[0]'],
    [member, { leaving: 1 }, 'leaving'],
    [member, { chain: { chainId: 1, anchor: new Uint8Array(15), length: 10 } }, 'chain.anchor'],
    [member, { chain: { chainId: 1, anchor: new Uint8Array(17), length: 10 } }, 'chain.anchor'],
    [member, { chain: { chainId: 1, anchor: 'AAAAAAAAAAAAAAAA', length: 10 } }, 'chain.anchor'],
    [member, { chain: { chainId: 1, anchor: new Uint8Array(16), length: 0 } }, 'chain.length'],
    [member, { chain: { chainId: 1, anchor: new Uint8Array(16), length: 1_000_001 } }, 'chain.length'],
    [member, { chain: { chainId: -1, anchor: new Uint8Array(16), length: 10 } }, 'chain.chainId'],
    [member, { chain: { chainId: 2 ** 32, anchor: new Uint8Array(16), length: 10 } }, 'chain.chainId'],
    [member, { chain: undefined }, 'chain.anchor']
  ])('rejects %#: %j naming `%s`', (record, fields, field) => {
    const rejection = checkRecord(change(record, fields))
    expect(rejection?.reason).toBe('invalid-record')
    expect(fieldOf(rejection!.detail)).toBe(field)
    expect(rejection!.detail).toMatch(/^Expected `[^`]+` to be .+, got .+/)
  })

  it('names the byte count of a wrong anchor', () => {
    expect(checkRecord(change(member, { chain: { chainId: 1, anchor: new Uint8Array(3), length: 10 } }))?.detail)
      .toBe('Expected `chain.anchor` to be 16 bytes, got 3 bytes')
  })

  // One set of checkers serves both paths: every field problem the API throws, the network path reports alike.
  it.each(REJECTED)('reports %j in a received record exactly as register() throws it', (fields, _field, _message) => {
    const err = thrown(() => validateInstanceFields({ ...valid, ...fields }))
    expect(checkRecord(change(instance, fields))).toEqual({ reason: 'invalid-record', detail: err.message })
  })
})
