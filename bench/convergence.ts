/**
 * Convergence, failure detection and steady-state cost of real clusters on loopback.
 *
 *   npx tsx bench/convergence.ts [--nodes 10,25,50,100,200] [--ops 20] [--steady 10] [--out bench/results/full]
 *
 * Appends one JSON line per cluster size to <out>/convergence.jsonl and prints progress to stderr.
 */
import { pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'
import { writeJsonLine } from './report/jsonl.js'
import { runConvergence, type ConvergenceResult } from './convergence/scenario.js'

export interface ConvergenceBenchOptions {
  readonly sizes: readonly number[]
  readonly ops: number
  readonly steadySeconds: number
  readonly out: string
}

/** Runs the sizes one after the other (never two clusters at once: they would share the two cores). */
export async function runConvergenceBench (options: ConvergenceBenchOptions): Promise<ConvergenceResult[]> {
  const results: ConvergenceResult[] = []
  for (const nodes of options.sizes) {
    const result = await runConvergence({ nodes, ops: options.ops, steadySeconds: options.steadySeconds, log: (line) => { console.error(line) } })
    writeJsonLine(`${options.out}/convergence.jsonl`, result)
    results.push(result)
  }
  return results
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: {
      nodes: { type: 'string', default: '10,25,50,100,200' },
      ops: { type: 'string', default: '20' },
      steady: { type: 'string', default: '10' },
      out: { type: 'string', default: 'bench/results/full' }
    }
  })
  const sizes = values.nodes.split(',').map(Number)
  if (sizes.some((n) => !Number.isInteger(n) || n < 3)) throw new RangeError(`--nodes must list integers >= 3, got ${values.nodes}`)
  const results = await runConvergenceBench({ sizes, ops: Number(values.ops), steadySeconds: Number(values.steady), out: values.out })
  for (const result of results) console.log(JSON.stringify(result))
}
