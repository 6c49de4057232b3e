/**
 * The benchmark suite (bench/run.ts). `npm run bench` runs the quick version (a few minutes, small clusters, a
 * sampled simulation) into bench/results/quick; `npm run bench -- --full` runs every size into bench/results/full
 * (about 45 minutes on 2 cores, 10 of them the steady window at N = 100). Both end by writing summary.md and the
 * SVG plots into their folder.
 *
 *   npm run bench [-- --full] [--only lookup,envelope,join-hang,footprint,simulate,convergence,churn] [--report-only] [--out <folder>]
 */
import { spawnSync } from 'node:child_process'
import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { runChurnCost } from './churn-cost.js'
import { runConvergenceBench } from './convergence.js'
import { runEnvelopeCost } from './envelope-cost.js'
import { runFootprintBench } from './footprint.js'
import { runJoinHangBench } from './join-hang.js'
import { runLookupBench } from './lookup.js'
import { writeJsonLine } from './report/jsonl.js'
import { writeSummary } from './report/summary.js'
import { SIMULATOR_NODE_FLAGS } from './simulate.js'
import { benchArgs } from './report/cli.js'

const LAN_LATENCY = { medianMs: 0.5, sigma: 0.5 }

const PLANS = {
  quick: {
    lookup: { quick: true },
    envelope: { records: 500, rounds: 4 },
    joinHang: { sizes: [10], runs: 50 },
    footprint: { runs: 1 },
    convergence: { sizes: [10, 25], ops: 20, steadySeconds: 5 },
    churn: { nodes: 10, opsPerSecond: 20, seconds: 10 },
    simulate: [
      { sizes: [10, 25, 200, 1000], loss: 0, traceBudget: 20_000, steadySeconds: 5, ops: 20 },
      { sizes: [200], loss: 0.05, traceBudget: 20_000, steadySeconds: 5, ops: 20 }
    ]
  },
  full: {
    lookup: { quick: false },
    envelope: { records: 2_000, rounds: 8 },
    joinHang: { sizes: [10, 30], runs: 300 },
    footprint: { runs: 3 },
    // Every size at the default timings: per-node liveness traffic no longer grows with N.
    // Issue 16 counts false deaths over 10 minutes of steady state at N = 100.
    convergence: { sizes: [10, 25, 50, 100, 200], ops: 20, steadySeconds: 10, steadySecondsAt: { 100: 600 } },
    // The soak's load (npm run test:soak), measured.
    churn: { nodes: 20, opsPerSecond: 100, seconds: 60 },
    simulate: [
      { sizes: [10, 25, 50, 100, 200, 1000, 10_000], loss: 0, traceBudget: 200_000, steadySeconds: 10, ops: 20 },
      // 100 000 engines take most of 10 minutes (issue 16's bound): fewer operations and a shorter steady window.
      { sizes: [100_000], loss: 0, traceBudget: 200_000, steadySeconds: 5, ops: 10 },
      { sizes: [1000], loss: 0.05, traceBudget: 200_000, steadySeconds: 10, ops: 20 },
      { sizes: [1000], loss: 0.2, traceBudget: 200_000, steadySeconds: 10, ops: 20 }
    ]
  }
} as const

const values = benchArgs(import.meta.url, {
  full: { type: 'boolean', default: false },
  only: { type: 'string', default: 'lookup,envelope,join-hang,footprint,simulate,convergence,churn' },
  'report-only': { type: 'boolean', default: false },
  out: { type: 'string' }
  })
const mode = values.full ? 'full' : 'quick'
const plan = PLANS[mode]
const out = values.out ?? join('bench', 'results', mode)
const only = new Set(values.only.split(','))
const PARTS = ['lookup', 'envelope', 'join-hang', 'footprint', 'simulate', 'convergence', 'churn']
for (const part of only) if (!PARTS.includes(part)) throw new RangeError(`--only takes ${PARTS.join(', ')}, got \`${part}\``)
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
  if (only.has('envelope')) {
    console.error(`[${elapsed()}] envelope`)
    console.error(JSON.stringify(await runEnvelopeCost({ ...plan.envelope, out })))
  }
  if (only.has('join-hang')) {
    console.error(`[${elapsed()}] join-hang N=${plan.joinHang.sizes.join(',')}, ${plan.joinHang.runs} seeds`)
    await runJoinHangBench({ ...plan.joinHang, out })
  }
  if (only.has('footprint')) {
    console.error(`[${elapsed()}] footprint`)
    await runFootprintBench({ ...plan.footprint, out })
  }
  if (only.has('simulate')) {
    for (const run of plan.simulate) {
      console.error(`[${elapsed()}] simulate N=${run.sizes.join(',')} loss=${run.loss}`)
      simulateInOwnProcess(run, out)
    }
  }
  if (only.has('convergence')) {
    console.error(`[${elapsed()}] convergence N=${plan.convergence.sizes.join(',')}`)
    await runConvergenceBench({ ...plan.convergence, out })
  }
  if (only.has('churn')) {
    console.error(`[${elapsed()}] churn ${plan.churn.nodes} nodes, ${plan.churn.opsPerSecond} ops/s for ${plan.churn.seconds} s`)
    const result = await runChurnCost(plan.churn)
    console.error(JSON.stringify(result))
    writeJsonLine(join(out, 'churn.jsonl'), result)
  }
}
/** Runs the simulator with its own Node flags (see SIMULATOR_NODE_FLAGS); a run that fails is reported, not fatal. */
function simulateInOwnProcess (run: (typeof plan.simulate)[number], folder: string): void {
  const script = fileURLToPath(new URL('simulate.ts', import.meta.url))
  const args = ['--nodes', run.sizes.join(','), '--ops', String(run.ops), '--steady', String(run.steadySeconds), '--loss', String(run.loss),
    '--latency', String(LAN_LATENCY.medianMs), '--sigma', String(LAN_LATENCY.sigma), '--label', 'lan', '--trace-budget', String(run.traceBudget), '--out', folder]
  const child = spawnSync(process.execPath, [...SIMULATOR_NODE_FLAGS, '--import', 'tsx', script, ...args], { stdio: 'inherit' })
  if (child.status !== 0) console.error(`simulate N=${run.sizes.join(',')} loss=${run.loss} failed (${child.signal ?? child.status}); the sizes it did not reach are missing from the report`)
}

const command = `npm run bench${mode === 'full' ? ' -- --full' : ''}`
console.log(await writeSummary(out, command))
console.error(`[${elapsed()}] wrote ${join(out, 'summary.md')} and its plots`)
