/**
 * Today's liveness: every member beats every second and every node relays every fresh beat. A node queues the
 * fresh beats it hears and flushes the queue `flushesPerBeat` times per beat interval to `fanout` random
 * connections of a random overlay (each node dials `dials` others: mean degree 2 x dials). A member silent for
 * `suspectMs` on the receiver's clock is suspect, for `deadMs` dead; a newer beat from it makes it alive again.
 *
 * Sampling: only `traced` members beat. Their beats travel the whole overlay; a batch's bytes are its traced
 * beats times nodes / traced (members are exchangeable, so this is the expected size of a real batch), and a
 * flush with no traced beat still counts its messages. Failures and false suspicions are of traced members only.
 */
import { buildOverlay } from '../simulate/overlay.js'
import type { Design, DesignFactory } from './design.js'
import type { Engine, MemberState } from './engine.js'
import { A2A_BATCH_HEADER, A2A_BEAT_ENTRY } from './sizes.js'

export interface AllToAllConfig {
  readonly beatMs: number
  readonly flushesPerBeat: number
  readonly fanout: number
  readonly dials: number
  readonly suspectMs: number
  readonly deadMs: number
  /** Members that beat (the rest only relay); 0 = all. */
  readonly traced: number
}

export const ALL_TO_ALL_DEFAULTS: AllToAllConfig = { beatMs: 1_000, flushesPerBeat: 4, fanout: 3, dials: 4, suspectMs: 3_000, deadMs: 10_000, traced: 0 }

const STATES: readonly MemberState[] = ['alive', 'suspect', 'dead']

export function allToAll (config: AllToAllConfig = ALL_TO_ALL_DEFAULTS): DesignFactory {
  return (engine: Engine): Design => {
    const n = engine.nodes
    const traced = config.traced > 0 ? Math.min(config.traced, n) : n
    const scale = n / traced
    const { rng } = engine
    const overlay = buildOverlay(n, config.dials, 0, rng)
    // Per node, per traced member: newest sequence number, when it was heard, and the state (index in STATES).
    const lastSeq = new Int32Array(n * traced)
    const lastHeard = new Float64Array(n * traced)
    const state = new Uint8Array(n * traced)
    const ownSeq = new Int32Array(traced)
    const pending = Array.from({ length: n }, () => new Map<number, number>())
    const flushMs = config.beatMs / config.flushesPerBeat

    const setState = (node: number, member: number, next: number): void => {
      state[node * traced + member] = next
      engine.mark(node, member, STATES[next]!)
    }

    const receive = (node: number, batch: ReadonlyArray<readonly [number, number]>): void => {
      const base = node * traced
      for (const [member, seq] of batch) {
        if (member === node || seq <= lastSeq[base + member]!) continue
        lastSeq[base + member] = seq
        lastHeard[base + member] = engine.now
        if (state[base + member] !== 0) setState(node, member, 0)
        pending[node]!.set(member, seq)
      }
    }

    const check = (node: number): void => {
      const base = node * traced
      for (let member = 0; member < traced; member++) {
        if (member === node) continue
        const silence = engine.now - lastHeard[base + member]!
        const current = state[base + member]!
        if (current < 2 && silence >= config.deadMs) setState(node, member, 2)
        else if (current === 0 && silence >= config.suspectMs) setState(node, member, 1)
      }
    }

    const flush = (node: number): void => {
      check(node)
      const queue = pending[node]!
      const targets = rng.sample(overlay.neighbours[node]!.filter((j) => !engine.isCrashed(j)), config.fanout)
      if (queue.size === 0) {
        if (scale > 1) engine.count('beats', 0, targets.length)
        return
      }
      const batch = [...queue.entries()]
      queue.clear()
      const bytes = Math.round(batch.length * A2A_BEAT_ENTRY * scale) + A2A_BATCH_HEADER
      for (const to of targets) engine.send('beats', bytes, to, () => { receive(to, batch) })
    }

    const flushLoop = (node: number): void => {
      flush(node)
      engine.timer(node, flushMs, () => { flushLoop(node) })
    }
    const beatLoop = (member: number): void => {
      ownSeq[member]!++
      pending[member]!.set(member, ownSeq[member]!)
      engine.timer(member, config.beatMs, () => { beatLoop(member) })
    }

    return {
      subjects: Array.from({ length: traced }, (_, i) => i),
      start: () => {
        for (let node = 0; node < n; node++) {
          engine.timer(node, rng.next() * flushMs, () => { flushLoop(node) })
          if (node < traced) engine.timer(node, rng.next() * config.beatMs, () => { beatLoop(node) })
        }
      },
      connections: (node) => overlay.neighbours[node]!,
      onDisconnect: () => {}
    }
  }
}
