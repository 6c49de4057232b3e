/**
 * The discrete-event simulator: the pure core over a modelled overlay, for cluster sizes one machine cannot run.
 *
 *   npx tsx bench/simulate.ts [--nodes 100,1000,10000] [--ops 20] [--steady 10] [--loss 0] [--latency 0.5]
 *                             [--sigma 0.5] [--heartbeat ms [--suspect ms] [--dead ms]] [--label lan] [--out bench/results/full]
 *
 * Appends one JSON line per size to <out>/simulate.jsonl.
 */
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { writeJsonLine } from './report/jsonl.js'
import { runSimulation, type SimulationResult } from './simulate/scenario.js'

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
  readonly timings?: { readonly heartbeatMs: number, readonly suspectAfterMs: number, readonly deadAfterMs: number }
}

export async function runSimulateBench (options: SimulateBenchOptions): Promise<Array<SimulationResult & { label: string }>> {
  const results: Array<SimulationResult & { label: string }> = []
  for (const nodes of options.sizes) {
    const result = { ...await runSimulation({ nodes, ops: options.ops, steadySeconds: options.steadySeconds, config: { loss: options.loss, latency: options.latency, ...options.timings }, traceBudget: options.traceBudget }), label: options.label ?? 'lan' }
    console.error(`sim N=${nodes} (${result.traced} traced, loss ${options.loss}): register p99 ${result.register.p99.toFixed(1)} ms, ${result.messagesPerNodePerSec} msg/s, ${result.bytesPerNodePerSec} B/s per node, detection ${result.detectionMs} ms, ${result.wallSeconds} s`)
    writeJsonLine(`${options.out}/simulate.jsonl`, result)
    results.push(result)
  }
  return results
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: {
      nodes: { type: 'string', default: '100,1000,10000' },
      ops: { type: 'string', default: '20' },
      steady: { type: 'string', default: '10' },
      loss: { type: 'string', default: '0' },
      latency: { type: 'string', default: '0.5' },
      sigma: { type: 'string', default: '0.5' },
      label: { type: 'string', default: 'lan' },
      heartbeat: { type: 'string' },
      suspect: { type: 'string' },
      dead: { type: 'string' },
      out: { type: 'string', default: 'bench/results/full' }
    }
  })
  const sizes = values.nodes.split(',').map(Number)
  if (sizes.some((n) => !Number.isInteger(n) || n < 3)) throw new RangeError(`--nodes must list integers >= 3, got ${values.nodes}`)
  await runSimulateBench({
    sizes,
    ops: Number(values.ops),
    steadySeconds: Number(values.steady),
    loss: Number(values.loss),
    latency: { medianMs: Number(values.latency), sigma: Number(values.sigma) },
    label: values.label,
    out: values.out,
    ...(values.heartbeat !== undefined && {
      timings: { heartbeatMs: Number(values.heartbeat), suspectAfterMs: Number(values.suspect ?? 3 * Number(values.heartbeat)), deadAfterMs: Number(values.dead ?? 10 * Number(values.heartbeat)) }
    })
  })
}
