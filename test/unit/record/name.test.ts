/**
 * The member name in records: it round-trips, an older record without it decodes as unnamed, and a name that
 * breaks the rule (length, characters) is a rejected record naming `name`, from the network as from an option.
 */
import { hostname } from 'node:os'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { describe, expect, it } from 'vitest'
import { defaultName, resolveConfig } from '../../../src/config.js'
import { InvalidOptionError } from '../../../src/errors.js'
import { decodePayload, encodePayload } from '../../../src/record/codec.js'
import { RecordPayload } from '../../../src/record/record.pb.js'
import { openRecord, sealRecord } from '../../../src/record/sign.js'
import type { MemberRecord } from '../../../src/record/types.js'
import { checkRecord, isNodeName } from '../../../src/record/validate.js'
import { memberOf } from './fixtures.js'

const owner = '12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN'
const named = (name: string | undefined): MemberRecord => ({ ...memberOf(owner), name })

describe('name in the codec', () => {
  it('round-trips a name', () => {
    expect(decodePayload(encodePayload(named('web-1.eu')), owner)).toMatchObject({ kind: 'member', name: 'web-1.eu' })
  })

  it('decodes a member record of an older node (no field 6) as unnamed, and encodes an unnamed one as such', () => {
    const { name: _name, ...older } = memberOf(owner)
    const payload = RecordPayload.encode({
      namespace: 'default', id: '', stampWall: 1n, stampLogical: 0,
      member: { addrs: [], chainId: 1, chainAnchor: new Uint8Array(16), chainLength: 10, leaving: false, name: '' }
    })
    expect(decodePayload(payload, owner)).not.toHaveProperty('name')
    expect(decodePayload(encodePayload(older), owner)).toEqual(older)
    // '' is the wire's absent string: the same bytes as no name at all.
    expect(encodePayload(named(''))).toEqual(encodePayload(older))
  })
})

describe('name validation', () => {
  it.each(['a', 'web-1', 'WEB_1.eu-west-1a', 'node@rack:3', '12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN', 'x'.repeat(64)])('accepts %j', (name) => {
    expect(isNodeName(name)).toBe(true)
    expect(checkRecord(named(name))).toBeUndefined()
  })

  it.each([
    ['empty', ''],
    ['65 characters', 'x'.repeat(65)],
    ['a space', 'web 1'],
    ['a control character (terminal escape)', 'web\u001b[31m'],
    ['a new line (a forged log line)', 'web\nmember x dead'],
    ['non-ASCII (a look-alike)', 'wеb-1'],
    ['a slash', 'web/1'],
    ['a leading dash (reads as a flag)', '-web'],
    ['HTML', '<b>web</b>'],
    ['a number', 42]
  ])('rejects a member record whose name has %s, naming the field', (_what, name) => {
    expect(isNodeName(name)).toBe(false)
    expect(checkRecord({ ...memberOf(owner), name } as unknown as MemberRecord)?.detail).toMatch(/^Expected `name` to be a name of 1-64 ASCII letters/)
  })

  it('refuses a bad name that arrives signed from the network: a rejected record with the reason', async () => {
    const key = await generateKeyPair('Ed25519')
    const record: MemberRecord = { ...memberOf(peerIdFromPrivateKey(key).toString()), name: 'evil\u001b]0;pwned\u0007' }
    const opened = await openRecord(await sealRecord(record, key), { maxBytes: 4_096, namespace: 'default' })
    expect(opened).toMatchObject({ ok: false, rejection: { reason: 'invalid-record', detail: expect.stringMatching(/^Expected `name`/) } })
  })
})

describe('the `name` option', () => {
  it('defaults to the host name, fitted to the rule', () => {
    expect(resolveConfig({}).name).toBe(defaultName(hostname()))
    expect(resolveConfig({ name: undefined }).name).toBe(defaultName(hostname()))
    expect(defaultName('build-host.example.com')).toBe('build-host.example.com')
    expect(defaultName('Jo’s MacBook Pro')).toBe('Jo-s-MacBook-Pro')
    expect(defaultName('x'.repeat(80))).toBe('x'.repeat(64))
    expect(defaultName('_-host')).toBe('host')
    expect(defaultName('')).toBeUndefined()
  })

  it('takes a valid name as given', () => {
    expect(resolveConfig({ name: 'web-1' }).name).toBe('web-1')
  })

  it.each([[''], ['web 1'], ['x'.repeat(65)], [7]])('refuses %j with an InvalidOptionError naming `name`', (name) => {
    const resolve = (): unknown => resolveConfig({ name: name as string })
    expect(resolve).toThrow(InvalidOptionError)
    expect(resolve).toThrow(expect.objectContaining({ option: 'name', message: expect.stringMatching(/^Expected `name` to be a name of 1-64/) }))
  })
})
