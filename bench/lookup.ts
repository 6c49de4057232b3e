/**
 * Lookup speed and memory per record. For tables holding 10, 1 000 and 100 000 instances of one service (spread
 * over several owners, beside a few other services), times `registry.lookup` (the public API) and
 * `Replica.lookup` (the core underneath it), plain and with a version or tag filter, and measures the heap a
 * record costs. Records are real: sealed with each owner's Ed25519 key and opened as the network path opens
 * them. Bounded: every loop stops by count and by time.
 *
 *   npx tsx bench/lookup.ts [--quick] [--out bench/results]
 *
 * Appends one JSON line per row to `<out>/lookup.jsonl`, prints a markdown table and writes it to `<out>/lookup.md`.
 */
import { writeFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { PrivateKey } from '@libp2p/interface'
import { createRegistry, DEFAULTS } from '../src/index.js'
import { elapsedMs, systemClock } from '../src/config.js'
import { openRecord, sealRecord } from '../src/record/sign.js'
import type { InstanceRecord } from '../src/record/types.js'
import type { LookupFilter, Replica } from '../src/replica.js'
import { benchArgs, isMain } from './report/cli.js'
import { writeJsonLine } from './report/jsonl.js'
import { markdownTable } from './report/markdown.js'
import { round } from './report/stats.js'

/** One timed kind of lookup on one table. */
export interface LookupRow {
  readonly bench: 'lookup'
  readonly instances: number
  /** `registry`: the public `registry.lookup`; `core`: `Replica.lookup` under it, without argument checks. */
  readonly api: 'registry' | 'core'
  readonly query: string
  readonly calls: number
  readonly callsPerSec: number
  readonly nsPerCall: number
  readonly resultsPerCall: number
}

/** Memory of a filled table, per instance record. */
export interface MemoryRow {
  readonly bench: 'lookup-memory'
  readonly records: number
  /** Growth of V8 heap plus array buffers (envelope bytes may live outside the heap), over records held. */
  readonly bytesPerRecord: number
  readonly heapBytesPerRecord: number
  readonly arrayBufferBytesPerRecord: number
  /** Mean signed envelope size: the bytes a record costs on the wire. */
  readonly envelopeBytes: number
}

export type LookupResult = LookupRow | MemoryRow

export interface LookupBenchOptions {
  /** Shorter timing windows (all sizes are kept). */
  readonly quick: boolean
  /** Folder for `lookup.jsonl` and `lookup.md`. */
  readonly out: string
}

const SIZES = [10, 1_000, 100_000] as const
/** Sizes whose memory is reported: at 10 records the heap noise of a GC cycle is larger than the table. */
const MEMORY_SIZES = new Set<number>([1_000, 100_000])
const SERVICE = 'orders'
/** Other services in every table, so the looked-up service is not the only index entry. */
const OTHER_SERVICES = ['billing', 'search', 'users']
const OTHER_INSTANCES_PER_OWNER = 2
/** Default `maxInstancesPerOwner`: more instances than this need more owners. */
const MAX_PER_OWNER = DEFAULTS.maxInstancesPerOwner
const MIN_OWNERS = 5
const TARGET_CALLS_PER_SEC = 5_000_000
const TARGET_INSTANCES = 1_000
const QUERIES: ReadonlyArray<{ readonly name: string, readonly filter: LookupFilter }> = [
  { name: 'plain', filter: {} },
  { name: 'version ^1.0.0', filter: { version: '^1.0.0' } },
  { name: 'tags [eu]', filter: { tags: ['eu'] } }
]

/** Timing budget of one row: warm-up, then timed calls until either bound is hit. */
interface Budget {
  readonly warmupMs: number
  readonly maxCalls: number
  readonly maxMs: number
}
const FULL: Budget = { warmupMs: 300, maxCalls: 50_000_000, maxMs: 2_000 }
const QUICK: Budget = { warmupMs: 50, maxCalls: 5_000_000, maxMs: 300 }
/** A batch of calls between clock reads lasts about this long, so reading the clock costs nothing measurable. */
const BATCH_NS = 2_000_000
const MAX_BATCH = 1_000_000

/** Result lengths summed over every call, printed at the end so no lookup can be optimized away. */
let sink = 0

/** Runs every size, appends the JSON lines and writes the markdown table; returns the rows. */
export async function runLookupBench (options: LookupBenchOptions): Promise<LookupResult[]> {
  const startedMs = Date.now()
  const budget = options.quick ? QUICK : FULL
  const gc = exposeGc()
  const results: LookupResult[] = []
  for (const size of SIZES) {
    const registry = await createRegistry({
      mdns: false,
      listen: ['/ip4/127.0.0.1/tcp/0'],
      // The fake owners never beat: keep them alive (and out of self-preservation) for the whole run.
      suspectAfter: 3_600_000,
      deadAfter: 7_200_000,
      selfPreservationLimit: 14_400_000
    })
    try {
      // Bench-only access to a private member: `receive()` is what the network calls with an envelope, and after
      // `openRecord` it hands the opened entry to `replica.ingest`, as `fill` does. The public API cannot add
      // another owner's records, and going through libp2p would time gossip, not lookups.
      const replica = (registry as unknown as { replica: Replica }).replica
      gc()
      const before = process.memoryUsage()
      const envelopeBytes = await fill(replica, size)
      replica.lookup(SERVICE) // builds the service's array and views, as the first real lookup would
      gc()
      const after = process.memoryUsage()
      if (MEMORY_SIZES.has(size)) {
        const records = size + OTHER_SERVICES.length * OTHER_INSTANCES_PER_OWNER * ownerCount(size)
        const heap = after.heapUsed - before.heapUsed
        const buffers = after.arrayBuffers - before.arrayBuffers
        results.push({
          bench: 'lookup-memory',
          records,
          bytesPerRecord: Math.round((heap + buffers) / records),
          heapBytesPerRecord: Math.round(heap / records),
          arrayBufferBytesPerRecord: Math.round(buffers / records),
          envelopeBytes: round(envelopeBytes, 1)
        })
      }
      for (const { name, filter } of QUERIES) {
        results.push(row(size, 'registry', name, time(() => registry.lookup(SERVICE, filter), budget)))
        results.push(row(size, 'core', name, time(() => replica.lookup(SERVICE, filter), budget)))
      }
    } finally {
      await registry.stop({ leave: false })
    }
  }
  report(results, options.out, Date.now() - startedMs)
  return results
}

/**
 * Seals `size` instances of SERVICE, plus a few of other services, across `ownerCount(size)` owners, opens each
 * envelope as the network path does and ingests it. Returns the mean envelope size in bytes.
 */
async function fill (replica: Replica, size: number): Promise<number> {
  const owners = await Promise.all(Array.from({ length: ownerCount(size) }, async () => generateKeyPair('Ed25519')))
  const nowMs = Date.now()
  let envelopeBytes = 0
  let count = 0
  const add = async (key: PrivateKey, record: InstanceRecord): Promise<void> => {
    const opened = await openRecord(await sealRecord(record, key), { maxBytes: DEFAULTS.maxRecordBytes, namespace: DEFAULTS.namespace })
    if (!opened.ok) throw new Error(`bench record refused: ${opened.rejection.reason}: ${opened.rejection.detail}`)
    if (opened.record.kind === 'alert') throw new Error('bench sealed an alert instead of an instance')
    // The node's own clocks, as its network path passes them: the monotonic one tells that the node is still in
    // its first deadAfter, when it takes in owners it has not established yet (see Replica.isEstablished).
    const result = replica.ingest({ record: opened.record, envelope: opened.envelope }, Date.now(), elapsedMs(systemClock))
    if (result.outcome !== 'applied') throw new Error(`bench record not applied: ${result.outcome === 'rejected' ? `${result.rejection.reason}: ${result.rejection.detail}` : result.outcome}`)
    envelopeBytes += opened.envelope.length
    count++
  }
  for (let i = 0; i < size; i++) {
    const key = owners[i % owners.length]!
    await add(key, instance(key, SERVICE, i, nowMs))
  }
  for (const [s, service] of OTHER_SERVICES.entries()) {
    for (const [o, key] of owners.entries()) {
      for (let j = 0; j < OTHER_INSTANCES_PER_OWNER; j++) await add(key, instance(key, service, size + (s * owners.length + o) * OTHER_INSTANCES_PER_OWNER + j, nowMs))
    }
  }
  return envelopeBytes / count
}

/** Enough owners to stay under the per-owner cap with their other services' instances, and at least a few. */
function ownerCount (size: number): number {
  const perOwner = MAX_PER_OWNER - OTHER_SERVICES.length * OTHER_INSTANCES_PER_OWNER
  return Math.min(size, Math.max(MIN_OWNERS, Math.ceil(size / perOwner)))
}

/** A typical instance: three in four match `^1.0.0`, one in two is tagged `eu`. */
function instance (key: PrivateKey, service: string, i: number, nowMs: number): InstanceRecord {
  return {
    kind: 'instance',
    deleted: false,
    owner: peerIdFromPrivateKey(key).toString(),
    id: `${service}-${i}`,
    namespace: DEFAULTS.namespace,
    stamp: { wall: nowMs - 1_000, logical: 0 },
    service,
    version: i % 4 === 3 ? '2.0.1' : '1.4.2',
    address: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
    port: 8_080 + (i % 16),
    tags: i % 2 === 0 ? ['eu', 'blue'] : ['us', 'green'],
    metadata: { zone: `zone-${i % 3}`, build: `b${i % 97}` },
    weight: 100,
    status: 'passing'
  }
}

interface Timing {
  readonly calls: number
  readonly ns: number
  readonly results: number
}

/**
 * Warms `call` up, then times batches of calls until `maxCalls` or `maxMs`. The clock is read once per batch,
 * and batches are sized from the warm-up to last about BATCH_NS.
 */
function time (call: () => readonly unknown[], budget: Budget): Timing {
  const warmEnd = process.hrtime.bigint() + BigInt(budget.warmupMs * 1e6)
  let batch = 1
  let batchNs = 0
  for (let rounds = 0; rounds < 10_000; rounds++) {
    const start = process.hrtime.bigint()
    for (let i = 0; i < batch; i++) sink += call().length
    const end = process.hrtime.bigint()
    batchNs = Number(end - start)
    if (end >= warmEnd) break
    if (batchNs < BATCH_NS && batch < MAX_BATCH) batch *= 2
  }
  batch = Math.max(1, Math.min(MAX_BATCH, Math.round(batch * BATCH_NS / Math.max(1, batchNs))))
  let calls = 0
  let results = 0
  const start = process.hrtime.bigint()
  const deadline = start + BigInt(budget.maxMs * 1e6)
  let now = start
  while (calls < budget.maxCalls && now < deadline) {
    const n = Math.min(batch, budget.maxCalls - calls)
    for (let i = 0; i < n; i++) results += call().length
    calls += n
    now = process.hrtime.bigint()
  }
  sink += results
  return { calls, ns: Number(now - start), results }
}

function row (instances: number, api: LookupRow['api'], query: string, timing: Timing): LookupRow {
  const nsPerCall = timing.ns / timing.calls
  return {
    bench: 'lookup',
    instances,
    api,
    query,
    calls: timing.calls,
    callsPerSec: Math.round(1e9 / nsPerCall),
    nsPerCall: round(nsPerCall, 1),
    resultsPerCall: round(timing.results / timing.calls, 1)
  }
}

/** `global.gc`, exposed at run time if node was started without `--expose-gc` (V8 reads the flag on demand). */
function exposeGc (): () => void {
  if (typeof globalThis.gc === 'function') return globalThis.gc
  setFlagsFromString('--expose-gc')
  const gc: unknown = runInNewContext('gc')
  if (typeof gc !== 'function') throw new Error('could not expose gc: run node with --expose-gc')
  return () => { gc() }
}

function report (results: readonly LookupResult[], out: string, tookMs: number): void {
  mkdirSync(out, { recursive: true })
  for (const result of results) writeJsonLine(join(out, 'lookup.jsonl'), result)
  const lookups = results.filter((r): r is LookupRow => r.bench === 'lookup')
  const memory = results.filter((r): r is MemoryRow => r.bench === 'lookup-memory')
  const target = lookups.find((r) => r.api === 'registry' && r.query === 'plain' && r.instances === TARGET_INSTANCES)
  const met = target !== undefined && target.callsPerSec >= TARGET_CALLS_PER_SEC
  const text = [
    markdownTable(['instances', 'api', 'query', 'calls/s', 'ns/call', 'results/call', 'calls timed'],
      lookups.map((r) => [r.instances, r.api, r.query, r.callsPerSec, r.nsPerCall, r.resultsPerCall, r.calls])),
    markdownTable(['records', 'bytes/record', 'heap bytes/record', 'array buffer bytes/record', 'envelope bytes'],
      memory.map((r) => [r.records, r.bytesPerRecord, r.heapBytesPerRecord, r.arrayBufferBytesPerRecord, r.envelopeBytes])),
    `Target ≥ ${TARGET_CALLS_PER_SEC.toLocaleString('en')} registry.lookup calls/s at ${TARGET_INSTANCES} instances: ` +
      `${met ? 'met' : 'MISSED'} (${target?.callsPerSec.toLocaleString('en') ?? 'not measured'} calls/s).`,
    `Run took ${round(tookMs / 1000, 1)} s on node ${process.version}.`
  ].join('\n')
  console.log(text)
  writeFileSync(join(out, 'lookup.md'), `${text}\n`)
  console.log(`(sink ${sink})`)
}

if (isMain(import.meta.url)) {
  const values = benchArgs(import.meta.url, { quick: { type: 'boolean', default: false }, out: { type: 'string', default: 'bench/results' } })
  await runLookupBench({ quick: values.quick, out: values.out })
}
