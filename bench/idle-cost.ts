/**
 * What an idle node costs: N registries in this one process on loopback (mDNS off), each with one instance; once
 * every node sees every member alive and every instance, and a settling window has passed, the process's CPU
 * over a quiet window, per node, with the connections and the messages and payload bytes each node sent (the
 * convergence bench's traffic figures, so a CPU figure can be told from a cluster that does more). One process,
 * so libp2p's and Node's fixed costs are shared as in an embedding service with several nodes; the figure is for
 * comparing designs and settings on one box, not an absolute.
 *
 *   npx tsx bench/idle-cost.ts [--nodes 10] [--seconds 20] [--settle 15] [--heartbeat ms] [--out bench/results/full]
 *
 * Appends one JSON line to <out>/idle-cost.jsonl.
 */
import { createRegistry, DEFAULTS, type Registry, type RegistryOptions } from '../src/index.js'
import type { Channel } from '../src/stats.js'
import { pollUntil } from './convergence/fleet.js'
import { benchArgs, isMain, parseTimings } from './report/cli.js'
import { writeJsonLine } from './report/jsonl.js'

// 100 nodes in one process take 80-130 s to form on the 2-core box (one core does all their handshakes and first
// exchanges, a fifth of it GC; measured 2026-12-03): 120 s failed one run in two.
const FORM_TIMEOUT_MS = 300_000

export interface IdleCostResult {
  readonly bench: 'idle-cost'
  readonly nodes: number
  readonly heartbeatMs: number
  readonly windowSeconds: number
  /** User plus system CPU of the process over the window, per node, in percent of one core. */
  readonly cpuPercentPerNode: number
  readonly userPercentPerNode: number
  readonly systemPercentPerNode: number
  /** Member changes away from alive seen during the window (there should be none). */
  readonly suspicions: number
  /** Connections per node at the end of the window, on average. */
  readonly connectionsPerNode: number
  /**
   * What each node sent over the window, per second, by channel (beats, gossip, sync): messages and payload bytes,
   * as the convergence bench reports them, so that a CPU figure that differs between runs or harnesses can be told
   * apart from traffic that differs.
   */
  readonly messagesOutPerNodePerSec: Readonly<Record<Channel, number>>
  readonly payloadBytesOutPerNodePerSec: Readonly<Record<Channel, number>>
}

const CHANNELS: readonly Channel[] = ['beats', 'gossip', 'sync']

/** Messages and payload bytes sent by every node in `registries` so far, summed per channel. */
function sent (registries: readonly Registry[]): { messages: Record<Channel, number>, bytes: Record<Channel, number> } {
  const messages = { beats: 0, gossip: 0, sync: 0 }
  const bytes = { beats: 0, gossip: 0, sync: 0 }
  for (const node of registries) {
    const { messagesOut, bytesOut } = node.stats.snapshot()
    for (const channel of CHANNELS) {
      messages[channel] += messagesOut[channel]
      bytes[channel] += bytesOut[channel]
    }
  }
  return { messages, bytes }
}

/**
 * Starts `nodes` registries in this process on loopback (mDNS off) into `registries` (so the caller stops them
 * whatever happens), each with one instance of the service `idle`, and waits until every node sees every member
 * alive and every instance.
 */
export async function startLocalCluster (registries: Registry[], nodes: number, options: RegistryOptions): Promise<void> {
  const base = { ...options, mdns: false, listen: ['/ip4/127.0.0.1/tcp/0'] }
  registries.push(await createRegistry(base))
  const seed = registries[0]!.multiaddrs[0]!
  for (let i = 1; i < nodes; i++) registries.push(await createRegistry({ ...base, bootstrap: [seed] }))
  for (const [i, node] of registries.entries()) await node.register({ service: 'idle', version: '1.0.0', address: '127.0.0.1', port: 10_000 + i })
  await pollUntil(async () => registries.every((node) => node.members().filter((m) => m.state === 'alive').length === nodes && node.lookup('idle').length === nodes),
    FORM_TIMEOUT_MS, 250, () => `${nodes} members alive and their instances visible at every node (${formationState(registries, nodes)})`)
}

/** Where a cluster that did not form stands: how many nodes lack members, instances or any connection. */
function formationState (registries: readonly Registry[], nodes: number): string {
  const alive = registries.map((node) => node.members().filter((m) => m.state === 'alive').length)
  const instances = registries.map((node) => node.lookup('idle').length)
  const short = (counts: readonly number[]): number => counts.filter((count) => count < nodes).length
  return `${short(alive)} nodes short of members (fewest alive ${Math.min(...alive)}), ${short(instances)} short of instances ` +
    `(fewest ${Math.min(...instances)}), ${registries.filter((node) => node.connectedPeers === 0).length} without a connection`
}

export async function measureIdleCost (nodes: number, seconds: number, settleSeconds: number, options: RegistryOptions): Promise<IdleCostResult> {
  const registries: Registry[] = []
  try {
    await startLocalCluster(registries, nodes, options)
    await new Promise((resolve) => setTimeout(resolve, settleSeconds * 1000))
    let suspicions = 0
    for (const node of registries) node.addEventListener('member:suspect', () => { suspicions++ })
    const sentBefore = sent(registries)
    const before = process.cpuUsage()
    const startedAt = performance.now()
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000))
    const cpu = process.cpuUsage(before)
    const elapsedS = (performance.now() - startedAt) / 1000
    const sentAfter = sent(registries)
    const perNodePerSec = (pick: (s: ReturnType<typeof sent>) => Record<Channel, number>): Record<Channel, number> =>
      Object.fromEntries(CHANNELS.map((c) => [c, Math.round((pick(sentAfter)[c] - pick(sentBefore)[c]) / nodes / elapsedS * 10) / 10])) as Record<Channel, number>
    const percent = (micros: number): number => Math.round(micros / 1000 / (performance.now() - startedAt) * 100 / nodes * 1000) / 1000
    return {
      bench: 'idle-cost',
      nodes,
      heartbeatMs: options.heartbeatInterval ?? DEFAULTS.heartbeatInterval,
      windowSeconds: seconds,
      cpuPercentPerNode: percent(cpu.user + cpu.system),
      userPercentPerNode: percent(cpu.user),
      systemPercentPerNode: percent(cpu.system),
      suspicions,
      connectionsPerNode: Math.round(registries.reduce((sum, node) => sum + node.connectedPeers, 0) / nodes * 10) / 10,
      messagesOutPerNodePerSec: perNodePerSec((s) => s.messages),
      payloadBytesOutPerNodePerSec: perNodePerSec((s) => s.bytes)
    }
  } finally {
    await Promise.allSettled(registries.map(async (node) => node.stop()))
  }
}

if (isMain(import.meta.url)) {
  const values = benchArgs(import.meta.url, {
    nodes: { type: 'string', default: '10' },
    seconds: { type: 'string', default: '20' },
    settle: { type: 'string', default: '15' },
    heartbeat: { type: 'string' },
    out: { type: 'string', default: 'bench/results/full' }
  })
  const timings = parseTimings(values)
  const options: RegistryOptions = timings === undefined ? {} : { heartbeatInterval: timings.heartbeatMs, suspectAfter: timings.suspectAfterMs, deadAfter: timings.deadAfterMs }
  const result = await measureIdleCost(Number(values.nodes), Number(values.seconds), Number(values.settle), options)
  writeJsonLine(`${values.out}/idle-cost.jsonl`, result)
  console.log(JSON.stringify(result))
  process.exit(0)
}
