/**
 * A member hangs while a newcomer that will observe it joins, over many seeds of the simulator (the node's own
 * engine): how often the hang is dead everywhere only by the slow path (`deadAfter`) instead of by its observers'
 * alerts (bench/simulate/join-hang.ts says how each run is set up).
 *
 *   npx tsx bench/join-hang.ts [--nodes 10] [--runs 300] [--first-seed 1] [--loss 0] [--latency 0.5] [--sigma 0.5]
 *                              [--out bench/results/quick]
 *
 * Prints the runs that were slow, and appends one JSON line to <out>/join-hang.jsonl.
 */
import { benchArgs, isMain, parseSizes } from './report/cli.js'
import { writeJsonLine } from './report/jsonl.js'
import { runJoinHang, type JoinHangResult } from './simulate/join-hang.js'

export interface JoinHangBenchOptions {
  readonly sizes: readonly number[]
  readonly runs: number
  readonly firstSeed?: number
  readonly loss?: number
  readonly latency?: { readonly medianMs: number, readonly sigma: number }
  readonly out: string
}

export async function runJoinHangBench (options: JoinHangBenchOptions): Promise<JoinHangResult[]> {
  const results: JoinHangResult[] = []
  for (const nodes of options.sizes) {
    const startedAt = performance.now()
    const { result, runs } = await runJoinHang({
      nodes, runs: options.runs, firstSeed: options.firstSeed,
      config: { loss: options.loss ?? 0, ...(options.latency !== undefined && { latency: options.latency }) }
    })
    for (const run of runs) if (run.detectionMs >= result.slowAfterMs) console.error(`  slow: ${JSON.stringify(run)}`)
    const slow = result.slow.displaced + result.slow.added + result.slow.none
    console.error(`join-hang N=${nodes}: ${slow} of ${result.runs} slow (displaced ${result.slow.displaced}/${result.byChange.displaced}, added ${result.slow.added}/${result.byChange.added}), p50 ${result.detection.p50} ms, p99 ${result.detection.p99} ms, max ${result.detection.max} ms, false suspicions ${result.falseSuspicions}, deaths ${result.falseDeaths} (${Math.round((performance.now() - startedAt) / 1000)} s)`)
    writeJsonLine(`${options.out}/join-hang.jsonl`, { ...result, loss: options.loss ?? 0, latency: options.latency })
    results.push(result)
  }
  return results
}

if (isMain(import.meta.url)) {
  const values = benchArgs(import.meta.url, {
    nodes: { type: 'string', default: '10' },
    runs: { type: 'string', default: '300' },
    'first-seed': { type: 'string', default: '1' },
    loss: { type: 'string', default: '0' },
    latency: { type: 'string', default: '0.5' },
    sigma: { type: 'string', default: '0.5' },
    out: { type: 'string', default: 'bench/results/quick' }
  })
  await runJoinHangBench({
    sizes: parseSizes(values.nodes),
    runs: Number(values.runs),
    firstSeed: Number(values['first-seed']),
    loss: Number(values.loss),
    latency: { medianMs: Number(values.latency), sigma: Number(values.sigma) },
    out: values.out
  })
}
