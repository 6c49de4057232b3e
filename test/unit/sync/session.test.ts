import { describe, expect, it } from 'vitest'
import { answerDigest, answerSummary, answerWant, openSync } from '../../../src/sync/session.js'
import { LwwTable } from '../../../src/table/table.js'
import type { TableEntry } from '../../../src/table/entry.js'
import { instanceEntry, tombstoneEntry } from '../../support/entries.js'

function table (...entries: TableEntry[]): LwwTable {
  const t = new LwwTable()
  for (const entry of entries) t.merge(entry)
  return t
}

/** One full exchange from `a` (initiator) to `b`; returns what crossed the wire. */
function exchange (a: LwwTable, b: LwwTable, owners?: string[]): { given: number, wanted: number } {
  const { give, want } = answerSummary(a, answerDigest(b, openSync(a, owners)))
  for (const entry of give) b.merge(entry)
  const wanted = answerWant(b, want)
  for (const entry of wanted) a.merge(entry)
  return { given: give.length, wanted: wanted.length }
}

describe('anti-entropy session', () => {
  it('sends nothing between equal tables', () => {
    const a = table(instanceEntry('o', 'a', 1))
    const b = table(instanceEntry('o', 'a', 1))
    expect(answerDigest(b, openSync(a)).owners).toEqual([])
  })

  it('moves only the entries that differ, both ways', () => {
    const shared = instanceEntry('o', 'same', 1)
    const a = table(shared, instanceEntry('o', 'x', 5), tombstoneEntry('p', 'y', 7))
    const b = table(shared, instanceEntry('o', 'x', 3), instanceEntry('p', 'y', 6), instanceEntry('q', 'z', 1))
    expect(exchange(a, b)).toEqual({ given: 2, wanted: 1 })
    const byOwner = (t: LwwTable): unknown => t.digest().sort((x, y) => x.owner.localeCompare(y.owner))
    expect(byOwner(a)).toEqual(byOwner(b))
    expect(a.get('o', 'x')?.record.stamp.wall).toBe(5)
    expect(b.get('p', 'y')?.record.deleted).toBe(true)
    expect(a.get('q', 'z')).toBeDefined()
  })

  it('limits a partial exchange to the owners listed, including owners the initiator lacks', () => {
    const a = table(instanceEntry('o', 'a', 1))
    const b = table(instanceEntry('o', 'a', 2), instanceEntry('p', 'b', 1), instanceEntry('q', 'c', 1))
    exchange(a, b, ['o', 'p'])
    expect(a.get('o', 'a')?.record.stamp.wall).toBe(2)
    expect(a.get('p', 'b')).toBeDefined()
    expect(a.get('q', 'c')).toBeUndefined()
  })

  it('does not ask for owners the caller ignores', () => {
    const a = table()
    const b = table(instanceEntry('dead', 'a', 1))
    const { want } = answerSummary(a, answerDigest(b, openSync(a)), { ignoreOwner: (owner) => owner === 'dead' })
    expect(want.owners).toEqual([])
  })
})
