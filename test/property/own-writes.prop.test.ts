/**
 * Own writes of one node, issued without awaiting one another (fast-check): random interleavings of register,
 * update, deregister and TTL health reports on two instance ids end as the same calls made one after the other
 * would, whatever copies of an earlier run of the node (same key) arrive meanwhile. Checked against a
 * sequential model: what each call resolved or threw, the instance in the node's table, what the node says it
 * owns, and the last record it published for each id. A real node on loopback, mDNS off, no peers; the copies
 * are handed to it as a peer's sync would. FC_RUNS sets the number of runs; a failure prints its seed and the
 * shortest sequence found.
 */
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Registry } from '../../src/index.js'
import type { PrivateKey } from '@libp2p/interface'
import type { InstanceRecord, InstanceStatus, InstanceTombstone, Sealed } from '../../src/record/types.js'
import { openRecord, sealRecord } from '../../src/record/sign.js'
import type { OwnWrites } from '../../src/engine/own-writes.js'
import type { TransportHandlers } from '../../src/engine/transport.js'
import { Cluster, newKey } from '../support/cluster.js'

const numRuns = Number(process.env.FC_RUNS ?? 100)
/** Far beyond a run: no TTL check expires on its own, so only the reports below move it. */
const TTL_MS = 600_000

type Slot = 'a' | 'b'
type Patch = { status: InstanceStatus } | { weight: number } | { metadata: Record<string, string> }

type Op =
  | { kind: 'register', slot: Slot, port: number, ttl: boolean, status: InstanceStatus | undefined }
  | { kind: 'update', slot: Slot, patch: Patch }
  | { kind: 'deregister', slot: Slot }
  | { kind: 'report', slot: Slot, status: 'passing' | 'critical' }
  /** Lets the writes already issued run for a while before the next call: a microtask turn or a macrotask. */
  | { kind: 'yield', macro: boolean }
  /** A copy from an earlier run arrives, stamped before this run's writes or (a clock that went back) after. */
  | { kind: 'copy', slot: Slot, deleted: boolean, later: boolean }

const slotArb = fc.constantFrom<Slot>('a', 'b')
const statusArb = fc.constantFrom<InstanceStatus>('passing', 'warning', 'critical')
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('register' as const), slot: slotArb, port: fc.integer({ min: 1, max: 3 }), ttl: fc.boolean(), status: fc.option(statusArb, { nil: undefined }) }),
  fc.record({
    kind: fc.constant('update' as const),
    slot: slotArb,
    patch: fc.oneof(
      statusArb.map((status): Patch => ({ status })),
      fc.integer({ min: 1, max: 3 }).map((weight): Patch => ({ weight })),
      fc.constantFrom('x', 'y').map((v): Patch => ({ metadata: { v } }))
    )
  }),
  fc.record({ kind: fc.constant('deregister' as const), slot: slotArb }),
  fc.record({ kind: fc.constant('report' as const), slot: slotArb, status: fc.constantFrom<'passing' | 'critical'>('passing', 'critical') }),
  fc.record({ kind: fc.constant('yield' as const), macro: fc.boolean() }),
  fc.record({ kind: fc.constant('copy' as const), slot: slotArb, deleted: fc.boolean(), later: fc.boolean() })
)

interface Fields { port: number, status: InstanceStatus, weight: number, metadata: Record<string, string> }
interface SlotModel { instance?: Fields, ttl?: InstanceStatus }
/** What a call did: resolved, or failed with this error code. */
type Outcome = 'ok' | string

/** The calls made one after the other: what each returns and where every instance ends. */
function model (ops: readonly Op[]): { outcomes: Outcome[], slots: Record<Slot, SlotModel> } {
  const slots: Record<Slot, SlotModel> = { a: {}, b: {} }
  const outcomes: Outcome[] = []
  for (const op of ops) {
    if (op.kind === 'yield' || op.kind === 'copy') continue
    const slot = slots[op.slot]
    switch (op.kind) {
      case 'register': {
        const status = op.status ?? (op.ttl ? 'critical' : 'passing')
        slots[op.slot] = { instance: { port: op.port, status, weight: 1, metadata: {} }, ...(op.ttl && { ttl: status }) }
        outcomes.push('ok')
        break
      }
      case 'update':
        if (slot.instance === undefined) outcomes.push('ERR_UNKNOWN_INSTANCE')
        else {
          slot.instance = { ...slot.instance, ...op.patch }
          outcomes.push('ok')
        }
        break
      case 'deregister':
        outcomes.push(slot.instance === undefined ? 'ERR_UNKNOWN_INSTANCE' : 'ok')
        slots[op.slot] = {}
        break
      case 'report':
        // The check publishes a result only when it differs from its previous one.
        if (slot.ttl === undefined) outcomes.push('throws')
        else {
          if (slot.ttl !== op.status && slot.instance !== undefined) slot.instance = { ...slot.instance, status: op.status }
          slot.ttl = op.status
          outcomes.push('ok')
        }
        break
    }
  }
  return { outcomes, slots }
}

let cluster: Cluster
let node: Registry
let key: PrivateKey
let own: OwnWrites
let handlers: TransportHandlers
/** Every own write in flight, so a run can wait for the ones health results started. */
const inFlight = new Set<Promise<unknown>>()
/** Every envelope the node handed to gossip, in order. */
const published: Uint8Array[] = []

beforeAll(async () => {
  cluster = new Cluster()
  key = await newKey()
  node = await cluster.start({ privateKey: key })
  const internals = node as unknown as { engine: { own: OwnWrites, handlers: TransportHandlers }, network: { publish: (envelope: Uint8Array) => Promise<number> } }
  own = internals.engine.own
  handlers = internals.engine.handlers
  for (const name of ['put', 'update', 'remove', 'supersede'] as const) {
    const write = own[name].bind(own) as (...args: unknown[]) => Promise<unknown>;
    (own as unknown as Record<string, unknown>)[name] = (...args: unknown[]): Promise<unknown> => {
      const running = write(...args)
      inFlight.add(running)
      void running.then(() => inFlight.delete(running), () => inFlight.delete(running))
      return running
    }
  }
  const network = internals.network
  const publish = network.publish.bind(network)
  network.publish = async (envelope) => {
    published.push(envelope)
    return publish(envelope)
  }
}, 30_000)

afterAll(async () => {
  await cluster.stopAll()
})

async function settleOwnWrites (): Promise<void> {
  // Health results and supersedes start writes nobody awaits: wait until none is left, in bounded rounds.
  for (let round = 0; round < 100 && inFlight.size > 0; round++) await Promise.allSettled([...inFlight])
  expect(inFlight.size).toBe(0)
}

async function lastPublished (id: string, since: number): Promise<Sealed | undefined> {
  for (let i = published.length - 1; i >= since; i--) {
    const opened = await openRecord(published[i]!, { maxBytes: 1 << 16, namespace: 'default' })
    if (opened.ok && opened.record.id === id) return opened.record
  }
  return undefined
}

let runs = 0
let copies = 0

/** Hands the node a copy of its instance `id` signed in an earlier run, as a sync from a peer would. */
async function arrive (id: string, service: string, op: Extract<Op, { kind: 'copy' }>): Promise<void> {
  const header = { kind: 'instance' as const, owner: node.peerId, id, namespace: 'default', stamp: { wall: Date.now() + (op.later ? 30_000 : -30_000), logical: 0 } }
  const record: InstanceRecord | InstanceTombstone = op.deleted
    ? { ...header, deleted: true, service }
    : { ...header, deleted: false, service, version: '0.9.0', address: '10.0.0.9', port: 9, tags: [], metadata: { run: 'earlier' }, weight: 5, status: 'passing' }
  // A peer of its own per copy: its sync budget is never what stops one.
  await handlers.ingest(await sealRecord(record, key), `relay-${copies++}`)
}

async function check (ops: readonly Op[]): Promise<void> {
  const run = runs++
  const service = `prop-${run}`
  const ids: Record<Slot, string> = { a: `${service}-a`, b: `${service}-b` }
  const calls: Array<Promise<Outcome>> = []
  const arrivals: Array<Promise<void>> = []
  const since = published.length
  const outcomeOf = async (call: () => Promise<unknown>): Promise<Outcome> => call().then(() => 'ok', (err: { code?: string }) => err.code ?? String(err))
  for (const op of ops) {
    switch (op.kind) {
      case 'register':
        calls.push(outcomeOf(async () => node.register({
          id: ids[op.slot], service, version: '1.0.0', address: '10.0.0.1', port: op.port, status: op.status, ...(op.ttl && { check: { ttl: TTL_MS } })
        })))
        break
      case 'update':
        calls.push(outcomeOf(async () => node.update(ids[op.slot], op.patch)))
        break
      case 'deregister':
        calls.push(outcomeOf(async () => node.deregister(ids[op.slot])))
        break
      case 'report':
        try {
          if (op.status === 'passing') node.pass(ids[op.slot])
          else node.fail(ids[op.slot])
          calls.push(Promise.resolve('ok'))
        } catch {
          calls.push(Promise.resolve('throws'))
        }
        break
      case 'yield':
        await (op.macro ? new Promise((resolve) => setImmediate(resolve)) : Promise.resolve())
        break
      case 'copy':
        arrivals.push(arrive(ids[op.slot], service, op))
        break
    }
  }
  const outcomes = await Promise.all(calls)
  await Promise.all(arrivals)
  await settleOwnWrites()
  const expected = model(ops)
  try {
    expect(outcomes).toEqual(expected.outcomes)
    for (const slot of ['a', 'b'] as const) {
      const want = expected.slots[slot].instance
      const id = ids[slot]
      const seen = node.lookup(service, { includeUnhealthy: true }).filter((instance) => instance.id === id)
        .map(({ port, status, weight, metadata }) => ({ port, status, weight, metadata }))
      expect({ slot, table: seen }).toEqual({ slot, table: want === undefined ? [] : [want] })
      expect({ slot, owned: own.get(id) !== undefined }).toEqual({ slot, owned: want !== undefined })
      const last = await lastPublished(id, since)
      if (last?.kind === 'instance' && !last.deleted) {
        const { port, status, weight, metadata } = last
        expect({ slot, published: { port, status, weight, metadata } }).toEqual({ slot, published: want })
      } else {
        // Nothing published means nothing ever took: the model must agree.
        expect({ slot, published: undefined }).toEqual({ slot, published: want })
      }
    }
  } finally {
    // Leaves nothing running for the next run: no health timers, no instances counting towards the cap.
    await Promise.allSettled(Object.values(ids).map(async (id) => node.deregister(id)))
    await settleOwnWrites()
  }
}

describe('own writes issued without awaiting', () => {
  it('end as the same calls made one after the other', async () => {
    await fc.assert(fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 10 }), check), { numRuns })
  }, 120_000)
})
