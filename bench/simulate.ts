/**
 * The discrete-event simulator: the pure core over a modelled overlay, for cluster sizes one machine cannot run.
 *
 *   npx tsx bench/simulate.ts [--nodes 100,1000,10000] [--ops 20] [--steady 10] [--loss 0] [--latency 0.5]
 *                             [--sigma 0.5] [--heartbeat ms [--suspect ms] [--dead ms]] [--label lan]
 *                             [--trace-budget 200000] [--seed 1] [--out bench/results/full]
 *
 * A run repeats exactly from its seed (keys, overlay, latencies, losses, heartbeat chains): compare two designs
 * over several seeds, since one seed is one sample of a lossy network.
 *
 * N = 100 000 holds 100 000 engines: give Node the heap for it (`npm run bench` does, see SIMULATOR_NODE_FLAGS).
 *
 * Appends one JSON line per size to <out>/simulate.jsonl.
 */
import { benchArgs, CLUSTER_OPTIONS, isMain, parseSeed, parseSizes, parseTimings, type Timings } from './report/cli.js'
import { writeJsonLine } from './report/jsonl.js'
import { runSimulation, type SimulationResult } from './simulate/scenario.js'

/**
 * Node flags for a simulator process: a heap of up to 16 GB (issue 16's bound for N = 100 000, whose 100 000
 * engines need about 6 GB; Node's default limit on this box is about 4 GB) and a larger young generation, which
 * halves the time spent in scavenges. Only the simulator gets them: the other benches measure memory.
 */
export const SIMULATOR_NODE_FLAGS = ['--max-old-space-size=16384', '--max-semi-space-size=64'] as const

export interface SimulateBenchOptions {
  readonly sizes: readonly number[]
  readonly ops: number
  readonly steadySeconds: number
  readonly loss: number
  readonly latency: { readonly medianMs: number, readonly sigma: number }
  readonly out: string
  /** Tag written with each result, to tell runs with different models apart. */
  readonly label?: string
  readonly traceBudget?: number
  /** Registry timings other than the defaults. */
  readonly timings?: Timings
  /** The run's seed (default SIM_DEFAULTS.seed). */
  readonly seed?: number
}

export async function runSimulateBench (options: SimulateBenchOptions): Promise<Array<SimulationResult & { label: string }>> {
  const results: Array<SimulationResult & { label: string }> = []
  for (const nodes of options.sizes) {
    const result = { ...await runSimulation({ nodes, ops: options.ops, steadySeconds: options.steadySeconds, config: { loss: options.loss, latency: options.latency, ...options.timings, ...(options.seed !== undefined && { seed: options.seed }) }, traceBudget: options.traceBudget }), label: options.label ?? 'lan' }
    console.error(`sim N=${nodes} (${result.traced} traced, loss ${options.loss}): register p99 ${result.register.p99.toFixed(1)} ms, ${result.messagesPerNodePerSec} msg/s, ${result.bytesPerNodePerSec} B/s per node, detection ${result.detectionMs} ms, ${result.wallSeconds} s`)
    writeJsonLine(`${options.out}/simulate.jsonl`, result)
    results.push(result)
  }
  return results
}

if (isMain(import.meta.url)) {
  const values = benchArgs(import.meta.url, {
    nodes: { type: 'string', default: '100,1000,10000' },
    loss: { type: 'string', default: '0' },
    latency: { type: 'string', default: '0.5' },
    sigma: { type: 'string', default: '0.5' },
    label: { type: 'string', default: 'lan' },
    'trace-budget': { type: 'string' },
    seed: { type: 'string' },
    ...CLUSTER_OPTIONS
  })
  const timings = parseTimings(values)
  await runSimulateBench({
    sizes: parseSizes(values.nodes),
    ops: Number(values.ops),
    steadySeconds: Number(values.steady),
    loss: Number(values.loss),
    latency: { medianMs: Number(values.latency), sigma: Number(values.sigma) },
    label: values.label,
    out: values.out,
    ...(values['trace-budget'] !== undefined && { traceBudget: Number(values['trace-budget']) }),
    ...(timings !== undefined && { timings }),
    ...(values.seed !== undefined && { seed: parseSeed(values.seed) })
  })
}
