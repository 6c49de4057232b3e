/**
 * Turns one results folder (the JSON lines of the convergence, churn, simulate, lookup and footprint benches) into the report
 * people read: `summary.md` with the tables and the targets, and three SVG plots beside it.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { join } from 'node:path'
import type { ChurnResult } from '../churn-cost.js'
import type { ConvergenceFailure } from '../convergence.js'
import type { ConvergenceResult } from '../convergence/scenario.js'
import type { LookupResult } from '../lookup.js'
import type { SimulationResult } from '../simulate/scenario.js'
import { DEFAULTS } from '../../src/config.js'
import { FRAMING_BYTES } from '../simulate/world.js'
import { readJsonLines } from './jsonl.js'
import { markdownTable, type Cell } from './markdown.js'
import { renderLineChart, type Series } from './plot.js'
import { round } from './stats.js'

export type LabelledSimulation = SimulationResult & { readonly label: string }

/** The targets, in one place: issue 16's (liveness at constant cost), then the earlier ones still tracked. */
export const TARGETS = {
  registerP99AtN50Ms: 50,
  registerP99AtN100Ms: 100,
  wireBytesPerNodePerSecAtN100: 1_000,
  /** All 100 idle nodes together, % of one core. */
  idleCpuPercentOfAllAtN100: 15,
  /** SIGKILL and SIGSTOP until dead at every node, at N = 10 and N = 100. */
  detectionMs: 3_000,
  /** Simulated bytes per node per second may grow at most this much from N = 1 000 to N = 100 000. */
  simBytesGrowth1000To100000: 1.5,
  simBytesPerNodePerSecAt100000: 2_000,
  simRegisterP99At100000Ms: 2_000,
  churnLagP99Ms: 1_000,
  /** A backlog grows if the median lag of the churn's last 10 s exceeds its first 10 s's by more than this factor. */
  churnBacklogGrowth: 1.5,
  lookupsPerSecAt1000: 5_000_000,
  rssMbPerNode: 40
} as const

interface Results {
  readonly convergence: ConvergenceResult[]
  readonly failures: ConvergenceFailure[]
  readonly simulate: LabelledSimulation[]
  readonly lookup: LookupResult[]
  readonly churn: ChurnResult[]
}

function load<T> (folder: string, name: string): T[] {
  const file = join(folder, `${name}.jsonl`)
  return existsSync(file) ? readJsonLines<T>(file) : []
}

/** Writes summary.md and the plots into `folder`; returns the markdown. */
export async function writeSummary (folder: string, command: string): Promise<string> {
  const runs = load<ConvergenceResult | ConvergenceFailure>(folder, 'convergence')
  const results: Results = {
    convergence: runs.filter((r): r is ConvergenceResult => r.bench === 'convergence'),
    failures: runs.filter((r): r is ConvergenceFailure => r.bench === 'convergence-failed'),
    simulate: load(folder, 'simulate'),
    lookup: load(folder, 'lookup'),
    churn: load(folder, 'churn')
  }
  const plots = await writePlots(folder, results)
  const text = [
    '# Benchmark results',
    '',
    `Produced by \`${command}\` on ${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}, ${new Date().toISOString().slice(0, 10)}.`,
    '',
    '## Targets',
    '',
    targetsTable(results),
    '',
    ...convergenceSection(results.convergence, results.failures),
    ...churnSection(results.churn),
    ...simulationSection(results.simulate),
    ...comparisonSection(results),
    ...lookupSection(folder),
    ...footprintSection(folder),
    ...plots.map((file) => `![${file}](${file})`),
    ''
  ].join('\n')
  writeFileSync(join(folder, 'summary.md'), text)
  return text
}

function targetsTable ({ convergence, failures, simulate, lookup, churn }: Results): string {
  const at = (n: number): ConvergenceResult | undefined => convergence.find((r) => r.nodes === n)
  const simAt = (n: number, loss = 0): LabelledSimulation | undefined => simulate.find((r) => r.nodes === n && r.loss === loss && r.label === 'lan' && r.heartbeatMs === DEFAULTS.heartbeatInterval)
  const lookup1000 = lookup.find((r) => r.bench === 'lookup' && r.api === 'registry' && r.instances === 1000 && r.query === 'plain')
  const rows: Cell[][] = []
  const check = (name: string, target: string, measured: number | undefined, goal: number, unit: string, lowerIsBetter = true): void => {
    if (measured === undefined) {
      rows.push([name, target, 'not measured in this run', '–'])
      return
    }
    const met = lowerIsBetter ? measured <= goal : measured >= goal
    const factor = lowerIsBetter ? measured / goal : goal / measured
    // A near miss in absolute terms says more than "1.0×"; a goal of 0 has no factor.
    const verdict = met ? 'met' : factor < 1.1 || goal === 0 ? `missed by ${round(Math.abs(measured - goal), 1).toLocaleString('en')} ${unit}` : `missed by ${round(factor, 1)}×`
    rows.push([name, target, `${round(measured, 1).toLocaleString('en')} ${unit}`, verdict])
  }
  const forms = (n: number): void => {
    const run = at(n)
    const failure = failures.find((f) => f.nodes === n)
    if (run !== undefined) rows.push([`real N = ${n}: forms, every scenario completes`, 'yes', `yes, formed in ${round(run.startupMs / 1000, 1)} s (${run.formation.falseDeaths.toLocaleString('en')} false deaths on the way)`, 'met'])
    else if (failure !== undefined) rows.push([`real N = ${n}: forms, every scenario completes`, 'yes', `no: ${failure.error.slice(0, 200)}`, 'missed'])
    else rows.push([`real N = ${n}: forms, every scenario completes`, 'yes', 'not measured in this run', '–'])
  }
  forms(100)
  forms(200)
  check('steady wire bytes per node, N = 100', `≤ ${TARGETS.wireBytesPerNodePerSecAtN100.toLocaleString('en')} B/s`, at(100)?.steady.wireBytesPerNodePerSec, TARGETS.wireBytesPerNodePerSecAtN100, 'B/s')
  const cpu100 = at(100)?.steady.cpuPercentPerNode
  check('CPU of all 100 idle nodes together', `≤ ${TARGETS.idleCpuPercentOfAllAtN100} % of one core`, cpu100 === undefined ? undefined : cpu100 * 100, TARGETS.idleCpuPercentOfAllAtN100, '%')
  check('register visible everywhere p99, N = 50', `≤ ${TARGETS.registerP99AtN50Ms} ms`, at(50)?.register.p99, TARGETS.registerP99AtN50Ms, 'ms')
  check('register visible everywhere p99, N = 100', `≤ ${TARGETS.registerP99AtN100Ms} ms`, at(100)?.register.p99, TARGETS.registerP99AtN100Ms, 'ms')
  for (const n of [10, 100]) {
    check(`SIGKILL → dead everywhere, N = ${n}`, `≤ ${TARGETS.detectionMs} ms`, at(n)?.detectionMs, TARGETS.detectionMs, 'ms')
    check(`SIGSTOP (hang) → dead everywhere, N = ${n}`, `≤ ${TARGETS.detectionMs} ms`, at(n)?.hangDetectionMs, TARGETS.detectionMs, 'ms')
  }
  const steady100 = at(100)?.steady
  check(`false deaths, ${steady100?.seconds ?? '?'} s steady at N = 100 (real)`, '0 (over 10 min)', steady100?.falseDeaths, 0, 'deaths')
  check('false deaths, simulated N = 1 000 with 5 % loss', '0', simAt(1000, 0.05)?.falseDeaths, 0, 'deaths')
  const [sim1000, sim100000] = [simAt(1000), simAt(100_000)]
  check('simulated bytes per node: growth from N = 1 000 to 100 000', `≤ ${TARGETS.simBytesGrowth1000To100000}×`, sim1000 !== undefined && sim100000 !== undefined ? sim100000.bytesPerNodePerSec / sim1000.bytesPerNodePerSec : undefined, TARGETS.simBytesGrowth1000To100000, '×')
  check('simulated bytes per node, N = 100 000', `≤ ${TARGETS.simBytesPerNodePerSecAt100000.toLocaleString('en')} B/s`, sim100000?.bytesPerNodePerSec, TARGETS.simBytesPerNodePerSecAt100000, 'B/s')
  check('simulated register visible everywhere p99, N = 100 000', `≤ ${TARGETS.simRegisterP99At100000Ms.toLocaleString('en')} ms`, sim100000?.register.p99, TARGETS.simRegisterP99At100000Ms, 'ms')
  const soak = churn.find((r): r is Extract<ChurnResult, { ops: number }> => !('failed' in r) && r.nodes === 20 && r.opsPerSecond === 100)
  check('churn (20 nodes, 100 ops/s, 60 s): lag p99', `≤ ${TARGETS.churnLagP99Ms.toLocaleString('en')} ms`, soak?.lagP99Ms, TARGETS.churnLagP99Ms, 'ms')
  check('churn: median lag from the request, last 10 s over first 10 s (backlog growth)', `≤ ${TARGETS.churnBacklogGrowth}×`, soak === undefined ? undefined : soak.lastWindowP50Ms / Math.max(soak.firstWindowP50Ms, 1), TARGETS.churnBacklogGrowth, '×')
  check('lookups/s, 1 000 instances', `≥ ${TARGETS.lookupsPerSecAt1000.toLocaleString('en')}`, lookup1000?.bench === 'lookup' ? lookup1000.callsPerSec : undefined, TARGETS.lookupsPerSecAt1000, '/s', false)
  const shared = convergence.filter((r) => r.nodes >= 50).map((r) => r.steady.rssMbPerNodeShared)
  check('RSS per node, 25 nodes sharing a process', `≤ ${TARGETS.rssMbPerNode} MB`, shared.length > 0 ? Math.max(...shared) : undefined, TARGETS.rssMbPerNode, 'MB')
  return markdownTable(['target', 'goal', 'measured', 'verdict'], rows)
}

function churnSection (rows: readonly ChurnResult[]): string[] {
  if (rows.length === 0) return []
  return [
    '## Churn (bench/churn-cost)',
    '',
    'Nodes as processes on loopback (the soak\'s runner and timings: heartbeat 0.5 s, dead after 6 s), random registers and deregisters at a fixed rate. Lag: from an acknowledgement until the last node shows the change; from the request, it also counts the time a write waited at a node that was behind (the backlog check uses it). CPU: every node process, from the start of churn until every node holds exactly the expected set, over every node\'s copy of every acknowledged write.',
    '',
    markdownTable(
      ['nodes', 'ops/s', 's', 'settled', 'lag p50 ms', 'p99', 'max', 'from the request: p99', 'median, first 10 s', 'last 10 s', 'CPU ms per delivered record', 'false suspicions', 'false deaths', 'longest loop stall ms'],
      rows.map((r) => 'failed' in r
        ? [r.nodes, r.opsPerSecond, r.seconds, `failed: ${r.failed}`, '–', '–', '–', '–', '–', '–', '–', '–', '–', '–']
        : [r.nodes, r.opsPerSecond, r.seconds, r.settled ? 'yes' : 'no', r.lagP50Ms, r.lagP99Ms, r.lagMaxMs, r.requestLagP99Ms, r.firstWindowP50Ms, r.lastWindowP50Ms, r.cpuMsPerDeliveredRecord, r.falseSuspicions, r.falseDeaths, r.loopDelayMaxMs])
    ),
    ''
  ]
}

function convergenceSection (rows: readonly ConvergenceResult[], failures: readonly ConvergenceFailure[]): string[] {
  if (rows.length === 0 && failures.length === 0) return []
  return [
    '## Real clusters on loopback (bench/convergence)',
    '',
    'Latencies in ms, from the call until the last node shows the change. Steady state per node: CPU in % of one core, RSS, bytes per second (wire: everything written to TCP, framing and gossipsub control included; payload: registry records, beats and sync frames), messages sent per second.',
    '',
    markdownTable(
      ['N', 'procs', 'heartbeat / deadAfter s', 'register p50', 'p99', 'max', 'deregister p50', 'p99', 'max', 'SIGKILL → dead', 'SIGSTOP → dead', 'steady s', 'false suspicions / deaths', 'longest loop stall ms', 'join: full table', 'CPU %', 'RSS MB (shared)', 'RSS MB (1 node)', 'of which the registry', 'wire B/s', 'payload in B/s', 'msg out/s'],
      rows.map((r) => [r.nodes, r.processes, `${r.heartbeatMs / 1000} / ${r.deadAfterMs / 1000}`, round(r.register.p50), round(r.register.p99), round(r.register.max), round(r.deregister.p50), round(r.deregister.p99), round(r.deregister.max),
        r.detectionMs, r.hangDetectionMs ?? '–', r.steady.seconds ?? '–', r.steady.falseSuspicions === undefined ? '–' : `${r.steady.falseSuspicions} / ${r.steady.falseDeaths}`, r.steady.loopDelayMaxMs, r.joinTableMs, r.steady.cpuPercentPerNode, r.steady.rssMbPerNodeShared, r.steady.rssMbSingleNode, r.steady.rssMbAddedSingleNode, r.steady.wireBytesPerNodePerSec, r.steady.payloadBytesInPerNodePerSec, r.steady.messagesOutPerNodePerSec])
    ),
    '',
    ...failures.map((f) => `N = ${f.nodes} could not be measured on this machine${Object.keys(f.options).length === 0 ? ' at the default options' : ` (${JSON.stringify(f.options)})`}: ${f.error}`),
    ...(failures.length > 0 ? [''] : [])
  ]
}

function simulationSection (rows: readonly LabelledSimulation[]): string[] {
  if (rows.length === 0) return []
  return [
    '## Simulation (bench/simulate)',
    '',
    'Every node is the registry\'s own engine over an in-memory transport (modelled overlay, gossipsub and latency). Latencies in simulated ms; traffic per node per second at steady state, framing included; false suspicions and deaths summed over every observer.',
    '',
    markdownTable(
      ['model', 'N', 'traced', 'loss', 'heartbeat / deadAfter s', 'register p50', 'p99', 'deregister p99', 'SIGKILL → dead', 'hang → dead', 'msg/s', 'B/s', 'beats B/s', 'gossip B/s', 'sync B/s', 'false suspects', 'false deaths', 'run s'],
      rows.map((r) => [r.label, r.nodes, r.traced, r.loss, `${r.heartbeatMs / 1000} / ${r.deadAfterMs / 1000}`, round(r.register.p50), round(r.register.p99), round(r.deregister.p99), r.detectionMs, r.hangDetectionMs ?? '–', r.messagesPerNodePerSec, r.bytesPerNodePerSec,
        r.byChannel.beats.bytesPerNodePerSec, r.byChannel.gossip.bytesPerNodePerSec, r.byChannel.sync.bytesPerNodePerSec, r.falseSuspicions, r.falseDeaths, r.wallSeconds])
    ),
    ''
  ]
}

function comparisonSection ({ convergence, simulate }: Results): string[] {
  const pairs = convergence.flatMap((real) => {
    const sim = simulate.find((s) => s.nodes === real.nodes && s.loss === 0 && s.label === 'lan' && s.heartbeatMs === real.heartbeatMs)
    return sim === undefined ? [] : [{ real, sim }]
  })
  if (pairs.length === 0) return []
  const ratio = (sim: number, real: number): string => real === 0 ? '–' : `${round(sim / real, 2)}`
  // The simulator counts registry payload plus a fixed framing per message; libp2p's own traffic (yamux window
  // updates, identify, ping, gossipsub control) is not modelled, so payload is the like-for-like figure.
  const simPayload = (sim: LabelledSimulation): number => Math.round(sim.bytesPerNodePerSec - FRAMING_BYTES * sim.messagesPerNodePerSec)
  return [
    '## Simulation against the real clusters',
    '',
    'Payload: registry bytes (beats, records, sync frames) received per node per second. The real wire adds libp2p\'s own traffic, which the simulator does not model.',
    '',
    markdownTable(
      ['N', 'payload B/s real', 'sim', 'sim/real', 'wire B/s real', 'msg out/node/s real', 'sim', 'SIGKILL → dead real', 'sim', 'sim/real', 'register p50 real', 'sim', 'sim/real'],
      pairs.map(({ real, sim }) => [real.nodes, real.steady.payloadBytesInPerNodePerSec, simPayload(sim), ratio(simPayload(sim), real.steady.payloadBytesInPerNodePerSec),
        real.steady.wireBytesPerNodePerSec, real.steady.messagesOutPerNodePerSec, sim.messagesPerNodePerSec, real.detectionMs, sim.detectionMs, ratio(sim.detectionMs, real.detectionMs),
        round(real.register.p50), round(sim.register.p50), ratio(sim.register.p50, real.register.p50)])
    ),
    ''
  ]
}

function lookupSection (folder: string): string[] {
  const file = join(folder, 'lookup.md')
  if (!existsSync(file)) return []
  return ['## Lookups (bench/lookup)', '', readFileSync(file, 'utf8').trim(), '']
}

function footprintSection (folder: string): string[] {
  const file = join(folder, 'footprint.md')
  if (!existsSync(file)) return []
  return ['## Footprint (bench/footprint)', '', readFileSync(file, 'utf8').trim(), '']
}

async function writePlots (folder: string, { convergence, simulate }: Results): Promise<string[]> {
  const written: string[] = []
  const plot = async (file: string, spec: Parameters<typeof renderLineChart>[0]): Promise<void> => {
    const series = spec.series.filter((s) => s.points.length > 0)
    if (series.length === 0) return
    writeFileSync(join(folder, file), await renderLineChart({ ...spec, series }))
    written.push(file)
  }
  const lan = simulate.filter((s) => s.loss === 0 && s.label === 'lan' && s.heartbeatMs === DEFAULTS.heartbeatInterval).sort((a, b) => a.nodes - b.nodes)
  const real = [...convergence].sort((a, b) => a.nodes - b.nodes)
  // Traffic depends on the heartbeat: only sizes run at the default one belong on the same line as the simulation.
  const realAtDefaults = real.filter((r) => r.heartbeatMs === DEFAULTS.heartbeatInterval)
  const line = (name: string, rows: ReadonlyArray<{ nodes: number }>, y: (row: never) => number): Series =>
    ({ name, points: rows.map((row) => ({ x: row.nodes, y: Math.max(y(row as never), 0.01) })) })
  await plot('convergence-vs-n.svg', {
    title: 'Register / deregister: until every node shows it',
    x: { label: 'nodes (N)', log: true },
    y: { label: 'ms', log: true },
    series: [
      line('register p50 (real)', real, (r: ConvergenceResult) => r.register.p50),
      line('register p99 (real)', real, (r: ConvergenceResult) => r.register.p99),
      line('deregister p99 (real)', real, (r: ConvergenceResult) => r.deregister.p99),
      line('register p99 (simulated)', lan, (r: LabelledSimulation) => r.register.p99)
    ],
    targets: [{ y: TARGETS.registerP99AtN50Ms, label: 'target p99 at N=50' }, { y: TARGETS.registerP99AtN100Ms, label: 'target p99 at N=100' }]
  })
  await plot('bandwidth-vs-n.svg', {
    title: 'Steady-state traffic per node',
    x: { label: 'nodes (N)', log: true },
    y: { label: 'bytes per second per node', log: true },
    series: [
      line('real: wire bytes out', realAtDefaults, (r: ConvergenceResult) => r.steady.wireBytesPerNodePerSec),
      line('real: registry payload in', realAtDefaults, (r: ConvergenceResult) => r.steady.payloadBytesInPerNodePerSec),
      line('simulated: bytes out', lan, (r: LabelledSimulation) => r.bytesPerNodePerSec)
    ],
    targets: [{ y: TARGETS.simBytesPerNodePerSecAt100000, label: 'target at N=100 000 (simulated)' }, { y: TARGETS.wireBytesPerNodePerSecAtN100, label: 'target at N=100 (real wire)' }]
  })
  await plot('detection-vs-n.svg', {
    title: 'SIGKILL until dead at every node, in units of deadAfter',
    x: { label: 'nodes (N)', log: true },
    y: { label: 'detection time / deadAfter' },
    series: [
      line('real', real, (r: ConvergenceResult) => r.detectionMs / r.deadAfterMs),
      line('simulated', lan, (r: LabelledSimulation) => r.detectionMs / r.deadAfterMs)
    ],
    targets: [{ y: 1 + DEFAULTS.heartbeatInterval / DEFAULTS.deadAfter, label: 'deadAfter + heartbeat' }]
  })
  return written
}
