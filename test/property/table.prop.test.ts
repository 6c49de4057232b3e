/**
 * Properties of the LWW merge (fast-check): commutative, associative, idempotent; any delivery order of the
 * same entries gives identical tables; a tombstone beats older versions; a restarted owner wins; two tables
 * that run the anti-entropy session end equal. FC_RUNS sets the number of runs; a failure prints its seed.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { InstanceRecord, InstanceTombstone } from '../../src/record/types.js'
import { answerDigest, answerSummary, answerWant, openFullSync, openSync } from '../../src/sync/session.js'
import type { TableEntry } from '../../src/table/entry.js'
import { LwwTable } from '../../src/table/table.js'

const numRuns = Number(process.env.FC_RUNS ?? 200)

const owners = ['12D3KooWOwnerA', '12D3KooWOwnerB', '12D3KooWOwnerC']
const ids = ['a', 'b', 'c', 'd']

/** Entries over a small key space, so collisions (the interesting cases) are common. */
const entryArb: fc.Arbitrary<TableEntry> = fc.record({
  owner: fc.constantFrom(...owners),
  id: fc.constantFrom(...ids),
  wall: fc.integer({ min: 1, max: 5 }),
  logical: fc.integer({ min: 0, max: 2 }),
  deleted: fc.boolean(),
  port: fc.integer({ min: 1, max: 3 }),
  service: fc.constantFrom('orders', 'billing')
}).map(({ owner, id, wall, logical, deleted, port, service }) => {
  const header = { owner, id, namespace: 'default', stamp: { wall, logical } }
  const record: InstanceRecord | InstanceTombstone = deleted
    ? { ...header, kind: 'instance', deleted: true, service }
    : { ...header, kind: 'instance', deleted: false, service, version: '1.0.0', address: 'h', port, tags: [], metadata: {}, weight: 1, status: 'passing' }
  // The envelope stands in for the signed bytes: a function of the content, as real envelopes are.
  const envelope = new TextEncoder().encode(JSON.stringify(record))
  return { record, envelope }
})

/** Everything observable about a table, in a canonical order. */
function dump (table: LwwTable): unknown {
  const entries = table.owners().sort().flatMap((owner) => table.ownerEntries(owner)
    .map((e) => `${owner}/${e.record.id}@${e.record.stamp.wall}.${e.record.stamp.logical}:${new TextDecoder().decode(e.envelope)}`).sort())
  const digests = table.digest().sort((a, b) => a.owner < b.owner ? -1 : 1).map((d) => ({ ...d, fingerprint: [...d.fingerprint] }))
  const services = table.services().map((s) => [s, table.instances(s).map((r) => `${r.owner}/${r.id}`).sort()])
  return { entries, digests, services }
}

function build (entries: readonly TableEntry[]): LwwTable {
  const table = new LwwTable()
  for (const entry of entries) table.merge(entry)
  return table
}

describe('LWW table merge', () => {
  it('is commutative: two entries in either order give the same table', () => {
    fc.assert(fc.property(entryArb, entryArb, (a, b) => {
      expect(dump(build([a, b]))).toEqual(dump(build([b, a])))
    }), { numRuns })
  })

  it('is associative: merging a merged table into another equals merging all entries', () => {
    fc.assert(fc.property(fc.array(entryArb), fc.array(entryArb), fc.array(entryArb), (xs, ys, zs) => {
      const left = build([...xs, ...ys])
      const leftThenZ = build([...left.owners().flatMap((o) => left.ownerEntries(o)), ...zs])
      const right = build([...ys, ...zs])
      const xThenRight = build([...xs, ...right.owners().flatMap((o) => right.ownerEntries(o))])
      expect(dump(leftThenZ)).toEqual(dump(xThenRight))
    }), { numRuns })
  })

  it('is idempotent: merging entries again changes nothing', () => {
    fc.assert(fc.property(fc.array(entryArb), (xs) => {
      const once = build(xs)
      const before = dump(once)
      for (const entry of xs) expect(once.merge(entry).outcome).not.toBe('applied')
      expect(dump(once)).toEqual(before)
    }), { numRuns })
  })

  it('gives identical tables for any delivery order, with duplicates', () => {
    fc.assert(fc.property(fc.array(entryArb, { maxLength: 30 }).chain((xs) => fc.tuple(
      fc.constant(xs),
      fc.shuffledSubarray([...xs, ...xs], { minLength: xs.length * 2, maxLength: xs.length * 2 })
    )), ([xs, shuffled]) => {
      expect(dump(build(shuffled))).toEqual(dump(build(xs)))
    }), { numRuns })
  })

  it('lets a tombstone beat every older version of its key', () => {
    fc.assert(fc.property(fc.array(entryArb), entryArb, (older, tomb) => {
      const key = tomb.record
      const stone: TableEntry = { record: { ...key, kind: 'instance', deleted: true, service: 'orders', stamp: { wall: 10, logical: 0 } }, envelope: Uint8Array.from([9]) }
      // Every generated entry is stamped at wall <= 5, so all are older than the tombstone.
      const table = build([stone, ...older])
      expect(table.get(key.owner, key.id)?.record.deleted).toBe(true)
      expect(table.instances('orders').some((r) => r.owner === key.owner && r.id === key.id)).toBe(false)
    }), { numRuns })
  })

  it('lets an owner restarted with a later clock win over its older records', () => {
    fc.assert(fc.property(fc.array(entryArb), fc.constantFrom(...owners), fc.constantFrom(...ids), (older, owner, id) => {
      const restarted: TableEntry = {
        record: { kind: 'instance', deleted: false, owner, id, namespace: 'default', stamp: { wall: 100, logical: 0 }, service: 'orders', version: '2.0.0', address: 'new', port: 9, tags: [], metadata: {}, weight: 1, status: 'passing' },
        envelope: Uint8Array.from([1])
      }
      for (const table of [build([...older, restarted]), build([restarted, ...older])]) {
        expect(table.get(owner, id)).toBe(restarted)
      }
    }), { numRuns })
  })

  it('brings two tables to the same state with one anti-entropy exchange', () => {
    fc.assert(fc.property(fc.array(entryArb), fc.array(entryArb), fc.array(entryArb), (shared, onlyA, onlyB) => {
      const a = build([...shared, ...onlyA])
      const b = build([...shared, ...onlyB])
      const opened = answerDigest(b, openSync(a))
      const summary = opened.needDigest === true ? answerDigest(b, openFullSync(a)) : opened
      // The root alone decides whether anything must move.
      expect(opened.needDigest === true).toBe(JSON.stringify(dump(a)) !== JSON.stringify(dump(b)))
      const { give, want } = answerSummary(a, summary)
      for (const entry of give) b.merge(entry)
      for (const entry of answerWant(b, want)) a.merge(entry)
      expect(dump(a)).toEqual(dump(b))
      expect(dump(a)).toEqual(dump(build([...shared, ...onlyA, ...onlyB])))
    }), { numRuns })
  })
})
