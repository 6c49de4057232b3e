/**
 * A member hangs right after a newcomer joined and became one of its observers: how long until every live node
 * holds it dead? The convergence bench does this once a run (its joiner, then a SIGSTOP) and saw the slow path
 * (`deadAfter`) in a few runs of 50; here the same moment is run over many seeds of the node's own engine, and
 * each run says how the newcomer changed the victim's observers in the joiner's view:
 *
 * - `displaced`: the newcomer took the place of an observer that now watches the victim no more;
 * - `added`: the newcomer is one distinct observer more (the others all still watch it: the quorum's cap rose);
 * - `none`: the newcomer is no observer of the victim (the victim is picked among its subjects, so rare).
 */
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { Rings } from '../../src/membership/rings.js'
import { summarize, type Summary } from '../report/stats.js'
import { envelopeOverhead, keySeed } from './scenario.js'
import { SIM_DEFAULTS, SimWorld, type SimConfig } from './world.js'
import { Rng } from './rng.js'

/** Past the first `deadAfter`, when a node takes in every member as established (the cluster as it finds it). */
const WARMUP_AFTER_DEAD_AFTER_MS = 2_000

export type ObserverChange = 'displaced' | 'added' | 'none'

export interface JoinHangRun {
  readonly seed: number
  readonly change: ObserverChange
  /** From the newcomer's start to the hang (a random pause). */
  readonly pauseMs: number
  /** From the hang until every live node holds the victim dead. */
  readonly detectionMs: number
  /** Live members made suspect or dead anywhere, over the whole run. */
  readonly falseSuspicions: number
  readonly falseDeaths: number
}

export interface JoinHangResult {
  readonly bench: 'join-hang'
  readonly nodes: number
  readonly runs: number
  readonly detection: Summary
  /** Runs whose hang was dead everywhere only after `slowAfterMs` (the slow path), by kind of observer change. */
  readonly slow: Record<ObserverChange, number>
  readonly byChange: Record<ObserverChange, number>
  readonly slowAfterMs: number
  readonly falseSuspicions: number
  readonly falseDeaths: number
}

export interface JoinHangOptions {
  /** Members before the newcomer joins. */
  readonly nodes: number
  readonly runs: number
  readonly firstSeed?: number
  /** Longest random pause between the newcomer's start and the hang. */
  readonly maxPauseMs?: number
  readonly config?: Partial<Omit<SimConfig, 'nodes' | 'traced' | 'envelopeOverhead' | 'seed'>>
}

export async function runJoinHang (options: JoinHangOptions): Promise<{ result: JoinHangResult, runs: JoinHangRun[] }> {
  const runs: JoinHangRun[] = []
  const overhead = await envelopeOverhead()
  const first = options.firstSeed ?? 1
  for (let seed = first; seed < first + options.runs; seed++) runs.push(await runOnce(seed, options, overhead))
  const deadAfter = options.config?.deadAfterMs ?? SIM_DEFAULTS.deadAfterMs
  // Anything past half of deadAfter was not a quorum at suspectAfter (2 s) plus a repeat or two.
  const slowAfterMs = deadAfter / 2
  const tally = (pick: (run: JoinHangRun) => boolean): Record<ObserverChange, number> => ({
    displaced: runs.filter((r) => r.change === 'displaced' && pick(r)).length,
    added: runs.filter((r) => r.change === 'added' && pick(r)).length,
    none: runs.filter((r) => r.change === 'none' && pick(r)).length
  })
  return {
    runs,
    result: {
      bench: 'join-hang',
      nodes: options.nodes,
      runs: runs.length,
      detection: summarize(runs.map((r) => r.detectionMs)),
      slow: tally((r) => r.detectionMs >= slowAfterMs),
      byChange: tally(() => true),
      slowAfterMs,
      falseSuspicions: runs.reduce((sum, r) => sum + r.falseSuspicions, 0),
      falseDeaths: runs.reduce((sum, r) => sum + r.falseDeaths, 0)
    }
  }
}

async function runOnce (seed: number, options: JoinHangOptions, envelopeOverhead: number): Promise<JoinHangRun> {
  const size = options.nodes + 1
  const newcomer = options.nodes
  const members: Array<{ peerId: string }> = []
  for (let i = 0; i < size; i++) members.push({ peerId: (await generateKeyPairFromSeed('Ed25519', keySeed(seed, i))).publicKey.toString() })
  const config: SimConfig = { ...SIM_DEFAULTS, ...options.config, nodes: size, traced: size, envelopeOverhead, seed }
  const rng = new Rng(seed * 7919 + 1)
  // The victim: a member the newcomer will observe once every view holds it (what the convergence bench hits by
  // chance), hung at a random moment of the join, while the views still differ.
  const all = members.map((m) => m.peerId)
  const joinerId = all[newcomer]!
  const rings = ringsOver(all, config.observers)
  const watched = all.filter((peer) => peer !== joinerId && rings.observersOf(peer).includes(joinerId))
  const pick = watched.length > 0 ? watched : all.filter((peer) => peer !== joinerId)
  const victimIndex = all.indexOf(pick[Math.floor(rng.next() * pick.length)]!)
  const victim = all[victimIndex]!
  const change = observerChange(ringsOver(all.filter((p) => p !== joinerId), config.observers), rings, victim, joinerId)
  const pauseMs = Math.round(rng.next() * (options.maxPauseMs ?? 1_000))

  let hung = false
  const deaths = new Map<number, number>()
  let falseSuspicions = 0
  let falseDeaths = 0
  const world = new SimWorld(config, members, {
    member: (node, peerId, state, at) => {
      if (hung && peerId === victim) {
        if (state === 'dead') deaths.set(node, at)
      } else if (state === 'suspect') falseSuspicions++
      else if (state === 'dead') falseDeaths++
    }
  })
  await world.start(new Set([newcomer]))
  await world.runUntil(config.deadAfterMs + WARMUP_AFTER_DEAD_AFTER_MS)

  await world.join(newcomer)
  await world.runUntil(world.now + pauseMs)

  const hungAt = world.now
  hung = true
  world.kill(victimIndex, { hang: true })
  const live = (): number => world.nodes.filter((n) => n.alive).length
  const deadline = hungAt + config.deadAfterMs * 3
  while (deaths.size < live() && world.now < deadline) await world.runUntil(world.now + 10)
  if (deaths.size < live()) throw new Error(`seed ${seed}: the hung victim was dead at ${deaths.size} of ${live()} nodes within ${deadline - hungAt} ms`)
  return { seed, change, pauseMs, detectionMs: Math.round(Math.max(...deaths.values()) - hungAt), falseSuspicions, falseDeaths }
}

/** The K rings of a view. */
function ringsOver (view: readonly string[], observers: number): Rings {
  const rings = new Rings(observers)
  rings.update(view)
  return rings
}

/** How the newcomer changed the victim's observers (first successor on each ring), all members alive. */
function observerChange (without: Rings, withNewcomer: Rings, victim: string, newcomer: string): ObserverChange {
  const before = without.observersOf(victim)
  const after = withNewcomer.observersOf(victim)
  if (!after.includes(newcomer)) return 'none'
  return before.every((p) => after.includes(p)) ? 'added' : 'displaced'
}
