/**
 * Where a delivered record's cost comes from: N registries in this one process on loopback, one register every
 * `gap` ms round-robin, and for each write: the gossipsub RPCs the cluster sent (by kind: how many copies of a
 * record each node received), the TCP writes and bytes (each RPC is a yamux frame, noise-encrypted; window updates
 * come once half a stream's window is read, see src/net/lazy-window-updates.ts), and the CPU of the whole process per write and per delivery, above its idle cost.
 * One process and no contention between processes: the figure is the stack's own cost per message.
 *
 *   npx tsx bench/delivery-cost.ts [--nodes 10] [--ops 400] [--gap 25] [--out bench/results/full]
 *
 * Appends one JSON line to <out>/delivery-cost.jsonl. Bench-only instrumentation (prototype wrappers), mDNS off.
 */
import { Socket as DatagramSocket } from 'node:dgram'
import { Socket } from 'node:net'
import { GossipSub } from '@chainsafe/libp2p-gossipsub'
import type { Registry } from '../src/index.js'
import { CHURN_TIMING } from '../test/support/churn.js'
import { pollUntil } from './convergence/fleet.js'
import { startLocalCluster } from './idle-cost.js'
import { benchArgs, isMain } from './report/cli.js'
import { writeJsonLine } from './report/jsonl.js'

/** After formation, gossipsub grafts and identify settle before the idle rate is read. */
const SETTLE_SECONDS = 10
const IDLE_SECONDS = 5
const DELIVERY_TIMEOUT_MS = 60_000

export interface DeliveryCostResult {
  readonly bench: 'delivery-cost'
  readonly nodes: number
  readonly ops: number
  readonly gapMs: number
  /** Gossipsub RPCs sent per write, by what they carried (`msg`, `ihave`, `iwant`, `graft`, ...). */
  readonly rpcsPerWrite: Record<string, number>
  /** Copies of a record each other node received: RPCs carrying a message, over N - 1. */
  readonly copiesPerDelivery: number
  readonly tcpWritesPerWrite: number
  readonly tcpBytesPerWrite: number
  readonly datagramsPerWrite: number
  /** Process CPU above the idle rate, per write and per node that received it. */
  readonly cpuMsPerWrite: number
  readonly cpuMsPerDelivery: number
  readonly idleCpuPercent: number
}

interface Counts { rpcs: Record<string, number>, writes: number, bytes: number, datagrams: number }

/** Wraps the prototypes that every node of this process sends through; returns the live counts and an undo. */
function instrument (): { counts: Counts, restore: () => void } {
  const counts: Counts = { rpcs: {}, writes: 0, bytes: 0, datagrams: 0 }
  const write = Socket.prototype.write as (this: Socket, ...args: unknown[]) => boolean
  Socket.prototype.write = function (this: Socket, ...args: unknown[]): boolean {
    counts.writes++
    const chunk = args[0]
    if (chunk instanceof Uint8Array) counts.bytes += chunk.byteLength
    return write.apply(this, args)
  } as typeof Socket.prototype.write
  const send = DatagramSocket.prototype.send as (this: DatagramSocket, ...args: unknown[]) => void
  DatagramSocket.prototype.send = function (this: DatagramSocket, ...args: unknown[]): void {
    counts.datagrams++
    send.apply(this, args)
  } as typeof DatagramSocket.prototype.send
  // sendRpc is gossipsub's one exit for RPCs; it is not part of its typed surface.
  const proto = GossipSub.prototype as unknown as { sendRpc: (this: unknown, id: unknown, rpc: Rpc) => boolean }
  const sendRpc = proto.sendRpc
  proto.sendRpc = function (id, rpc) {
    const kind = rpcKind(rpc)
    counts.rpcs[kind] = (counts.rpcs[kind] ?? 0) + 1
    return sendRpc.call(this, id, rpc)
  }
  return {
    counts,
    restore: () => {
      Socket.prototype.write = write as typeof Socket.prototype.write
      DatagramSocket.prototype.send = send as typeof DatagramSocket.prototype.send
      proto.sendRpc = sendRpc
    }
  }
}

interface Rpc {
  readonly messages?: readonly unknown[]
  readonly control?: Partial<Record<'ihave' | 'iwant' | 'idontwant' | 'graft' | 'prune', readonly unknown[]>>
}

function rpcKind (rpc: Rpc): string {
  const parts = (rpc.messages?.length ?? 0) > 0 ? ['msg'] : []
  for (const kind of ['ihave', 'iwant', 'idontwant', 'graft', 'prune'] as const) if ((rpc.control?.[kind]?.length ?? 0) > 0) parts.push(kind)
  return parts.length > 0 ? parts.join('+') : 'empty'
}

export async function measureDeliveryCost (nodes: number, ops: number, gapMs: number): Promise<DeliveryCostResult> {
  const registries: Registry[] = []
  const { counts, restore } = instrument()
  try {
    // The soak's timings, so the figures explain the soak's.
    await startLocalCluster(registries, nodes, CHURN_TIMING)
    let shown = 0
    for (const node of registries) node.watch('delivery', (change) => { if (change.type === 'up') shown++ })
    await new Promise((resolve) => setTimeout(resolve, SETTLE_SECONDS * 1000))
    const idleFrom = process.cpuUsage()
    await new Promise((resolve) => setTimeout(resolve, IDLE_SECONDS * 1000))
    const idle = process.cpuUsage(idleFrom)
    const idleRate = (idle.user + idle.system) / 1000 / (IDLE_SECONDS * 1000)
    const before = { ...counts, rpcs: { ...counts.rpcs } }
    const cpuFrom = process.cpuUsage()
    const startedAt = performance.now()
    for (let i = 0; i < ops; i++) {
      await registries[i % nodes]!.register({ service: 'delivery', version: '1.0.0', address: '127.0.0.1', port: 1 + i })
      await new Promise((resolve) => setTimeout(resolve, gapMs))
    }
    await pollUntil(async () => shown >= ops * nodes, DELIVERY_TIMEOUT_MS, 20, () => `${ops} writes shown at all ${nodes} nodes (${shown} of ${ops * nodes})`)
    const cpu = process.cpuUsage(cpuFrom)
    const busyMs = (cpu.user + cpu.system) / 1000 - idleRate * (performance.now() - startedAt)
    const perWrite = (value: number): number => Math.round(value / ops * 100) / 100
    const rpcsPerWrite = Object.fromEntries(Object.entries(counts.rpcs).map(([kind, n]) => [kind, perWrite(n - (before.rpcs[kind] ?? 0))]).filter(([, n]) => n !== 0))
    return {
      bench: 'delivery-cost',
      nodes,
      ops,
      gapMs,
      rpcsPerWrite,
      copiesPerDelivery: Math.round((rpcsPerWrite.msg ?? 0) / (nodes - 1) * 100) / 100,
      tcpWritesPerWrite: perWrite(counts.writes - before.writes),
      tcpBytesPerWrite: perWrite(counts.bytes - before.bytes),
      datagramsPerWrite: perWrite(counts.datagrams - before.datagrams),
      cpuMsPerWrite: perWrite(busyMs),
      cpuMsPerDelivery: Math.round(busyMs / ops / nodes * 1000) / 1000,
      idleCpuPercent: Math.round(idleRate * 1000) / 10
    }
  } finally {
    restore()
    await Promise.allSettled(registries.map(async (node) => node.stop()))
  }
}

if (isMain(import.meta.url)) {
  const values = benchArgs(import.meta.url, {
    nodes: { type: 'string', default: '10' },
    ops: { type: 'string', default: '400' },
    gap: { type: 'string', default: '25' },
    out: { type: 'string', default: 'bench/results/full' }
  })
  const result = await measureDeliveryCost(Number(values.nodes), Number(values.ops), Number(values.gap))
  writeJsonLine(`${values.out}/delivery-cost.jsonl`, result)
  console.log(JSON.stringify(result))
  process.exit(0)
}
