/**
 * The replica's lookup cache (fast-check): after any interleaving of records, tombstones, status changes,
 * beats and clock ticks (members going suspect, stale under self-preservation, dead, and back), every cached
 * lookup equals the same lookup computed from scratch on the table and the detector.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { HashChain } from '../../src/membership/hash-chain.js'
import type { InstanceRecord, InstanceStatus, MemberRecord } from '../../src/record/types.js'
import { Replica, type LookupFilter } from '../../src/replica.js'
import { matches } from '../../src/table/query.js'

const numRuns = Number(process.env.FC_RUNS ?? 200)
const SELF = '12D3KooWSelf'
const OWNERS = ['12D3KooWA', '12D3KooWB', '12D3KooWC', SELF]
const SERVICES = ['orders', 'billing']
const chains = OWNERS.map((_, i) => HashChain.create(new Uint8Array(32).fill(40 + i), 400))
const options = {
  self: SELF, namespace: 'default', maxInstancesPerOwner: 100, maxRecords: 10_000, maxClockDrift: 60_000, tombstoneTtl: 1_000_000,
  suspectAfter: 3_000, deadAfter: 10_000, maxChainSteps: 400, selfPreservationThreshold: 0.5, selfPreservationLimit: 30_000, observers: 4, quorum: 3
}
const FILTERS: LookupFilter[] = [{}, { includeStale: true }, { includeUnhealthy: true }, { version: '^1.0.0' }, { tags: ['eu'] }, { version: '>=2', includeUnhealthy: true, includeStale: true }]

type Op =
  | { kind: 'put', owner: number, id: number, service: number, major: number, status: InstanceStatus, eu: boolean }
  | { kind: 'delete', owner: number, id: number, service: number }
  | { kind: 'beat', owner: number }
  | { kind: 'advance', ms: number }

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('put' as const), owner: fc.nat(3), id: fc.nat(3), service: fc.nat(1), major: fc.integer({ min: 1, max: 2 }), status: fc.constantFrom<InstanceStatus>('passing', 'warning', 'critical'), eu: fc.boolean() }),
  fc.record({ kind: fc.constant('delete' as const), owner: fc.nat(3), id: fc.nat(3), service: fc.nat(1) }),
  fc.record({ kind: fc.constant('beat' as const), owner: fc.nat(2) }),
  fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 8_000 }) })
)

/** What `lookup` must return, computed without any cache. */
function fromScratch (replica: Replica, service: string, filter: LookupFilter): string[] {
  return replica.table.instances(service)
    .filter((r) => matches(r, filter))
    .filter((r) => r.status !== 'critical' || filter.includeUnhealthy === true)
    .filter((r) => filter.includeStale === true || r.owner === SELF || replica.detector.get(r.owner)?.stale !== true)
    .map((r) => `${r.owner}/${r.id}/${r.status}/${replica.stateOf(r.owner)}`)
}

describe('lookup cache', () => {
  it('always equals a lookup computed from scratch', () => {
    fc.assert(fc.property(fc.array(opArb, { maxLength: 60 }), (ops) => {
      const replica = new Replica(options)
      let now = 1_000_000
      let wall = 1_000
      const beats = OWNERS.map(() => 0)
      for (const [i, owner] of OWNERS.entries()) {
        const member: MemberRecord = { kind: 'member', deleted: false, owner, id: '', namespace: 'default', stamp: { wall: wall++, logical: 0 }, addrs: [], chain: { chainId: 1, anchor: chains[i]!.anchor, length: 400 }, leaving: false }
        if (owner === SELF) replica.ingestLocal({ record: member, envelope: Uint8Array.of(i) }, now)
        else replica.ingest({ record: member, envelope: Uint8Array.of(i) }, now)
      }
      for (const op of ops) {
        // Query before and after each step, so cached results from before a change are put to the test.
        for (const service of SERVICES) for (const filter of FILTERS) replica.lookup(service, filter)
        switch (op.kind) {
          case 'put': case 'delete': {
            const owner = OWNERS[op.owner]!
            const header = { kind: 'instance' as const, owner, id: `i${op.id}`, namespace: 'default', stamp: { wall: wall++, logical: 0 }, service: SERVICES[op.service]! }
            const record: InstanceRecord | (typeof header & { deleted: true }) = op.kind === 'put'
              ? { ...header, deleted: false, version: `${op.major}.0.0`, address: 'h', port: 1, tags: op.eu ? ['eu'] : [], metadata: {}, weight: 1, status: op.status }
              : { ...header, deleted: true }
            const entry = { record, envelope: Uint8Array.of(wall & 0xff, wall >> 8) }
            if (owner === SELF) replica.ingestLocal(entry, now)
            else replica.ingest(entry, now)
            break
          }
          case 'beat': {
            const seq = ++beats[op.owner]!
            if (seq <= 400) replica.ingestBeat({ owner: OWNERS[op.owner]!, chainId: 1, seq, proof: chains[op.owner]!.reveal(seq), recordsStamp: { wall: 0, logical: 0 } }, now)
            break
          }
          case 'advance':
            now += op.ms
            replica.tick(now)
            break
        }
        for (const service of SERVICES) {
          for (const filter of FILTERS) {
            const got = replica.lookup(service, filter).map((i) => `${i.owner}/${i.id}/${i.status}/${i.memberState}`)
            expect(got).toEqual(fromScratch(replica, service, filter))
          }
        }
      }
    }), { numRuns })
  })
})
