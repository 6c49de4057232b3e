/**
 * The benchmark suite. `npm run bench` runs the quick version (a few minutes, small clusters, a sampled
 * simulation) into bench/results/quick; `npm run bench -- --full` runs every size into bench/results/full
 * (about half an hour on 2 cores). Both end by writing summary.md and the SVG plots into their folder.
 *
 *   npm run bench [-- --full] [--only lookup,simulate,convergence] [--report-only] [--out <folder>]
 */
import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import type { RegistryOptions } from '../src/index.js'
import { runConvergenceBench } from './convergence.js'
import { runLookupBench } from './lookup.js'
import { writeSummary } from './report/summary.js'
import { runSimulateBench } from './simulate.js'

const LAN_LATENCY = { medianMs: 0.5, sigma: 0.5 }

/**
 * Two cores cannot carry 100 or 200 nodes at the default 1 s heartbeat (each node costs 2-3 % of a core at
 * steady state, mostly per-message libp2p work that grows with the beat rate), so those sizes run with slower
 * heartbeats and proportionally longer timeouts: the beat traffic per node then stays what it is at N = 50.
 */
function timingsFor (nodes: number): RegistryOptions {
  if (nodes <= 50) return {}
  const scale = nodes <= 100 ? 5 : 10
  return { heartbeatInterval: 1_000 * scale, suspectAfter: 3_000 * scale, deadAfter: 10_000 * scale }
}

const PLANS = {
  quick: {
    lookup: { quick: true },
    convergence: { sizes: [10, 25], ops: 20, steadySeconds: 5 },
    simulate: [
      { sizes: [10, 25, 200, 1000], loss: 0, traceBudget: 20_000, steadySeconds: 5, ops: 20 },
      { sizes: [200], loss: 0.05, traceBudget: 20_000, steadySeconds: 5, ops: 20 }
    ]
  },
  full: {
    lookup: { quick: false },
    convergence: { sizes: [10, 25, 50, 100, 200], ops: 20, steadySeconds: 10 },
    simulate: [
      { sizes: [10, 25, 50, 100, 200, 1000, 10_000], loss: 0, traceBudget: 200_000, steadySeconds: 10, ops: 20 },
      { sizes: [1000], loss: 0.05, traceBudget: 200_000, steadySeconds: 10, ops: 20 },
      { sizes: [1000], loss: 0.2, traceBudget: 200_000, steadySeconds: 10, ops: 20 },
      // The timings the real runs at 100 and 200 nodes use, to compare like with like.
      { sizes: [100], loss: 0, traceBudget: 200_000, steadySeconds: 20, ops: 20, timings: { heartbeatMs: 5_000, suspectAfterMs: 15_000, deadAfterMs: 50_000 } },
      { sizes: [200], loss: 0, traceBudget: 200_000, steadySeconds: 30, ops: 20, timings: { heartbeatMs: 10_000, suspectAfterMs: 30_000, deadAfterMs: 100_000 } },
      // What the bandwidth target at N = 1 000 costs in detection time with today's all-to-all heartbeats.
      { sizes: [1000], loss: 0, traceBudget: 200_000, steadySeconds: 30, ops: 20, timings: { heartbeatMs: 12_000, suspectAfterMs: 36_000, deadAfterMs: 120_000 }, label: 'lan, heartbeat 12 s' }
    ]
  }
} as const

const { values } = parseArgs({
  options: {
    full: { type: 'boolean', default: false },
    only: { type: 'string', default: 'lookup,simulate,convergence' },
    'report-only': { type: 'boolean', default: false },
    out: { type: 'string' }
  }
})
const mode = values.full ? 'full' : 'quick'
const plan = PLANS[mode]
const out = values.out ?? join('bench', 'results', mode)
const only = new Set(values.only.split(','))
for (const part of only) if (!['lookup', 'simulate', 'convergence'].includes(part)) throw new RangeError(`--only takes lookup, simulate and convergence, got \`${part}\``)
const startedAt = Date.now()
const elapsed = (): string => `${Math.round((Date.now() - startedAt) / 1000)} s`

mkdirSync(out, { recursive: true })
if (!values['report-only']) {
  // A folder holds one run: the parts run now replace what an earlier run left.
  for (const part of only) rmSync(join(out, `${part}.jsonl`), { force: true })
  if (only.has('lookup')) {
    console.error(`[${elapsed()}] lookup`)
    await runLookupBench({ ...plan.lookup, out })
  }
  if (only.has('simulate')) {
    for (const run of plan.simulate) {
      console.error(`[${elapsed()}] simulate N=${run.sizes.join(',')} loss=${run.loss}`)
      await runSimulateBench({ label: 'lan', ...run, latency: LAN_LATENCY, out })
    }
  }
  if (only.has('convergence')) {
    console.error(`[${elapsed()}] convergence N=${plan.convergence.sizes.join(',')}`)
    await runConvergenceBench({ ...plan.convergence, optionsFor: timingsFor, out })
  }
}
const command = `npm run bench${mode === 'full' ? ' -- --full' : ''}`
console.log(await writeSummary(out, command))
console.error(`[${elapsed()}] wrote ${join(out, 'summary.md')} and its plots`)
