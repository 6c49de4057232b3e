/**
 * One measured configuration (design x N x loss), as two seeded runs:
 *
 * 1. steady + failures: after a warm-up, a steady window with no failure counts traffic and false suspicions
 *    and deaths; then members fail one at a time (crashes and hangs alternating), each timed until every live
 *    node holds it dead, or until the detection window ends (then it counts as missed at the nodes that had not).
 * 2. slow node: after a warm-up, one member stalls 1 s in every 10 s for the window; suspicions and deaths of
 *    live members are counted (of the slow one and of the others).
 */
import { summarize } from '../report/stats.js'
import { Rng } from '../simulate/rng.js'
import type { DesignFactory } from './design.js'
import { BudgetExceeded, ENGINE_DEFAULTS, Engine } from './engine.js'

export interface ScenarioOptions {
  readonly design: string
  readonly factory: DesignFactory
  readonly nodes: number
  readonly loss: number
  readonly seed: number
  readonly warmupMs: number
  readonly steadyMs: number
  readonly crashes: number
  readonly hangs: number
  /** How long each failure may take to be detected everywhere. */
  readonly detectWindowMs: number
  /** 0: no slow-node run. */
  readonly slowMs: number
  /** Members in the sample, for designs that sample (reported only). */
  readonly traced?: number
  readonly maxWallMs?: number
  readonly maxEvents?: number
}

/** Detection times in ms over every (victim, live node) pair; missed pairs count as Infinity. */
export interface Detection {
  readonly victims: number
  readonly samples: number
  readonly missed: number
  readonly p50: number | null
  readonly p99: number | null
  readonly max: number | null
}

export interface ScenarioResult {
  readonly design: string
  readonly nodes: number
  readonly traced: number
  readonly loss: number
  readonly seed: number
  readonly steadySeconds: number
  readonly bytesPerNodePerSec: number | null
  readonly messagesPerNodePerSec: number | null
  readonly byKind: Record<string, { readonly bytesPerNodePerSec: number, readonly messagesPerNodePerSec: number }>
  readonly falseSuspicions: number | null
  readonly falseDeaths: number | null
  readonly crash: Detection | null
  readonly hang: Detection | null
  readonly slow: { readonly seconds: number, readonly suspicions: number, readonly deaths: number, readonly othersSuspicions: number, readonly othersDeaths: number } | null
  readonly aborted: string | null
  readonly simulatedSeconds: number
  readonly events: number
  readonly wallSeconds: number
}

function detection (victims: number, samples: number[]): Detection | null {
  if (samples.length === 0) return null
  const s = summarize(samples)
  const finite = (v: number): number | null => Number.isFinite(v) ? Math.round(v) : null
  return { victims, samples: samples.length, missed: samples.filter((v) => !Number.isFinite(v)).length, p50: finite(s.p50), p99: finite(s.p99), max: finite(s.max) }
}

function round (v: number): number {
  return Math.round(v * 10) / 10
}

function trafficOf (engine: Engine, nodes: number, seconds: number): Pick<ScenarioResult, 'bytesPerNodePerSec' | 'messagesPerNodePerSec' | 'byKind'> {
  if (seconds <= 0) return { bytesPerNodePerSec: null, messagesPerNodePerSec: null, byKind: {} }
  let bytes = 0
  let messages = 0
  const byKind: Record<string, { bytesPerNodePerSec: number, messagesPerNodePerSec: number }> = {}
  for (const [kind, t] of engine.sent) {
    bytes += t.bytes
    messages += t.messages
    byKind[kind] = { bytesPerNodePerSec: round(t.bytes / nodes / seconds), messagesPerNodePerSec: round(t.messages / nodes / seconds) }
  }
  return { bytesPerNodePerSec: round(bytes / nodes / seconds), messagesPerNodePerSec: round(messages / nodes / seconds), byKind }
}

export function runScenario (options: ScenarioOptions): ScenarioResult {
  const wallStart = performance.now()
  const { nodes } = options
  const engineConfig = {
    ...ENGINE_DEFAULTS,
    nodes,
    loss: options.loss,
    seed: options.seed,
    maxWallMs: options.maxWallMs ?? ENGINE_DEFAULTS.maxWallMs,
    maxEvents: options.maxEvents ?? ENGINE_DEFAULTS.maxEvents
  }
  let aborted: string | null = null
  let events = 0
  let simulated = 0

  // --- run 1: steady window, then failures
  const engine = new Engine(engineConfig)
  const design = options.factory(engine)
  const picker = new Rng(options.seed + 7919)
  let counting = false
  let falseSuspicions = 0
  let falseDeaths = 0
  const failedAt = new Map<number, number>()
  const deaths = new Map<number, Map<number, number>>()
  engine.onMark((observer, subject, state, at) => {
    const failed = failedAt.get(subject)
    if (failed !== undefined) {
      const seen = deaths.get(subject)!
      if (state === 'dead' && !seen.has(observer)) seen.set(observer, at - failed)
      return
    }
    if (!counting) return
    if (state === 'suspect') falseSuspicions++
    else if (state === 'dead') falseDeaths++
  })
  let traffic: Pick<ScenarioResult, 'bytesPerNodePerSec' | 'messagesPerNodePerSec' | 'byKind'> = { bytesPerNodePerSec: null, messagesPerNodePerSec: null, byKind: {} }
  const crashSamples: number[] = []
  const hangSamples: number[] = []
  let steadyDone = false
  let steadySeconds = 0
  try {
    design.start()
    engine.runUntil(options.warmupMs)
    counting = true
    engine.counting = true
    try {
      engine.runUntil(options.warmupMs + options.steadyMs)
    } finally {
      // An aborted window still tells the traffic of the part that ran.
      engine.counting = false
      counting = false
      steadySeconds = (Math.min(engine.now, options.warmupMs + options.steadyMs) - options.warmupMs) / 1000
      traffic = trafficOf(engine, nodes, steadySeconds)
    }
    steadyDone = true

    // Crashes and hangs alternate while both last.
    const kinds: boolean[] = []
    for (let f = 0; f < Math.max(options.crashes, options.hangs); f++) {
      if (f < options.crashes) kinds.push(true)
      if (f < options.hangs) kinds.push(false)
    }
    for (const crash of kinds) {
      const candidates = design.subjects.filter((s) => engine.isUp(s))
      const victim = candidates[picker.below(candidates.length)]!
      const start = engine.now
      failedAt.set(victim, start)
      const seen = new Map<number, number>()
      deaths.set(victim, seen)
      if (crash) engine.crash(victim, design.connections(victim), design.onDisconnect)
      else engine.hang(victim)
      const observers = (): number => {
        let live = 0
        for (let i = 0; i < nodes; i++) if (engine.isUp(i)) live++
        return live
      }
      const live = observers()
      // Bounded: at most detectWindowMs / 100 steps.
      while (seen.size < live && engine.now < start + options.detectWindowMs) engine.runUntil(engine.now + 100)
      const samples = crash ? crashSamples : hangSamples
      for (let i = 0; i < nodes; i++) if (engine.isUp(i)) samples.push(seen.get(i) ?? Infinity)
      engine.runUntil(engine.now + 1_000)
    }
  } catch (err) {
    if (!(err instanceof BudgetExceeded)) throw err
    aborted = `${steadyDone ? 'failures' : 'steady'}: ${err.message}`
  }
  events += engine.events
  simulated += engine.now

  // --- run 2: a slow node
  let slow: ScenarioResult['slow'] = null
  if (options.slowMs > 0 && aborted === null) {
    // The wall-time bound covers both runs.
    const wallLeft = Math.max(5_000, engineConfig.maxWallMs - (performance.now() - wallStart))
    const engine2 = new Engine({ ...engineConfig, seed: options.seed + 1, maxWallMs: wallLeft })
    const design2 = options.factory(engine2)
    const slowNode = design2.subjects[1 % design2.subjects.length]!
    let on = false
    const counts = { suspicions: 0, deaths: 0, othersSuspicions: 0, othersDeaths: 0 }
    engine2.onMark((_observer, subject, state) => {
      if (!on) return
      const mine = subject === slowNode
      if (state === 'suspect') { if (mine) counts.suspicions++; else counts.othersSuspicions++ }
      if (state === 'dead') { if (mine) counts.deaths++; else counts.othersDeaths++ }
    })
    try {
      design2.start()
      engine2.runUntil(options.warmupMs)
      on = true
      engine2.setStalls({ node: slowNode, fromMs: engine2.now + picker.next() * 1_000, periodMs: 10_000, stallMs: 1_000 })
      engine2.runUntil(options.warmupMs + options.slowMs)
      slow = { seconds: options.slowMs / 1000, ...counts }
    } catch (err) {
      if (!(err instanceof BudgetExceeded)) throw err
      aborted = `slow: ${err.message}`
    }
    events += engine2.events
    simulated += engine2.now
  }

  return {
    design: options.design,
    nodes,
    traced: options.traced ?? nodes,
    loss: options.loss,
    seed: options.seed,
    steadySeconds: round(steadySeconds),
    ...traffic,
    falseSuspicions: steadySeconds > 0 ? falseSuspicions : null,
    falseDeaths: steadySeconds > 0 ? falseDeaths : null,
    crash: detection(options.crashes, crashSamples),
    hang: detection(options.hangs, hangSamples),
    slow,
    aborted,
    simulatedSeconds: Math.round(simulated / 1000),
    events,
    wallSeconds: round((performance.now() - wallStart) / 1000)
  }
}
