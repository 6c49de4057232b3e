/**
 * Convergence, failure detection and steady-state cost of real clusters on loopback.
 *
 *   npx tsx bench/convergence.ts [--nodes 10,25,50,100,200] [--ops 20] [--steady 10] [--out bench/results/full]
 *                                [--heartbeat ms] [--suspect ms] [--dead ms] [--per-worker 25]
 *
 * Appends one JSON line per cluster size to <out>/convergence.jsonl and prints progress to stderr.
 */
import { benchArgs, CLUSTER_OPTIONS, isMain, parseSizes, parseTimings } from './report/cli.js'
import { writeJsonLine } from './report/jsonl.js'
import type { RegistryOptions } from '../src/index.js'
import { NODES_PER_WORKER, runConvergence, type ConvergenceResult } from './convergence/scenario.js'

/** A size the machine could not run, with why: reported instead of aborting the rest of the suite. */
export interface ConvergenceFailure {
  readonly bench: 'convergence-failed'
  readonly nodes: number
  readonly options: RegistryOptions
  readonly error: string
}

export interface ConvergenceBenchOptions {
  readonly sizes: readonly number[]
  /** Registry options per cluster size (timings); the defaults when it returns nothing. */
  readonly optionsFor?: (nodes: number) => RegistryOptions
  readonly ops: number
  readonly steadySeconds: number
  /** A longer steady window at some sizes (issue 16 counts false deaths over 10 minutes at N = 100). */
  readonly steadySecondsAt?: Readonly<Record<number, number>>
  /** Nodes per worker process (the scenario's NODES_PER_WORKER by default). */
  readonly nodesPerWorker?: number
  readonly out: string
}

/** Runs the sizes one after the other (never two clusters at once: they would share the two cores). */
export async function runConvergenceBench (options: ConvergenceBenchOptions): Promise<Array<ConvergenceResult | ConvergenceFailure>> {
  const results: Array<ConvergenceResult | ConvergenceFailure> = []
  for (const nodes of options.sizes) {
    const registryOptions = options.optionsFor?.(nodes) ?? {}
    let result: ConvergenceResult | ConvergenceFailure
    try {
      result = await runConvergence({ nodes, ops: options.ops, steadySeconds: options.steadySecondsAt?.[nodes] ?? options.steadySeconds, options: registryOptions, nodesPerWorker: options.nodesPerWorker, log: (line) => { console.error(line) } })
    } catch (err) {
      result = { bench: 'convergence-failed', nodes, options: registryOptions, error: err instanceof Error ? err.message : String(err) }
      console.error(`N=${nodes}: failed: ${result.error}`)
    }
    writeJsonLine(`${options.out}/convergence.jsonl`, result)
    results.push(result)
  }
  return results
}

if (isMain(import.meta.url)) {
  const values = benchArgs(import.meta.url, { nodes: { type: 'string', default: '10,25,50,100,200' }, 'per-worker': { type: 'string', default: String(NODES_PER_WORKER) }, ...CLUSTER_OPTIONS })
  const timings = parseTimings(values)
  const options: RegistryOptions = timings === undefined ? {} : { heartbeatInterval: timings.heartbeatMs, suspectAfter: timings.suspectAfterMs, deadAfter: timings.deadAfterMs }
  const results = await runConvergenceBench({ sizes: parseSizes(values.nodes), ops: Number(values.ops), steadySeconds: Number(values.steady), nodesPerWorker: Number(values['per-worker']), out: values.out, optionsFor: () => options })
  for (const result of results) console.log(JSON.stringify(result))
}
