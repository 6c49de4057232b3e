/**
 * The CPU a delivered record costs: N nodes as processes on loopback (the soak's runner), churn at a fixed rate,
 * the nodes' CPU read from /proc before and after. Also what the load did to liveness (suspicions and deaths of
 * members that never stopped) and the longest event-loop stall.
 *
 *   npx tsx bench/churn-cost.ts [--nodes 10] [--ops 20] [--seconds 20] [--warm 0] [--out bench/results/full]
 *
 * `--warm <s>`: churn that long first (another service, same rate), let it settle, then measure: what the same
 * load costs processes whose code is already optimised. The soak and the full bench start cold (0).
 *
 * Appends one JSON line to <out>/churn.jsonl (`npm run bench -- --full` runs it at the soak's 20 nodes, 100 ops/s
 * for 60 s). Linux only (/proc); no mDNS, loopback only.
 */
import { readFileSync } from 'node:fs'
import { PRESETS } from '../src/index.js'
import { Checker } from '../test/support/checker.js'
import { CHURN_TIMING, churn, propagation, startChurnCluster, viewOf, type ChurnNode, type Propagation } from '../test/support/churn.js'
import { pollUntil } from './convergence/fleet.js'
import { benchArgs, isMain } from './report/cli.js'
import { writeJsonLine } from './report/jsonl.js'

/** How long the cluster may take to form, and the churn to settle, before the run gives up. */
const FORM_TIMEOUT_MS = 120_000
const SETTLE_TIMEOUT_MS = 240_000
const POLL_MS = 1_000

interface NodeStats {
  readonly memberChanges: Record<string, number>
  readonly messagesIn: Record<'gossip' | 'sync', number>
  readonly loop: { readonly maxMs: number }
}

/** User plus system CPU seconds of a process, from /proc. */
function cpuSeconds (pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  return (Number(fields[11]) + Number(fields[12])) / 100
}

/** Polls `check` like the convergence bench does; false if it never held within `timeoutMs`. */
async function held (check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  return pollUntil(check, timeoutMs, POLL_MS, () => 'success').then(() => true, () => false)
}

export interface ChurnOptions {
  readonly nodes: number
  readonly opsPerSecond: number
  readonly seconds: number
  /** Seconds of churn, unmeasured, before the measured run (0: none). */
  readonly warmSeconds?: number
}

/** How long the warm-up's writes get to reach every node before the measured run starts. */
const WARM_SETTLE_MS = 15_000

export type ChurnResult = ChurnOptions & { readonly bench: 'churn-cost' } & ({ readonly failed: string } | Propagation & {
  readonly ops: number
  /** Every node held exactly the expected instances within the settle bound. */
  readonly settled: boolean
  readonly elapsedSeconds: number
  readonly cpuSeconds: number
  readonly cpuMsPerDeliveredRecord: number
  /** Records received (and judged) per delivered record, by the channel they came on: 1 would be no waste. */
  readonly receivedPerDelivery: Readonly<Record<'gossip' | 'sync', number>>
  readonly falseSuspicions: number
  readonly falseDeaths: number
  readonly loopDelayMaxMs: number
})

export async function runChurnCost (options: ChurnOptions): Promise<ChurnResult> {
  const nodes: ChurnNode[] = []
  try {
    try {
      await startChurnCluster(nodes, options.nodes, { ...PRESETS.test, ...CHURN_TIMING }, FORM_TIMEOUT_MS)
    } catch (err) {
      return { bench: 'churn-cost' as const, ...options, failed: (err as Error).message }
    }
    if ((options.warmSeconds ?? 0) > 0) {
      await churn(nodes, new Checker(), { opsPerSecond: options.opsPerSecond, durationMs: options.warmSeconds! * 1_000, service: 'warm' })
      await new Promise((resolve) => setTimeout(resolve, WARM_SETTLE_MS))
      // Instance ids restart with each run: the warm-up's events would match the measured writes.
      for (const n of nodes) n.node.events.length = 0
    }
    const pids = nodes.map((n) => n.node.pid)
    const cpu = (): number => pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0)
    // Reading the stats starts a new window for the event-loop delay and the member changes.
    const before = await Promise.all(nodes.map(async (n) => n.node.call<NodeStats>('stats')))
    const checker = new Checker()
    const cpuBefore = cpu()
    const started = Date.now()
    const ops = await churn(nodes, checker, { opsPerSecond: options.opsPerSecond, durationMs: options.seconds * 1_000, service: 'churn' })
    const settled = await held(async () => {
      for (const n of nodes) {
        const anomalies = checker.check(await viewOf(n.node, 'churn'))
        if (anomalies.lost.length + anomalies.resurrected.length + anomalies.duplicated.length > 0) return false
      }
      return true
    }, SETTLE_TIMEOUT_MS)
    const cpuUsed = cpu() - cpuBefore
    const elapsedSeconds = (Date.now() - started) / 1_000
    const after = await Promise.all(nodes.map(async (n) => n.node.call<NodeStats>('stats')))
    const changes = (kind: string): number => after.reduce((sum, s, i) => sum + (s.memberChanges[kind] ?? 0) - (before[i]!.memberChanges[kind] ?? 0), 0)
    const deliveries = checker.acks.length * options.nodes
    const received = (channel: 'gossip' | 'sync'): number => Number((after.reduce((sum, s, i) => sum + s.messagesIn[channel] - before[i]!.messagesIn[channel], 0) / deliveries).toFixed(2))
    return {
      bench: 'churn-cost' as const,
      ...options,
      ops,
      settled,
      elapsedSeconds,
      cpuSeconds: Number(cpuUsed.toFixed(2)),
      ...propagation(checker, nodes),
      // The whole cluster's CPU (idle work included) over every node's copy of every acknowledged write.
      cpuMsPerDeliveredRecord: Number((cpuUsed * 1_000 / deliveries).toFixed(2)),
      receivedPerDelivery: { gossip: received('gossip'), sync: received('sync') },
      falseSuspicions: changes('member:suspect'),
      falseDeaths: changes('member:dead'),
      loopDelayMaxMs: Math.round(Math.max(...after.map((s) => s.loop.maxMs)))
    }
  } finally {
    await Promise.allSettled(nodes.map(async (n) => n.node.stop()))
  }
}

if (isMain(import.meta.url)) {
  const values = benchArgs(import.meta.url, {
    nodes: { type: 'string', default: '10' },
    ops: { type: 'string', default: '20' },
    seconds: { type: 'string', default: '20' },
    warm: { type: 'string', default: '0' },
    out: { type: 'string', default: 'bench/results/full' }
  })
  const result = await runChurnCost({ nodes: Number(values.nodes), opsPerSecond: Number(values.ops), seconds: Number(values.seconds), warmSeconds: Number(values.warm) })
  console.log(JSON.stringify(result))
  writeJsonLine(`${values.out}/churn.jsonl`, result)
}
