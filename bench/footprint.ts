/**
 * Memory and import time of the package, each figure from fresh child processes running the build (dist/, as
 * users run it; no tsx): RSS added by `import('gossip-registry')` and its time, RSS added by the import plus one
 * started node, RSS per extra node in a shared process (five nodes joined into one cluster), the agent's RSS
 * (the built bin, serving) and its start-up time (the bin, and `npm start` as a newcomer types it). The same figures for a bare libp2p 2 stack (tcp, noise, yamux, identify, gossipsub),
 * imported and started the same way, say what is ours and what is libp2p's. Bounded: every wait has a deadline.
 *
 *   npx tsx bench/footprint.ts [--runs 3] [--out bench/results/full]
 *
 * Appends one JSON line to `<out>/footprint.jsonl` (medians over the runs) and writes `<out>/footprint.md`.
 */
import { spawn, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { benchArgs, isMain } from './report/cli.js'
import { writeJsonLine } from './report/jsonl.js'
import { markdownTable } from './report/markdown.js'
import { round, summarize } from './report/stats.js'

const MB = 2 ** 20
/** Extra nodes started beside the first to measure the cost of one more. */
const EXTRA_NODES = 4
/** Time a process is left alone before RSS is read: libp2p and gossipsub finish their start-up timers. */
const SETTLE_MS = 2_000
/**
 * When the RSS of one node and of the agent is read a second time. V8 keeps the young generation that start-up grew
 * (16 to 32 MB of space) until its memory reducer runs, some 8 s after start-up's last GC
 * (`--gc-memory-reducer-start-delay-ms`); a process 20 s into its life reads 10 to 20 MB less than at SETTLE_MS, and
 * stays there. A full GC does not shrink it. Both readings are reported.
 */
const STEADY_MS = 30_000

/** What one child process reports, in the default mode. */
interface Probe {
  readonly importMs: number
  readonly importBytes: number
  readonly oneNodeBytes: number
  readonly perExtraNodeBytes: number
}

/** What one child process reports in the steady mode. */
interface SteadyProbe {
  readonly oneNodeSteadyBytes: number
}

/** One stack's figures: the RSS of one node is read SETTLE_MS after it starts and again at STEADY_MS. */
export interface StackFootprint {
  readonly importMs: number
  readonly importMb: number
  readonly oneNodeMb: number
  readonly oneNodeSteadyMb: number
  readonly perExtraNodeMb: number
}

/** The bench's one line. Sizes in MB (2^20 bytes), medians over `runs` fresh processes each. */
export interface FootprintResult {
  readonly bench: 'footprint'
  readonly runs: number
  readonly registry: StackFootprint
  readonly bareLibp2p: StackFootprint
  /** The built agent's RSS SETTLE_MS after it serves (start-up's peak) and STEADY_MS after (what it holds). */
  readonly agentMb: number
  readonly agentSteadyMb: number
  /**
   * Ms from spawn to serving HTTP: `npm start` on an empty compile cache (the first start after a build), `npm start`
   * on the cache its earlier starts left, and the built bin (`node dist/agent/bin.js agent`) on that cache.
   */
  readonly startMs: { readonly npmFirst: number, readonly npm: number, readonly bin: number }
}

/**
 * The child's part, shared by both stacks: RSS (after two full GCs) at start, after the import, with one node
 * started, and with EXTRA_NODES more joined to it. `load` imports the stack; `start(first)` starts one node
 * (dialling `first` when given) and resolves to its address and a stop function. The steady mode reads one node
 * at STEADY_MS instead, in a process of its own: the extra nodes would start on a young generation that has shrunk
 * meanwhile and regrow it, which is start-up's cost again, not theirs.
 */
const MEASURE_STEADY = `
const gcRss = async () => { globalThis.gc(); globalThis.gc(); await new Promise((r) => setTimeout(r, 50)); return process.memoryUsage().rss }
const rss0 = await gcRss()
const stack = await load()
await stack.start()
await new Promise((r) => setTimeout(r, ${STEADY_MS}))
const rssOneSteady = await gcRss()
console.log(JSON.stringify({ oneNodeSteadyBytes: rssOneSteady - rss0 }))
process.exit(0)
`

const MEASURE = `
const gcRss = async () => { globalThis.gc(); globalThis.gc(); await new Promise((r) => setTimeout(r, 50)); return process.memoryUsage().rss }
const settle = () => new Promise((r) => setTimeout(r, ${SETTLE_MS}))
const rss0 = await gcRss()
const t0 = performance.now()
const stack = await load()
const importMs = performance.now() - t0
const rssImport = await gcRss()
const first = await stack.start()
await settle()
const rssOne = await gcRss()
const nodes = [first]
for (let i = 0; i < ${EXTRA_NODES}; i++) nodes.push(await stack.start(first.addr))
await stack.joined(nodes)
await settle()
const rssAll = await gcRss()
for (const node of nodes.reverse()) await node.stop()
console.log(JSON.stringify({ importMs, importBytes: rssImport - rss0, oneNodeBytes: rssOne - rss0, perExtraNodeBytes: (rssAll - rssOne) / ${EXTRA_NODES} }))
process.exit(0)
`

/** A deadline-bounded wait for `test`, polled every 50 ms, shared by both stacks' `joined`. */
const WAIT_FOR = `
const waitFor = async (test, what) => {
  const deadline = Date.now() + 30_000
  while (!test()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for ' + what)
    await new Promise((r) => setTimeout(r, 50))
  }
}
`

const REGISTRY_LOAD = `
${WAIT_FOR}
const load = async () => {
  const { createRegistry } = await import('./dist/src/index.js')
  return {
    start: async (addr) => {
      const registry = await createRegistry({ mdns: false, listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: addr === undefined ? [] : [addr] })
      return { addr: registry.multiaddrs[0].toString(), stop: () => registry.stop(), registry }
    },
    joined: (nodes) => waitFor(() => nodes.every((n) => n.registry.members().filter((m) => m.state === 'alive').length === nodes.length), 'every node to see every other alive')
  }
}
`

const BARE_LOAD = `
${WAIT_FOR}
const load = async () => {
  const [{ createLibp2p }, { tcp }, { noise }, { yamux }, { identify }, { gossipsub }] = await Promise.all([
    import('libp2p'), import('@libp2p/tcp'), import('@chainsafe/libp2p-noise'), import('@chainsafe/libp2p-yamux'),
    import('@libp2p/identify'), import('@chainsafe/libp2p-gossipsub')
  ])
  const started = []
  return {
    start: async (addr) => {
      const node = await createLibp2p({
        addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
        transports: [tcp()], connectionEncrypters: [noise()], streamMuxers: [yamux()],
        services: { identify: identify(), pubsub: gossipsub({ allowPublishToZeroTopicPeers: true }) }
      })
      node.services.pubsub.subscribe('bench')
      // A registry cluster this small is a full mesh: dial every node started before this one.
      for (const earlier of started) await node.dial(earlier.getMultiaddrs()[0])
      started.push(node)
      return { addr: node.getMultiaddrs()[0].toString(), stop: () => node.stop(), node }
    },
    joined: (nodes) => waitFor(() => nodes.every((n) => n.node.getConnections().length === nodes.length - 1), 'a full mesh')
  }
}
`

/** Runs `code` as an ES module in a fresh node (the running one, with --expose-gc) from the repository root. */
async function runChild<T> (code: string): Promise<T> {
  const child = spawn(process.execPath, ['--expose-gc', '--input-type=module', '--eval', code], { stdio: ['ignore', 'pipe', 'pipe'] })
  const timer = setTimeout(() => { child.kill('SIGKILL') }, 90_000)
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const exit = await new Promise<number | null>((resolve) => child.once('close', resolve))
  clearTimeout(timer)
  if (exit !== 0) throw new Error(`footprint child exited with ${exit}: ${stderr.slice(-2_000)}`)
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as T
}

/** What one agent start measured: ms from spawn to its "serving HTTP" line, and its RSS then if asked for. */
interface AgentStart {
  readonly serveMs: number
  readonly rssBytes?: number
  readonly steadyRssBytes?: number
}

/**
 * Starts the built agent with `command` (the bin itself, or `npm start` as a newcomer types it) and times it from
 * spawn to its "serving HTTP" line; with `readRss`, reads the RSS of that process from /proc after SETTLE_MS and after
 * STEADY_MS. Its
 * compile cache (see src/cli/bin.ts) is `cacheDir`: an empty one times a first start. The agent is then told to leave.
 */
async function agentStart (command: string, args: readonly string[], cacheDir: string, readRss: boolean): Promise<AgentStart> {
  const agentArgs = ['--no-mdns', '--http', '127.0.0.1:0', '--listen', '/ip4/127.0.0.1/tcp/0']
  const startedAt = performance.now()
  // Its own process group: npm runs the agent in a grandchild, and the signal must reach it.
  const child = spawn(command, [...args, ...agentArgs], { stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: { ...process.env, NODE_COMPILE_CACHE: cacheDir } })
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve))
  try {
    let output = ''
    const serving = new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => { reject(new Error(`agent did not serve within 30 s: ${output.slice(-2_000)}`)) }, 30_000)
      const onData = (chunk: Buffer): void => {
        output += chunk.toString()
        if (output.includes('serving HTTP on')) { clearTimeout(timer); resolve(performance.now() - startedAt) }
      }
      child.stdout.on('data', onData)
      child.stderr.on('data', onData)
      void exited.then(() => { clearTimeout(timer); reject(new Error(`agent exited: ${output.slice(-2_000)}`)) })
    })
    const serveMs = await serving
    if (!readRss) return { serveMs }
    const rssAfter = async (ms: number): Promise<number> => {
      await new Promise((resolve) => setTimeout(resolve, ms))
      return Number(/^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1]) * 1024
    }
    const rssBytes = await rssAfter(SETTLE_MS)
    return { serveMs, rssBytes, steadyRssBytes: await rssAfter(STEADY_MS - SETTLE_MS) }
  } finally {
    process.kill(-child.pid!, 'SIGINT')
    const killer = setTimeout(() => { process.kill(-child.pid!, 'SIGKILL') }, 10_000)
    await exited
    clearTimeout(killer)
  }
}

const median = (values: number[]): number => summarize(values).p50
const mb = (bytes: number): number => round(bytes / MB, 1)

function summarise (probes: Probe[], steady: SteadyProbe[]): StackFootprint {
  return {
    importMs: round(median(probes.map((p) => p.importMs)), 0),
    importMb: mb(median(probes.map((p) => p.importBytes))),
    oneNodeMb: mb(median(probes.map((p) => p.oneNodeBytes))),
    oneNodeSteadyMb: mb(median(steady.map((p) => p.oneNodeSteadyBytes))),
    perExtraNodeMb: mb(median(probes.map((p) => p.perExtraNodeBytes)))
  }
}

export interface FootprintBenchOptions {
  /** Fresh processes per figure; the median is reported. */
  readonly runs: number
  /** Folder for `footprint.jsonl` and `footprint.md`. */
  readonly out: string
}

/** Runs the bench (building dist/ first if a source changed) and writes its line and table. */
export async function runFootprintBench ({ runs, out }: FootprintBenchOptions): Promise<FootprintResult> {
  const built = spawnSync(process.execPath, ['scripts/build-if-stale.mjs'], { stdio: 'inherit' })
  if (built.status !== 0) throw new Error('build failed: the footprint is measured on dist/')
  const registry: Probe[] = []
  const bare: Probe[] = []
  const registrySteady: SteadyProbe[] = []
  const bareSteady: SteadyProbe[] = []
  const agent: number[] = []
  const agentSteady: number[] = []
  const starts = { npmFirst: [] as number[], npm: [] as number[], bin: [] as number[] }
  const cacheRoot = mkdtempSync(join(tmpdir(), 'gossip-registry-compile-cache-'))
  const warmCache = join(cacheRoot, 'warm')
  try {
    // Interleaved, so a burst of load on a shared machine falls on every figure alike.
    for (let i = 0; i < runs; i++) {
      registry.push(await runChild<Probe>(REGISTRY_LOAD + MEASURE))
      bare.push(await runChild<Probe>(BARE_LOAD + MEASURE))
      registrySteady.push(await runChild<SteadyProbe>(REGISTRY_LOAD + MEASURE_STEADY))
      bareSteady.push(await runChild<SteadyProbe>(BARE_LOAD + MEASURE_STEADY))
      starts.npmFirst.push((await agentStart('npm', ['start', '--'], join(cacheRoot, `empty-${i}`), false)).serveMs)
      starts.npm.push((await agentStart('npm', ['start', '--'], warmCache, false)).serveMs)
      const bin = await agentStart(process.execPath, ['dist/agent/bin.js', 'agent'], warmCache, true)
      starts.bin.push(bin.serveMs)
      agent.push(bin.rssBytes!)
      agentSteady.push(bin.steadyRssBytes!)
    }
  } finally {
    rmSync(cacheRoot, { recursive: true, force: true })
  }
  const ms = (values: number[]): number => round(median(values), 0)
  const result: FootprintResult = {
    bench: 'footprint',
    runs,
    registry: summarise(registry, registrySteady),
    bareLibp2p: summarise(bare, bareSteady),
    agentMb: mb(median(agent)),
    agentSteadyMb: mb(median(agentSteady)),
    startMs: { npmFirst: ms(starts.npmFirst), npm: ms(starts.npm), bin: ms(starts.bin) }
  }
  mkdirSync(out, { recursive: true })
  writeJsonLine(join(out, 'footprint.jsonl'), result)
  writeFileSync(join(out, 'footprint.md'), footprintTable(result) + '\n')
  return result
}

/** The targets of issue 12, item 1. */
export const FOOTPRINT_TARGETS = { importMs: 150, oneNodeMb: 52, perExtraNodeMb: 6, agentMb: 85, npmStartMs: 1_000 } as const

/** The markdown table of one result. */
export function footprintTable (r: FootprintResult): string {
  const row = (what: string, ours: number, bare: number | string, target: number | string, unit: string): string[] =>
    [what, `${ours} ${unit}`, typeof bare === 'number' ? `${bare} ${unit}` : bare, typeof target === 'number' ? `≤ ${target} ${unit}` : target]
  return [
    markdownTable(['', 'gossip-registry', 'bare libp2p 2', 'target'], [
      row('import time', r.registry.importMs, r.bareLibp2p.importMs, FOOTPRINT_TARGETS.importMs, 'ms'),
      row('RSS added by import', r.registry.importMb, r.bareLibp2p.importMb, '-', 'MB'),
      row(`RSS added by import + one started node, ${SETTLE_MS / 1000} s after start`, r.registry.oneNodeMb, r.bareLibp2p.oneNodeMb, FOOTPRINT_TARGETS.oneNodeMb, 'MB'),
      row(`RSS added by import + one started node, ${STEADY_MS / 1000} s after start`, r.registry.oneNodeSteadyMb, r.bareLibp2p.oneNodeSteadyMb, FOOTPRINT_TARGETS.oneNodeMb, 'MB'),
      row(`RSS per extra node (${EXTRA_NODES + 1} joined in one process)`, r.registry.perExtraNodeMb, r.bareLibp2p.perExtraNodeMb, FOOTPRINT_TARGETS.perExtraNodeMb, 'MB'),
      row(`agent RSS (built bin), ${SETTLE_MS / 1000} s after serving`, r.agentMb, '-', FOOTPRINT_TARGETS.agentMb, 'MB'),
      row(`agent RSS (built bin), ${STEADY_MS / 1000} s after serving`, r.agentSteadyMb, '-', FOOTPRINT_TARGETS.agentMb, 'MB'),
      // Issue 11: `npm start` serves in under a second.
      row('`npm start` to serving HTTP, first start after a build', r.startMs.npmFirst, '-', `< ${FOOTPRINT_TARGETS.npmStartMs}`, 'ms'),
      row('`npm start` to serving HTTP, later starts', r.startMs.npm, '-', `< ${FOOTPRINT_TARGETS.npmStartMs}`, 'ms'),
      row('built bin to serving HTTP', r.startMs.bin, '-', '-', 'ms')
    ]),
    '',
    `Medians of ${r.runs} fresh processes each; MB = 2^20 bytes; RSS read after two full GCs, ${SETTLE_MS / 1000} s (and where said, ${STEADY_MS / 1000} s) after the last start.`
  ].join('\n')
}

if (isMain(import.meta.url)) {
  const values = benchArgs(import.meta.url, { runs: { type: 'string', default: '3' }, out: { type: 'string', default: 'bench/results/full' } })
  const runs = Number(values.runs)
  if (!Number.isInteger(runs) || runs < 1 || runs > 20) throw new RangeError(`--runs must be an integer from 1 to 20, got \`${values.runs}\``)
  const result = await runFootprintBench({ runs, out: values.out })
  console.log(footprintTable(result))
}
