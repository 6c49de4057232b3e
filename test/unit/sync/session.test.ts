import { describe, expect, it } from 'vitest'
import { answerDigest, answerSummary, answerWant, openFullSync, openSync, type SummaryMessage } from '../../../src/sync/session.js'
import { LwwTable } from '../../../src/table/table.js'
import type { TableEntry } from '../../../src/table/entry.js'
import { instanceEntry, memberEntry, tombstoneEntry } from '../../support/entries.js'

function table (...entries: TableEntry[]): LwwTable {
  const t = new LwwTable()
  for (const entry of entries) t.merge(entry)
  return t
}

/** The summary `b` sends `a`: after the root, and after the per-owner digest if the roots differ. */
function summaryOf (a: LwwTable, b: LwwTable, owners?: string[]): SummaryMessage {
  const summary = answerDigest(b, openSync(a, owners))
  return summary.needDigest === true ? answerDigest(b, openFullSync(a)) : summary
}

/** One full exchange from `a` (initiator) to `b`; returns what crossed the wire. */
function exchange (a: LwwTable, b: LwwTable, owners?: string[]): { given: number, wanted: number } {
  const { give, want } = answerSummary(a, summaryOf(a, b, owners))
  for (const entry of give) b.merge(entry)
  const wanted = answerWant(b, want)
  for (const entry of wanted) a.merge(entry)
  return { given: give.length, wanted: wanted.length }
}

describe('anti-entropy session', () => {
  it('sends nothing between equal tables', () => {
    const a = table(instanceEntry('o', 'a', 1))
    const b = table(instanceEntry('o', 'a', 1))
    expect(answerDigest(b, openSync(a))).toEqual({ type: 'summary', owners: [] })
  })

  it('opens a full round with the root only, and asks for the per-owner digest when the roots differ', () => {
    const a = table(instanceEntry('o', 'a', 1), instanceEntry('p', 'a', 1))
    const opened = openSync(a)
    expect(opened.owners).toEqual([])
    expect(opened.root).toMatchObject({ count: 2 })
    expect(answerDigest(table(instanceEntry('o', 'a', 2), instanceEntry('p', 'a', 1)), opened)).toEqual({ type: 'summary', owners: [], needDigest: true })
    expect(answerDigest(table(instanceEntry('o', 'a', 1)), opened).needDigest).toBe(true)
    expect(openFullSync(a).owners.map((d) => d.owner).sort()).toEqual(['o', 'p'])
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

  it('asks an owner dead here only for records newer than its death (those would bring it back), and reports the dispute', () => {
    const a = table()
    const b = table(instanceEntry('dead', 'a', 1), instanceEntry('dead', 'b', 5), memberEntry('dead', 2))
    const disputed: string[] = []
    const { want } = answerSummary(a, summaryOf(a, b), { deathMark: (owner) => owner === 'dead' ? { wall: 2, logical: 0 } : undefined, disputed: (owner) => disputed.push(owner) })
    expect(want.owners).toEqual([{ owner: 'dead', ids: ['b'] }])
    // The peer still holds its records: the caller may tell the member it is dead here.
    expect(disputed).toEqual(['dead'])
    expect(answerSummary(a, summaryOf(a, b), { deathMark: () => ({ wall: 5, logical: 0 }) }).want.owners).toEqual([])
  })
})
