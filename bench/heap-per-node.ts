/**
 * Where the memory of one more node goes: this process starts one registry, takes a heap snapshot, joins
 * `--nodes - 1` more to it (all in this process), lets them settle, takes another, and prints the difference per extra node by kind of
 * object (constructor name for objects and closures, V8's category for the rest), largest first. The footprint
 * bench measures RSS; this says what is behind the heap part of it. Loopback, mDNS off; every wait is bounded.
 *
 *   node --expose-gc --import tsx bench/heap-per-node.ts [--nodes 6] [--top 25]
 */
import { readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { writeHeapSnapshot } from 'node:v8'
import { createRegistry, type Registry } from '../src/index.js'
import { pollUntil } from './convergence/fleet.js'
import { startLocalCluster } from './idle-cost.js'
import { benchArgs, isMain } from './report/cli.js'

const SETTLE_MS = 5_000
const JOIN_TIMEOUT_MS = 60_000

interface HeapSnapshot {
  readonly snapshot: { readonly meta: { readonly node_fields: string[], readonly node_types: [string[], ...unknown[]] } }
  readonly nodes: number[]
  readonly strings: string[]
}

/** Bytes by kind of object in a heap snapshot file. */
export function heapByKind (file: string): Map<string, { bytes: number, count: number }> {
  const heap = JSON.parse(readFileSync(file, 'utf8')) as HeapSnapshot
  const fields = heap.snapshot.meta.node_fields
  const types = heap.snapshot.meta.node_types[0]
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f)) as [number, number, number]
  const kinds = new Map<string, { bytes: number, count: number }>()
  for (let i = 0; i < heap.nodes.length; i += fields.length) {
    const type = types[heap.nodes[i + typeAt]!]!
    const named = type === 'object' || type === 'closure' || type === 'array' || type === 'native'
    const kind = named ? `${type} ${heap.strings[heap.nodes[i + nameAt]!]!.slice(0, 60)}` : type
    const entry = kinds.get(kind) ?? { bytes: 0, count: 0 }
    entry.bytes += heap.nodes[i + sizeAt]!
    entry.count++
    kinds.set(kind, entry)
  }
  return kinds
}

function snapshot (name: string): string {
  ;(globalThis as { gc?: () => void }).gc?.()
  return writeHeapSnapshot(join(tmpdir(), `heap-per-node-${process.pid}-${name}.heapsnapshot`))
}

export async function heapPerNode (nodes: number, top: number): Promise<string[]> {
  if ((globalThis as { gc?: () => void }).gc === undefined) throw new Error('run with node --expose-gc')
  const registries: Registry[] = []
  const files: string[] = []
  try {
    await startLocalCluster(registries, 1, {})
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS))
    files.push(snapshot('one'))
    const seed = registries[0]!.multiaddrs[0]!
    for (let i = 1; i < nodes; i++) registries.push(await createRegistry({ mdns: false, listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: [seed] }))
    await pollUntil(async () => registries.every((r) => r.members().filter((m) => m.state === 'alive').length === nodes), JOIN_TIMEOUT_MS, 250, () => `${nodes} members alive at every node`)
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS))
    files.push(snapshot('all'))
    const [one, all] = files.map(heapByKind) as [ReturnType<typeof heapByKind>, ReturnType<typeof heapByKind>]
    const rows = [...all].map(([kind, { bytes, count }]) => ({ kind, bytes: (bytes - (one.get(kind)?.bytes ?? 0)) / (nodes - 1), count: (count - (one.get(kind)?.count ?? 0)) / (nodes - 1) }))
    const total = rows.reduce((sum, r) => sum + r.bytes, 0)
    rows.sort((a, b) => b.bytes - a.bytes)
    return [
      `heap per extra node (${nodes} nodes against 1): ${(total / 1024).toFixed(0)} KiB`,
      ...rows.slice(0, top).map((r) => `${(r.bytes / 1024).toFixed(1).padStart(8)} KiB ${r.count.toFixed(0).padStart(7)} × ${r.kind}`)
    ]
  } finally {
    await Promise.allSettled(registries.map(async (r) => r.stop()))
    for (const file of files) rmSync(file, { force: true })
  }
}

if (isMain(import.meta.url)) {
  const values = benchArgs(import.meta.url, { nodes: { type: 'string', default: '6' }, top: { type: 'string', default: '25' } })
  for (const line of await heapPerNode(Number(values.nodes), Number(values.top))) console.log(line)
  process.exit(0)
}
