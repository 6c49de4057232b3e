/**
 * Compares membership / liveness designs in one seeded discrete-event model (issue 16).
 *
 *   npx tsx bench/membership/compare.ts [--quick] [--nodes 100,1000,10000] [--loss 0,0.05,0.2]
 *       [--designs all-to-all,swim-lan,...] [--steady 60] [--slow 60] [--steady-large 20] [--slow-large 20]
 *       [--crashes 3] [--hangs 3] [--seed 1] [--flat 100000] [--max-events 30000000] [--max-wall 90] [--out bench/results/membership]
 *
 * Appends one JSON line per configuration to <out>/compare.jsonl and prints a markdown table on stdout.
 * --flat N adds a steady-only run at N (no failures, no loss, short window) for the designs whose cost is flat.
 */
import { parseArgs } from 'node:util'
import { isMain } from '../report/cli.js'
import { writeJsonLine } from '../report/jsonl.js'
import { ALL_TO_ALL_DEFAULTS, allToAll } from './all-to-all.js'
import type { DesignFactory } from './design.js'
import { RINGS_DEFAULTS, observerRings } from './rings.js'
import { runScenario, type Detection, type ScenarioResult } from './scenario.js'
import { SWIM_LAN, swim } from './swim.js'

/** Every member is traced up to this many nodes x traced members; above it a sample, never fewer than 10. */
export const A2A_TRACE_BUDGET = 100_000

export function tracedFor (nodes: number): number {
  return Math.min(nodes, Math.max(10, Math.floor(A2A_TRACE_BUDGET / nodes)))
}

export interface DesignSpec {
  readonly name: string
  readonly describe: string
  readonly factory: (nodes: number) => DesignFactory
  readonly traced: (nodes: number) => number
  /** How long a failure may take to be seen dead everywhere before it counts as missed. */
  readonly detectWindowMs: number
  /** Per-node cost does not grow with N (gets a --flat run). */
  readonly flat: boolean
}

/** The fast SWIM: shortest probe interval that holds 3 s at N = 1000 (see docs/membership.md). */
export const SWIM_FAST = { ...SWIM_LAN, probeMs: 200, probeTimeoutMs: 100, suspicionMult: 2, gossipMs: 100 }

const all = (nodes: number): number => nodes

export const DESIGNS: readonly DesignSpec[] = [
  {
    name: 'all-to-all', describe: 'beat 1 s, flush 4x to fanout 3, suspect 3 s, dead 10 s',
    factory: (nodes) => allToAll({ ...ALL_TO_ALL_DEFAULTS, traced: tracedFor(nodes) }), traced: tracedFor, detectWindowMs: 20_000, flat: false
  },
  { name: 'swim-lan', describe: 'memberlist LAN: P 1 s, timeout 0.5 s, mult 4, gossip 200 ms x 3', factory: () => swim(SWIM_LAN), traced: all, detectWindowMs: 40_000, flat: true },
  { name: 'swim-fast', describe: 'P 200 ms, timeout 100 ms, mult 2, gossip 100 ms x 3', factory: () => swim(SWIM_FAST), traced: all, detectWindowMs: 20_000, flat: true },
  { name: 'rings-k5h3-t1.5', describe: 'K 5, H 3, beat 0.5 s, silence 1.5 s, disconnect hint', factory: () => observerRings(RINGS_DEFAULTS), traced: all, detectWindowMs: 10_000, flat: true },
  { name: 'rings-k5h3-t2.5', describe: 'K 5, H 3, beat 0.5 s, silence 2.5 s, disconnect hint', factory: () => observerRings({ ...RINGS_DEFAULTS, silenceMs: 2_500 }), traced: all, detectWindowMs: 10_000, flat: true },
  {
    name: 'rings-k5h3-t2-ping', describe: 'K 5, H 3, beat 0.5 s, silence 2 s, then 2 direct pings of 100 ms, disconnect hint',
    factory: () => observerRings({ ...RINGS_DEFAULTS, silenceMs: 2_000, confirmPings: 2 }), traced: all, detectWindowMs: 10_000, flat: true
  },
  { name: 'rings-k8h5-t2.5', describe: 'K 8, H 5, beat 0.5 s, silence 2.5 s, disconnect hint', factory: () => observerRings({ ...RINGS_DEFAULTS, rings: 8, threshold: 5, silenceMs: 2_500 }), traced: all, detectWindowMs: 10_000, flat: true }
]

export interface CompareOptions {
  readonly nodes: readonly number[]
  readonly losses: readonly number[]
  readonly designs: readonly DesignSpec[]
  readonly steadyMs: number
  readonly slowMs: number
  /** Shorter windows for N >= 10 000, where a 60 s window of every configuration would take too long. */
  readonly largeSteadyMs?: number
  readonly largeSlowMs?: number
  readonly crashes: number
  readonly hangs: number
  readonly seed: number
  /** Steady-only runs at this N for flat designs (0: none). */
  readonly flatNodes: number
  readonly flatSteadyMs: number
  readonly out?: string
  readonly maxWallMs?: number
  readonly maxEvents?: number
  readonly log?: (line: string) => void
}

export type CompareRow = ScenarioResult & { readonly describe: string, readonly kind: 'matrix' | 'flat' }

export function runCompare (options: CompareOptions): CompareRow[] {
  const rows: CompareRow[] = []
  const emit = (row: CompareRow): void => {
    rows.push(row)
    if (options.out !== undefined) writeJsonLine(`${options.out}/compare.jsonl`, { bench: 'membership-compare', ...row })
    options.log?.(`${row.design} N=${row.nodes} loss=${row.loss}: ${row.bytesPerNodePerSec} B/s, crash p99 ${fmtDetection(row.crash)}, hang p99 ${fmtDetection(row.hang)}, false ${row.falseSuspicions}/${row.falseDeaths}, slow ${row.slow?.deaths ?? '-'}${row.aborted !== null ? `, ABORTED ${row.aborted}` : ''} (${row.wallSeconds} s)`)
  }
  for (const nodes of options.nodes) {
    const large = nodes >= 10_000
    for (const loss of options.losses) {
      for (const design of options.designs) {
        const result = runScenario({
          design: design.name,
          factory: design.factory(nodes),
          traced: design.traced(nodes),
          nodes,
          loss,
          seed: options.seed + nodes + Math.round(loss * 1000),
          warmupMs: 5_000,
          steadyMs: large ? options.largeSteadyMs ?? options.steadyMs : options.steadyMs,
          crashes: options.crashes,
          hangs: options.hangs,
          detectWindowMs: design.detectWindowMs,
          slowMs: large ? options.largeSlowMs ?? options.slowMs : options.slowMs,
          ...(options.maxWallMs !== undefined && { maxWallMs: options.maxWallMs }),
          ...(options.maxEvents !== undefined && { maxEvents: options.maxEvents })
        })
        emit({ ...result, describe: design.describe, kind: 'matrix' })
      }
    }
  }
  if (options.flatNodes > 0) {
    for (const design of options.designs) {
      const nodes = options.flatNodes
      const result = runScenario({
        design: design.name,
        factory: design.factory(nodes),
        traced: design.traced(nodes),
        nodes,
        loss: 0,
        seed: options.seed + nodes,
        warmupMs: 5_000,
        steadyMs: options.flatSteadyMs,
        crashes: 0,
        hangs: 0,
        detectWindowMs: 0,
        slowMs: 0,
        ...(options.maxWallMs !== undefined && { maxWallMs: options.maxWallMs }),
        ...(options.maxEvents !== undefined && { maxEvents: options.maxEvents })
      })
      emit({ ...result, describe: design.describe, kind: 'flat' })
    }
  }
  return rows
}

function fmtDetection (d: Detection | null, field: 'p50' | 'p99' | 'max' = 'p99'): string {
  if (d === null) return '-'
  const v = d[field]
  if (v === null) return `missed ${d.missed}/${d.samples}`
  return v < 100 ? `${(v / 1000).toFixed(3)}` : `${(v / 1000).toFixed(2)}`
}

/** Where a bounded run stopped, and what its row still measured. */
function cutNote (r: CompareRow): string {
  const match = /more than (\d+) s of wall time by (\d+) simulated ms/.exec(r.aborted ?? '')
  const bound = match === null ? (r.aborted ?? '') : `cut by the ${match[1]} s wall bound at ${(Number(match[2]) / 1000).toFixed(1)} s simulated`
  return r.steadySeconds > 0 ? `${bound}: traffic and false counts of a ${r.steadySeconds} s window` : `${bound}, still in warm-up: nothing measured`
}

/** The markdown table of `rows`. */
export function markdownTable (rows: readonly CompareRow[]): string {
  const lines = [
    '| design | N | traced | loss | B/s per node | msg/s per node | crash p50 / p99 / max s | hang p50 / p99 / max s | missed (crash, hang) | false suspicions (steady) | false deaths | slow node: suspicions / deaths (others) | note |',
    '| --- | ---: | ---: | ---: | ---: | ---: | --- | --- | --- | ---: | ---: | --- | --- |'
  ]
  for (const r of rows) {
    const det = (d: Detection | null): string => d === null ? '-' : `${fmtDetection(d, 'p50')} / ${fmtDetection(d, 'p99')} / ${fmtDetection(d, 'max')}`
    const missed = `${r.crash?.missed ?? '-'}, ${r.hang?.missed ?? '-'}`
    const slow = r.slow === null ? '-' : `${r.slow.suspicions} / ${r.slow.deaths} (${r.slow.othersSuspicions} / ${r.slow.othersDeaths})`
    const windows = r.aborted !== null ? '' : r.kind === 'flat' ? `steady only, ${r.steadySeconds} s` : r.steadySeconds !== 60 || (r.slow !== null && r.slow.seconds !== 60) ? `windows ${r.steadySeconds} s` : ''
    const note = [windows, r.aborted === null ? '' : cutNote(r)].filter((s) => s !== '').join('; ')
    lines.push(`| ${r.design} | ${r.nodes} | ${r.traced} | ${r.loss} | ${r.bytesPerNodePerSec ?? '-'} | ${r.messagesPerNodePerSec ?? '-'} | ${det(r.crash)} | ${det(r.hang)} | ${missed} | ${r.falseSuspicions ?? '-'} | ${r.falseDeaths ?? '-'} | ${slow} | ${note} |`)
  }
  return lines.join('\n')
}

if (isMain(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      nodes: { type: 'string' },
      loss: { type: 'string' },
      designs: { type: 'string' },
      steady: { type: 'string' },
      slow: { type: 'string' },
      'steady-large': { type: 'string', default: '20' },
      'slow-large': { type: 'string', default: '20' },
      'max-events': { type: 'string', default: '30000000' },
      'max-wall': { type: 'string', default: '90' },
      crashes: { type: 'string' },
      hangs: { type: 'string' },
      seed: { type: 'string', default: '1' },
      flat: { type: 'string' },
      out: { type: 'string', default: 'bench/results/membership' }
    }
  })
  const quick = values.quick
  // `--nodes ''` runs no matrix (only the --flat rows).
  const list = (text: string | undefined, fallback: string): number[] => (text ?? fallback).split(',').filter((s) => s !== '').map(Number)
  const names = values.designs?.split(',')
  const designs = names === undefined ? DESIGNS : DESIGNS.filter((d) => names.includes(d.name))
  if (designs.length === 0) throw new RangeError(`--designs: none of ${values.designs} is one of ${DESIGNS.map((d) => d.name).join(', ')}`)
  const rows = runCompare({
    nodes: list(values.nodes, quick ? '100' : '100,1000,10000'),
    losses: list(values.loss, quick ? '0,0.05' : '0,0.05,0.2'),
    designs,
    steadyMs: Number(values.steady ?? (quick ? 10 : 60)) * 1000,
    slowMs: Number(values.slow ?? (quick ? 10 : 60)) * 1000,
    crashes: Number(values.crashes ?? (quick ? 1 : 3)),
    hangs: Number(values.hangs ?? (quick ? 1 : 3)),
    seed: Number(values.seed),
    flatNodes: Number(values.flat ?? (quick ? 0 : 100_000)),
    largeSteadyMs: Number(values['steady-large']) * 1000,
    largeSlowMs: Number(values['slow-large']) * 1000,
    maxEvents: Number(values['max-events']),
    maxWallMs: Number(values['max-wall']) * 1000,
    flatSteadyMs: 5_000,
    out: values.out,
    log: (line) => { console.error(line) }
  })
  console.log(markdownTable(rows))
}
