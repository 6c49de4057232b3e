/**
 * One convergence run at one cluster size: N nodes over several worker processes on loopback (mDNS off,
 * default timings), each node with one standing instance; once it converged and fell quiet (no member turning
 * suspect or dead for `deadAfter`), in order: registrations, steady-state cost (and
 * any false suspicion or death in that window), deregistrations, a late joiner that must fetch the whole table,
 * a SIGSTOPped node (a hang) and a SIGKILLed one (a crash). Every wait is bounded; a run that cannot converge fails with what it was waiting for.
 */
import { DEFAULTS, type RegistryOptions } from '../../src/index.js'
import { summarize, type Summary } from '../report/stats.js'
import { pollUntil, waitForAll, Worker } from './fleet.js'
import { now, type Sample } from './protocol.js'

/**
 * How many nodes share one worker process by default: enough processes to use both cores, few enough to fit in
 * memory. (The side-by-side run against Moleculer, ringpop and swim-js in DESIGN.md spread the nodes over 2.)
 */
export const NODES_PER_WORKER = 25
const OP_TIMEOUT_MS = 30_000
/** Peers traced for the nodes alone (BENCH_TRACE_ALONE): a few, or the log drowns. */
const MAX_TRACED_TARGETS = 6
const STARTUP_TIMEOUT_MS = 300_000
/** Pause between measured operations, so one's traffic does not queue behind the last one's. */
const OP_GAP_MS = 50
/** Longest wait, after the cluster converged, for its members to stop changing state (see `settle`). */
const SETTLE_TIMEOUT_MS = 120_000
const SETTLE_POLL_MS = 1_000

export interface ConvergenceOptions {
  readonly nodes: number
  /** Registrations measured (and as many deregistrations). */
  readonly ops: number
  /** Length of the steady-state window. */
  readonly steadySeconds: number
  readonly options?: RegistryOptions
  /** Nodes per worker process (NODES_PER_WORKER by default); at least two worker processes host them. */
  readonly nodesPerWorker?: number
  readonly log?: (line: string) => void
}

export interface ConvergenceResult {
  readonly bench: 'convergence'
  readonly nodes: number
  readonly processes: number
  readonly heartbeatMs: number
  readonly deadAfterMs: number
  readonly startupMs: number
  /** From convergence until no node saw a member turn suspect or dead for `deadAfter` (bounded; see `settle`). */
  readonly settleMs: number
  /**
   * Member transitions to suspect / dead while the cluster formed and settled, summed over every observer: every
   * node was alive throughout, so all are false. On a box that runs N nodes on two cores, formation is where they
   * happen.
   */
  readonly formation: { readonly falseSuspicions: number, readonly falseDeaths: number }
  readonly register: Summary
  readonly deregister: Summary
  /** Every latency, in the order the operations ran. */
  readonly samples: { readonly register: readonly number[], readonly deregister: readonly number[] }
  /** From SIGKILL until every other node holds the victim dead. */
  readonly detectionMs: number
  /** From SIGSTOP (a hang: sockets stay open) until every other node holds the victim dead. */
  readonly hangDetectionMs: number
  /** From `createRegistry` on a new node until its lookup returns every standing instance / every member is alive. */
  readonly joinTableMs: number
  readonly joinMembersMs: number
  readonly steady: {
    readonly seconds: number
    readonly cpuPercentPerNode: number
    /** Transitions of members to suspect / dead during the steady window, summed over every observer: all are false. */
    readonly falseSuspicions: number
    readonly falseDeaths: number
    /** The longest event-loop delay of any worker during the window: a stall is silence to observers. */
    readonly loopDelayMaxMs: number
    /** Process RSS divided by the nodes in it, for the shared worker processes. */
    readonly rssMbPerNodeShared: number
    /** RSS of a process that embeds exactly one node (the joiner). */
    readonly rssMbSingleNode: number
    /** What loading the registry and running one node added to that process's RSS. */
    readonly rssMbAddedSingleNode: number
    readonly payloadBytesInPerNodePerSec: number
    readonly payloadBytesOutPerNodePerSec: number
    readonly wireBytesPerNodePerSec: number
    readonly messagesOutPerNodePerSec: number
  }
}

/** Runs one convergence measurement; always stops every process it started. */
export async function runConvergence (config: ConvergenceOptions): Promise<ConvergenceResult> {
  const log = config.log ?? (() => {})
  const options: RegistryOptions = { ...config.options }
  const heartbeatMs = options.heartbeatInterval ?? DEFAULTS.heartbeatInterval
  const deadAfterMs = options.deadAfter ?? DEFAULTS.deadAfter
  const hosted = config.nodes - 1
  const hostCount = Math.max(2, Math.ceil(hosted / (config.nodesPerWorker ?? NODES_PER_WORKER)))
  const hosts = Array.from({ length: hostCount }, (_, i) => new Worker(`host${i}`))
  const victim = new Worker('victim')
  const hung = new Worker('hung')
  const all = [...hosts, hung, victim]
  let joiner: Worker | undefined
  try {
    const startedAt = now()
    let seeds: string[] = []
    for (const [i, host] of hosts.entries()) {
      const count = Math.floor(hosted / hostCount) + (i < hosted % hostCount ? 1 : 0)
      const reply = await host.ask({ op: 'start', count, seeds, options }, 120_000)
      host.peerIds.push(...reply.peerIds)
      host.addrs.push(...reply.addrs)
      seeds = [...seeds, ...reply.addrs]
    }
    for (const single of [hung, victim]) single.peerIds.push(...(await single.ask({ op: 'start', count: 1, seeds, options })).peerIds)
    let last = { minAlive: 0, minStanding: 0, worst: '' }
    const tracing = { targets: [] as string[] }
    await pollUntil(async () => {
      last = await census(all, config.nodes, tracing)
      return last.minAlive >= config.nodes && last.minStanding >= config.nodes
    }, STARTUP_TIMEOUT_MS, 500, () => `${config.nodes} members alive and their instances visible at every node (at worst ${last.minAlive} alive, ${last.minStanding} instances; ${last.worst})`)
    const startupMs = now() - startedAt
    const { formation, settleMs } = await settle(all, deadAfterMs)
    log(`N=${config.nodes}: ${hostCount} processes, members converged in ${Math.round(startupMs)} ms, quiet ${Math.round(settleMs)} ms later (${formation.falseSuspicions} false suspicions, ${formation.falseDeaths} false deaths meanwhile)`)

    // One unmeasured round trip lets gossipsub finish grafting its mesh.
    const warm = await registerSomewhere(hosts, all)
    await deregister(warm, all)

    const live: Registered[] = []
    const registerMs: number[] = []
    for (let i = 0; i < config.ops; i++) {
      const registered = await registerSomewhere(hosts, all)
      live.push(registered)
      registerMs.push(registered.latencyMs)
      await pause(OP_GAP_MS)
    }
    log(`N=${config.nodes}: register p50 ${summarize(registerMs).p50.toFixed(1)} ms`)

    const steady = await measureSteady(all, hosts, config.steadySeconds)
    log(`N=${config.nodes}: steady ${config.steadySeconds} s: ${steady.falseSuspicions} false suspicions, ${steady.falseDeaths} false deaths, longest loop stall ${steady.loopDelayMaxMs} ms`)

    const deregisterMs: number[] = []
    for (const registered of live) {
      deregisterMs.push(await deregister(registered, all))
      await pause(OP_GAP_MS)
    }

    joiner = new Worker('joiner')
    const joined = await joiner.ask({ op: 'join', seeds, options, instances: config.nodes, members: config.nodes + 1, timeoutMs: 60_000 }, 90_000)
    joiner.peerIds.push(joined.peerId)
    const withJoiner = [...all, joiner]
    const single = await joiner.ask({ op: 'sample' })

    const hangDetectionMs = await timeToDeath(hung, withJoiner.filter((w) => w !== hung), deadAfterMs, () => { hung.hang() })
    await hung.kill()
    log(`N=${config.nodes}: SIGSTOP detected everywhere after ${Math.round(hangDetectionMs)} ms (deadAfter ${deadAfterMs})`)
    const detectionMs = await timeToDeath(victim, withJoiner.filter((w) => w !== hung && w !== victim), deadAfterMs, async () => victim.kill())
    log(`N=${config.nodes}: SIGKILL detected everywhere after ${Math.round(detectionMs)} ms (deadAfter ${deadAfterMs})`)

    return {
      bench: 'convergence',
      nodes: config.nodes,
      processes: all.length,
      heartbeatMs,
      deadAfterMs,
      startupMs: Math.round(startupMs),
      settleMs: Math.round(settleMs),
      formation,
      register: summarize(registerMs),
      deregister: summarize(deregisterMs),
      samples: { register: registerMs.map(Math.round), deregister: deregisterMs.map(Math.round) },
      detectionMs: Math.round(detectionMs),
      hangDetectionMs: Math.round(hangDetectionMs),
      joinTableMs: Math.round(joined.tableMs),
      joinMembersMs: Math.round(joined.membersMs),
      steady: { ...steady, rssMbSingleNode: Math.round(single.rssBytes / 1e6), rssMbAddedSingleNode: Math.round((single.rssBytes - single.baseRssBytes) / 1e6) }
    }
  } finally {
    // A hung worker cannot leave gracefully: it only ends by SIGKILL.
    await hung.kill()
    await Promise.allSettled([...all, ...(joiner === undefined ? [] : [joiner])].map(async (w) => w.stop()))
  }
}

/** Milliseconds from `fail` (done to the one node of `victim`) until every node of `observers` holds it dead. */
async function timeToDeath (victim: Worker, observers: readonly Worker[], deadAfterMs: number, fail: () => unknown): Promise<number> {
  const victimId = victim.peerIds[0]!
  const dead = waitForAll(observers, (m) => m.kind === 'dead' && m.peerId === victimId ? m.at : undefined, deadAfterMs * 3, `${victim.name} dead everywhere`)
  const failedAt = now()
  await fail()
  return (await dead) - failedAt
}

interface Registered {
  readonly host: Worker
  readonly node: number
  readonly instanceId: string
  readonly latencyMs: number
}

/**
 * Asks every worker how its nodes stand. `tracing.targets`: peers that nodes alone failed to dial at the last census,
 * to be traced from this one (BENCH_TRACE_ALONE); replaced by this census's.
 */
async function census (workers: readonly Worker[], members: number, tracing: { targets: string[] }): Promise<{ minAlive: number, minStanding: number, worst: string }> {
  const replies = await Promise.all(workers.map(async (w) => w.ask({ op: 'census', members, trace: tracing.targets })))
  tracing.targets = [...new Set(replies.flatMap((r) => r.traceTargets))].slice(0, MAX_TRACED_TARGETS)
  const worst = replies.reduce((a, b) => (b.minAlive < a.minAlive ? b : a))
  const sum = (of: (r: typeof worst) => number): number => replies.reduce((total, r) => total + of(r), 0)
  return { minAlive: worst.minAlive, minStanding: Math.min(...replies.map((r) => r.minStanding)), worst: `${sum((r) => r.short)} nodes short of ${members} members, ${sum((r) => r.alone)} without a connection; ${workers[replies.indexOf(worst)]!.name}: ${worst.worst}` }
}

/**
 * Waits until no node has seen a member turn suspect or dead for `quietMs` (bounded by SETTLE_TIMEOUT_MS): on a
 * saturated box the false alerts of formation go on for a while after every node holds every member alive, and
 * the measured operations and the steady window start after them. Returns the transitions counted up to then (all
 * false: every node was alive) and how long after convergence the last of them came.
 */
async function settle (workers: readonly Worker[], quietMs: number): Promise<{ formation: ConvergenceResult['formation'], settleMs: number }> {
  const startedAt = now()
  let last = alarmsOf(await sampleAll(workers))
  let changedAt = startedAt
  while (now() - changedAt < quietMs && now() - startedAt < SETTLE_TIMEOUT_MS) {
    await pause(SETTLE_POLL_MS)
    const next = alarmsOf(await sampleAll(workers))
    if (next.falseSuspicions !== last.falseSuspicions || next.falseDeaths !== last.falseDeaths) changedAt = now()
    last = next
  }
  return { formation: last, settleMs: changedAt - startedAt }
}

async function sampleAll (workers: readonly Worker[]): Promise<Sample[]> {
  return Promise.all(workers.map(async (w) => w.ask({ op: 'sample' })))
}

/** Member transitions to suspect and to dead the samples' nodes have seen so far, summed. */
function alarmsOf (samples: readonly Sample[]): ConvergenceResult['formation'] {
  return { falseSuspicions: samples.reduce((sum, s) => sum + s.suspicions, 0), falseDeaths: samples.reduce((sum, s) => sum + s.deaths, 0) }
}

/** Registers on a random hosted node; the latency runs until every node of `everyone` shows the instance. */
async function registerSomewhere (hosts: readonly Worker[], everyone: readonly Worker[]): Promise<Registered> {
  const host = hosts[Math.floor(Math.random() * hosts.length)]!
  const node = Math.floor(Math.random() * host.peerIds.length)
  // The instance id is only known from the reply, so collect every `up` report and match it afterwards.
  const ups = new Map<Worker, Map<string, number>>()
  const stops = everyone.map((w) => w.observe((m) => {
    if (m.kind !== 'seen' || !m.key.startsWith('up:')) return
    let seen = ups.get(w)
    if (seen === undefined) ups.set(w, seen = new Map())
    seen.set(m.key, m.at)
  }))
  try {
    const { instanceId, startedAt } = await host.ask({ op: 'register', node })
    const key = `up:${instanceId}`
    let at = 0
    await pollUntil(async () => {
      const times = everyone.map((w) => ups.get(w)?.get(key))
      if (times.some((t) => t === undefined)) return false
      at = Math.max(...times as number[])
      return true
    }, OP_TIMEOUT_MS, 1, () => `instance ${instanceId} visible at every node`)
    return { host, node, instanceId, latencyMs: at - startedAt }
  } finally {
    for (const stop of stops) stop()
  }
}

async function deregister (registered: Pick<Registered, 'host' | 'node' | 'instanceId'>, everyone: readonly Worker[]): Promise<number> {
  const key = `down:${registered.instanceId}`
  const gone = waitForAll(everyone, (m) => m.kind === 'seen' && m.key === key ? m.at : undefined, OP_TIMEOUT_MS, `instance ${registered.instanceId} gone everywhere`)
  const { startedAt } = await registered.host.ask({ op: 'deregister', node: registered.node, instanceId: registered.instanceId })
  return (await gone) - startedAt
}

/** Cost and false alarms over a window with no operations, over every node; the costs over `hosts` only. */
async function measureSteady (all: readonly Worker[], hosts: readonly Worker[], seconds: number): Promise<Omit<ConvergenceResult['steady'], 'rssMbSingleNode' | 'rssMbAddedSingleNode'>> {
  const everyone = await sampleAll(all)
  const before = everyone.filter((_, i) => hosts.includes(all[i]!))
  await pause(seconds * 1000)
  const everyoneAfter = await sampleAll(all)
  const after = everyoneAfter.filter((_, i) => hosts.includes(all[i]!))
  const sum = (samples: readonly Sample[], pick: (s: Sample) => number): number => samples.reduce((total, s) => total + pick(s), 0)
  const nodes = sum(after, (s) => s.nodes)
  const elapsed = (sum(after, (s) => s.at) - sum(before, (s) => s.at)) / after.length / 1000
  const perNodePerSec = (pick: (s: Sample) => number): number => Math.round((sum(after, pick) - sum(before, pick)) / nodes / elapsed)
  const [alarmsBefore, alarmsAfter] = [alarmsOf(everyone), alarmsOf(everyoneAfter)]
  return {
    seconds,
    falseSuspicions: alarmsAfter.falseSuspicions - alarmsBefore.falseSuspicions,
    falseDeaths: alarmsAfter.falseDeaths - alarmsBefore.falseDeaths,
    loopDelayMaxMs: Math.round(Math.max(...everyoneAfter.map((s) => s.loopDelayMaxMs))),
    cpuPercentPerNode: Number(((sum(after, (s) => s.cpuMicros) - sum(before, (s) => s.cpuMicros)) / 1e6 / elapsed / nodes * 100).toFixed(2)),
    rssMbPerNodeShared: Math.round(sum(after, (s) => s.rssBytes) / nodes / 1e6),
    payloadBytesInPerNodePerSec: perNodePerSec((s) => s.payloadIn),
    payloadBytesOutPerNodePerSec: perNodePerSec((s) => s.payloadOut),
    wireBytesPerNodePerSec: perNodePerSec((s) => s.wireOut),
    messagesOutPerNodePerSec: perNodePerSec((s) => s.messagesOut)
  }
}

async function pause (ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms))
}
