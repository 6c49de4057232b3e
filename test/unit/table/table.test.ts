import { describe, expect, it } from 'vitest'
import { compareEntries } from '../../../src/table/compare.js'
import { diffDigests } from '../../../src/table/digest.js'
import { LwwTable } from '../../../src/table/table.js'
import { instanceEntry, memberEntry, tombstoneEntry } from '../../support/entries.js'

describe('compareEntries', () => {
  it.each([
    ['a higher stamp wins', instanceEntry('o', 'a', 2), instanceEntry('o', 'a', 1), 1],
    ['a lower stamp loses', instanceEntry('o', 'a', 1), instanceEntry('o', 'a', 2), -1],
    ['a tombstone beats a live record of the same stamp', tombstoneEntry('o', 'a', 1), instanceEntry('o', 'a', 1), 1],
    ['identical entries are equal', instanceEntry('o', 'a', 1), instanceEntry('o', 'a', 1), 0]
  ])('%s', (_name, a, b, sign) => {
    expect(Math.sign(compareEntries(a, b))).toBe(sign)
  })

  it('breaks a tie of equal stamps by the envelope bytes, the same way in both orders', () => {
    const a = instanceEntry('o', 'a', 1, { port: 1 })
    const b = instanceEntry('o', 'a', 1, { port: 2 })
    expect(Math.sign(compareEntries(a, b))).toBe(-Math.sign(compareEntries(b, a)))
    expect(compareEntries(a, b)).not.toBe(0)
  })
})

describe('LwwTable', () => {
  it('lists an owner\'s member record first, however late it was written, for anti-entropy to send first', () => {
    const table = new LwwTable()
    table.merge(instanceEntry('o', 'a', 1))
    table.merge(memberEntry('o', 2))
    table.merge(instanceEntry('o', 'b', 3))
    table.merge(memberEntry('o', 4))
    expect(table.ownerEntries('o').map((e) => e.record.id)).toEqual(['', 'a', 'b'])
    expect(table.ownerEntries('nobody')).toEqual([])
  })

  it('reports applied, stale and duplicate merges', () => {
    const table = new LwwTable()
    const v1 = instanceEntry('o', 'a', 1)
    const v2 = instanceEntry('o', 'a', 2, { port: 81 })
    expect(table.merge(v1)).toEqual({ outcome: 'applied', previous: undefined })
    expect(table.merge(v2)).toEqual({ outcome: 'applied', previous: v1 })
    expect(table.merge(v1)).toEqual({ outcome: 'stale', current: v2 })
    expect(table.merge(instanceEntry('o', 'a', 2, { port: 81 }))).toEqual({ outcome: 'duplicate', current: v2 })
  })

  it('keeps a tombstone over older versions and out of lookups', () => {
    const table = new LwwTable()
    table.merge(instanceEntry('o', 'a', 1))
    table.merge(tombstoneEntry('o', 'a', 2))
    expect(table.merge(instanceEntry('o', 'a', 1)).outcome).toBe('stale')
    expect(table.instances('orders')).toEqual([])
    expect(table.services()).toEqual([])
    expect(table.liveInstanceCount('o')).toBe(0)
    expect(table.size).toBe(1)
  })

  it('reaps tombstones after their ttl, measured from their stamp', () => {
    const table = new LwwTable()
    table.merge(tombstoneEntry('o', 'a', 1_000))
    table.merge(instanceEntry('o', 'b', 1_000))
    expect(table.reap(1_999, 1_000)).toEqual([])
    expect(table.reap(2_000, 1_000).map((e) => e.record.id)).toEqual(['a'])
    expect(table.size).toBe(1)
  })

  it('drops an owner with every entry and index reference', () => {
    const table = new LwwTable()
    table.merge(instanceEntry('o', 'a', 1))
    table.merge(instanceEntry('o', 'b', 2, { service: 'billing' }))
    table.merge(instanceEntry('p', 'a', 1))
    expect(table.dropOwner('o').map((e) => e.record.id).sort()).toEqual(['a', 'b'])
    expect(table.services()).toEqual(['orders'])
    expect(table.instances('orders').map((r) => r.owner)).toEqual(['p'])
    expect(table.owners()).toEqual(['p'])
  })

  it('queries by semver range and tags', () => {
    const table = new LwwTable()
    table.merge(instanceEntry('o', 'a', 1, { version: '2.1.0', tags: ['eu'] }))
    table.merge(instanceEntry('o', 'b', 1, { version: '2.5.1', tags: ['eu', 'canary'] }))
    table.merge(instanceEntry('o', 'c', 1, { version: '3.0.0', tags: ['us'] }))
    const ids = (filter: object): string[] => table.instances('orders', filter).map((r) => r.id).sort()
    expect(ids({})).toEqual(['a', 'b', 'c'])
    expect(ids({ version: '^2.1' })).toEqual(['a', 'b'])
    expect(ids({ version: '>=2.5.0' })).toEqual(['b', 'c'])
    expect(ids({ tags: ['eu'] })).toEqual(['a', 'b'])
    expect(ids({ version: '^2', tags: ['canary'] })).toEqual(['b'])
    expect(ids({ version: 'not a range' })).toEqual([])
  })

  it('keeps incremental digests equal to digests of a table built from scratch', () => {
    const entries = [instanceEntry('o', 'a', 1), instanceEntry('o', 'b', 3), tombstoneEntry('o', 'a', 2), instanceEntry('p', 'x', 5), tombstoneEntry('p', 'x', 6)]
    const incremental = new LwwTable()
    for (const entry of entries) incremental.merge(entry)
    incremental.reap(10_000, 1)
    const scratch = new LwwTable()
    for (const owner of incremental.owners()) for (const entry of incremental.ownerEntries(owner)) scratch.merge(entry)
    expect(incremental.digest()).toEqual(scratch.digest())
    expect(incremental.maxStamp('o')).toEqual({ wall: 3, logical: 0 })
    expect(diffDigests(incremental.digest(), scratch.digest())).toEqual([])
  })

  it('diffs digests by owner presence, count and fingerprint', () => {
    const a = new LwwTable()
    const b = new LwwTable()
    a.merge(instanceEntry('o', 'a', 1))
    b.merge(instanceEntry('o', 'a', 2))
    a.merge(instanceEntry('p', 'a', 1))
    b.merge(instanceEntry('q', 'a', 1))
    expect(diffDigests(a.digest(), b.digest()).sort()).toEqual(['o', 'p', 'q'])
  })
})

describe('LwwTable tombstones', () => {
  const ids = (entries: readonly { record: { id: string } }[]): string[] => entries.map((e) => e.record.id).sort()

  it('reaps by stamp whatever order they came in, and skips those superseded or dropped since', () => {
    const table = new LwwTable()
    for (const [id, wall] of [['late', 5_000], ['early', 1_000], ['mid', 3_000], ['revived', 2_000], ['gone', 2_500]] as const) {
      table.merge(tombstoneEntry(id === 'gone' ? 'p' : 'o', id, wall))
    }
    table.merge(instanceEntry('o', 'revived', 2_001))
    table.dropOwner('p')
    expect(ids(table.reap(3_999, 1_000))).toEqual(['early'])
    expect(ids(table.reap(4_000, 1_000))).toEqual(['mid'])
    expect(table.reap(5_999, 1_000)).toEqual([])
    expect(ids(table.reap(6_000, 1_000))).toEqual(['late'])
    expect(ids(table.ownerEntries('o'))).toEqual(['revived'])
  })

  it('stays right when the reap queue is rebuilt after many removals', () => {
    const table = new LwwTable()
    for (let i = 0; i < 3_000; i++) table.merge(tombstoneEntry('o', `t${i}`, 1_000 + i))
    // Every tombstone but the last 10 written over by a live record: the queue carries them until rebuilt.
    for (let i = 0; i < 2_990; i++) table.merge(instanceEntry('o', `t${i}`, 10_000))
    expect(ids(table.reap(1_000_000, 1))).toEqual(Array.from({ length: 10 }, (_, i) => `t${2_990 + i}`).sort())
    expect(table.size).toBe(2_990)
  })

  it('trims an owner to its newest tombstones, by stamp then id, and leaves live records and other owners alone', () => {
    const table = new LwwTable()
    table.merge(instanceEntry('o', 'live', 1))
    table.merge(tombstoneEntry('p', 'other', 1))
    for (const [id, wall] of [['d', 4], ['a', 2], ['c', 3], ['b', 3]] as const) table.merge(tombstoneEntry('o', id, wall))
    expect(ids(table.trimTombstones('o', 2))).toEqual(['a', 'b'])
    expect(ids(table.ownerEntries('o'))).toEqual(['c', 'd', 'live'])
    expect(table.trimTombstones('o', 2)).toEqual([])
    expect(table.trimTombstones('nobody', 2)).toEqual([])
    expect(table.reap(100, 1).map((e) => e.record.id).sort()).toEqual(['c', 'd', 'other'])
  })
})
