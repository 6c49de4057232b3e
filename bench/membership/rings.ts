/**
 * Observers on K rings (after Rapid, USENIX ATC 2018). Each of K rings orders the membership by a different
 * hash (here: a seeded random permutation); a member's observers are its successors on the K rings (distinct,
 * so sometimes fewer than K), and it sends each of them a small beat every `beatMs` over a direct connection.
 * An observer that has heard nothing from a subject for `silenceMs` publishes one signed alert for the
 * subject's incarnation; alerts travel by gossipsub. A node holds a subject suspect from its first alert and
 * dead once alerts from `threshold` distinct observers of that subject (its own included) have arrived. An alive
 * member that sees an alert against itself publishes a signed higher incarnation, which cancels older alerts
 * and makes suspect (or dead) holders take it back as alive.
 *
 * With `confirmPings`, an observer first pings the silent subject directly (each ping waiting
 * `confirmTimeoutMs` for its answer) and alerts only if none answers: a lost beat or two no longer costs a
 * cluster-wide alert.
 *
 * With `disconnectHint`, an observer alerts at once when its connection to a subject closes (a crash closes
 * sockets; a hang does not, so a hang is always detected by silence).
 *
 * Not modelled: Rapid's consensus on a view change and the ring reconfiguration after a removal (rings are
 * fixed for the run; a dead observer simply stops observing), and the join protocol.
 */
import { buildOverlay } from '../simulate/overlay.js'
import type { Design, DesignFactory } from './design.js'
import type { Engine } from './engine.js'
import { Gossip, GOSSIP_DEFAULTS } from './gossip.js'
import { RING_ALERT, RING_BEAT, RING_PING, RING_REFUTE } from './sizes.js'

export interface RingsConfig {
  readonly rings: number
  readonly threshold: number
  readonly beatMs: number
  readonly silenceMs: number
  readonly disconnectHint: boolean
  /** Before alerting, direct pings to the silent subject (0: alert at once), each waiting `confirmTimeoutMs`. */
  readonly confirmPings: number
  readonly confirmTimeoutMs: number
  /** Overlay for gossip: each node dials `dials` others; gossipsub mesh degree D. */
  readonly dials: number
  readonly meshDegree: number
}

export const RINGS_DEFAULTS: RingsConfig = { rings: 5, threshold: 3, beatMs: 500, silenceMs: 1_500, disconnectHint: true, confirmPings: 0, confirmTimeoutMs: 100, dials: 4, meshDegree: 6 }

interface Watch {
  lastHeard: number
  knownInc: number
  alertedInc: number
  confirming: boolean
}

interface View {
  inc: number
  state: 'alive' | 'suspect' | 'dead'
  readonly alerts: Set<number>
}

export function observerRings (config: RingsConfig = RINGS_DEFAULTS): DesignFactory {
  return (engine: Engine): Design => {
    const n = engine.nodes
    const { rng } = engine
    const overlay = buildOverlay(n, config.dials, config.meshDegree, rng)
    const gossip = new Gossip(engine, overlay, GOSSIP_DEFAULTS)
    const observersOf: number[][] = Array.from({ length: n }, () => [])
    const subjectsOf: number[][] = Array.from({ length: n }, () => [])
    for (let ring = 0; ring < config.rings; ring++) {
      const order = rng.sample(Array.from({ length: n }, (_, i) => i), n)
      for (let p = 0; p < n; p++) {
        const subject = order[p]!
        const observer = order[(p + 1) % n]!
        if (observer === subject || observersOf[subject]!.includes(observer)) continue
        observersOf[subject]!.push(observer)
        subjectsOf[observer]!.push(subject)
      }
    }
    const ownInc = new Int32Array(n)
    const watches = Array.from({ length: n }, (_, o) => new Map<number, Watch>(subjectsOf[o]!.map((s) => [s, { lastHeard: 0, knownInc: 0, alertedInc: -1, confirming: false }])))
    // Views hold only members some alert or refutation touched; everyone else is alive at incarnation 0.
    const views = Array.from({ length: n }, () => new Map<number, View>())
    const viewOf = (node: number, subject: number): View => {
      let view = views[node]!.get(subject)
      if (view === undefined) views[node]!.set(subject, view = { inc: 0, state: 'alive', alerts: new Set() })
      return view
    }
    const setState = (node: number, subject: number, view: View, state: View['state']): void => {
      view.state = state
      engine.mark(node, subject, state)
    }

    const onAlert = (node: number, observer: number, subject: number, inc: number): void => {
      if (subject === node) {
        if (inc >= ownInc[node]!) {
          ownInc[node] = inc + 1
          const refuted = ownInc[node]!
          gossip.publish(node, RING_REFUTE, 'refute', (at) => { onRefute(at, node, refuted) })
        }
        return
      }
      const view = viewOf(node, subject)
      if (inc < view.inc) return
      if (inc > view.inc) {
        view.inc = inc
        view.alerts.clear()
      }
      if (!observersOf[subject]!.includes(observer)) return
      view.alerts.add(observer)
      if (view.state === 'alive') setState(node, subject, view, 'suspect')
      if (view.state !== 'dead' && view.alerts.size >= Math.min(config.threshold, observersOf[subject]!.length)) setState(node, subject, view, 'dead')
    }

    const onRefute = (node: number, subject: number, inc: number): void => {
      if (subject === node) return
      const watch = watches[node]!.get(subject)
      if (watch !== undefined && inc > watch.knownInc) watch.knownInc = inc
      const view = viewOf(node, subject)
      if (inc <= view.inc) return
      view.inc = inc
      view.alerts.clear()
      if (view.state !== 'alive') setState(node, subject, view, 'alive')
    }

    const alert = (observer: number, subject: number, watch: Watch): void => {
      if (watch.alertedInc >= watch.knownInc) return
      watch.alertedInc = watch.knownInc
      const inc = watch.knownInc
      gossip.publish(observer, RING_ALERT, 'alert', (at) => { onAlert(at, observer, subject, inc) })
    }

    // A silent subject gets `confirmPings` direct pings first; an answer counts as hearing from it.
    const confirm = (observer: number, subject: number, watch: Watch, attempt: number): void => {
      watch.confirming = true
      const heard = watch.lastHeard
      let answered = false
      engine.send('confirm', RING_PING, subject, () => {
        engine.send('confirm', RING_PING, observer, () => {
          answered = true
          watch.lastHeard = Math.max(watch.lastHeard, engine.now)
        })
      })
      engine.timer(observer, config.confirmTimeoutMs, () => {
        if (answered || watch.lastHeard !== heard) {
          watch.confirming = false
        } else if (attempt + 1 < config.confirmPings) {
          confirm(observer, subject, watch, attempt + 1)
        } else {
          watch.confirming = false
          alert(observer, subject, watch)
        }
      })
    }

    const check = (observer: number, subject: number): void => {
      const watch = watches[observer]!.get(subject)!
      const due = watch.lastHeard + config.silenceMs
      if (engine.now >= due) {
        if (config.confirmPings > 0 && watch.alertedInc < watch.knownInc) {
          if (!watch.confirming) confirm(observer, subject, watch, 0)
        } else {
          alert(observer, subject, watch)
        }
        engine.timer(observer, config.silenceMs, () => { check(observer, subject) })
      } else {
        engine.timer(observer, due - engine.now, () => { check(observer, subject) })
      }
    }

    const beatLoop = (node: number): void => {
      const inc = ownInc[node]!
      for (const observer of observersOf[node]!) {
        engine.send('beat', RING_BEAT, observer, () => {
          const watch = watches[observer]!.get(node)!
          watch.lastHeard = engine.now
          if (inc > watch.knownInc) watch.knownInc = inc
        })
      }
      engine.timer(node, config.beatMs, () => { beatLoop(node) })
    }

    return {
      subjects: Array.from({ length: n }, (_, i) => i),
      start: () => {
        gossip.start()
        for (let node = 0; node < n; node++) {
          engine.timer(node, rng.next() * config.beatMs, () => { beatLoop(node) })
          for (const subject of subjectsOf[node]!) engine.timer(node, config.silenceMs, () => { check(node, subject) })
        }
      },
      connections: (node) => new Set([...observersOf[node]!, ...subjectsOf[node]!, ...overlay.neighbours[node]!]),
      onDisconnect: (node, gone) => {
        if (!config.disconnectHint) return
        const watch = watches[node]!.get(gone)
        if (watch !== undefined) alert(node, gone, watch)
      }
    }
  }
}
