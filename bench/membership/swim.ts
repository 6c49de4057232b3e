/**
 * SWIM with Lifeguard, after hashicorp/memberlist (state.go, suspicion.go, awareness.go, queue.go).
 *
 * Every `probeMs` x (awareness + 1) a node probes the next member of its own round-robin order (a random
 * stride through the membership, skipping itself and members it holds dead): a direct ping; without an ack
 * after `probeTimeoutMs`, ping requests to `indirectChecks` random alive members, who ping the target and
 * forward its ack or answer with a nack. No ack by the end of the probe interval: the prober suspects the
 * target and broadcasts a signed suspect. A node that learns a suspicion starts a timer of
 *   min = suspicionMult x max(1, log10(N)) x probeMs, max = suspicionMaxMult x min,
 *   timeout = max(min, max - (max - min) x log(C + 1) / log(k + 1)), k = suspicionMult - 2 (0 if N - 2 < k),
 * C the independent accusers heard so far (k < 1: the timeout is min). When it fires: dead, and a dead
 * message is broadcast. An accused member that hears of it refutes with a higher incarnation (signed alive).
 * Local health (awareness, 0..awarenessMax - 1): +1 per missing nack of a failed probe (+1 without helpers),
 * +1 per refutation, -1 per successful probe; it stretches the probe interval.
 *
 * Broadcasts wait in a transmit-limited queue (a newer one about a member replaces older ones) and ride on
 * every ping, ping request, ack and nack up to a 1 400-byte packet, and on gossip messages sent every
 * `gossipMs` to `gossipNodes` random members while the queue is not empty; each is sent
 * retransmitMult x ceil(log10(N + 1)) times.
 *
 * Not modelled: memberlist's TCP fallback ping, push-pull state sync (the registry has its own anti-entropy,
 * common to every design), gossip to recently dead members, joins and leaves. memberlist ignores TCP
 * disconnects, so a crash and a hang look the same here.
 */
import type { Design, DesignFactory } from './design.js'
import type { Engine, MemberState } from './engine.js'
import { SWIM_ACK, SWIM_ALIVE, SWIM_PACKET_BUDGET, SWIM_PIGGYBACK_HEADER, SWIM_PING, SWIM_PING_REQ, SWIM_SUSPECT } from './sizes.js'

export interface SwimConfig {
  readonly probeMs: number
  readonly probeTimeoutMs: number
  readonly indirectChecks: number
  readonly suspicionMult: number
  readonly suspicionMaxMult: number
  readonly retransmitMult: number
  readonly gossipMs: number
  readonly gossipNodes: number
  readonly awarenessMax: number
}

/** memberlist's DefaultLANConfig. */
export const SWIM_LAN: SwimConfig = {
  probeMs: 1_000, probeTimeoutMs: 500, indirectChecks: 3, suspicionMult: 4, suspicionMaxMult: 6, retransmitMult: 4, gossipMs: 200, gossipNodes: 3, awarenessMax: 8
}

type Kind = 'alive' | 'suspect' | 'dead'

interface Broadcast {
  readonly kind: Kind
  readonly subject: number
  readonly inc: number
  readonly from: number
  readonly bytes: number
}

interface Queued {
  readonly broadcast: Broadcast
  readonly order: number
  transmits: number
}

interface Suspicion {
  readonly start: number
  readonly confirmers: Set<number>
  readonly k: number
  readonly min: number
  readonly max: number
  timeout: number
  token: number
}

interface View {
  state: MemberState
  inc: number
  suspicion?: Suspicion
}

interface Probe {
  readonly target: number
  readonly seq: number
  open: boolean
  acked: boolean
  expectedNacks: number
  nacks: number
}

interface SwimNode {
  inc: number
  awareness: number
  seq: number
  order: { offset: number, stride: number, next: number }
  probe?: Probe
  readonly view: Map<number, View>
  queue: Queued[]
}

function gcd (a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b]
  return a
}

export function swim (config: SwimConfig = SWIM_LAN): DesignFactory {
  return (engine: Engine): Design => {
    const n = engine.nodes
    const { rng } = engine
    const retransmitLimit = config.retransmitMult * Math.ceil(Math.log10(n + 1))
    const suspicionMin = config.suspicionMult * Math.max(1, Math.log10(Math.max(1, n))) * config.probeMs
    const suspicionMax = config.suspicionMaxMult * suspicionMin
    const suspicionK = n - 2 < config.suspicionMult - 2 ? 0 : config.suspicionMult - 2
    let tokens = 0
    let queued = 0

    const nodes: SwimNode[] = Array.from({ length: n }, () => {
      let stride = 1 + rng.below(Math.max(1, n - 1))
      while (gcd(stride, n) !== 1) stride = stride % (n - 1) + 1
      return { inc: 0, awareness: 0, seq: 0, order: { offset: rng.below(n), stride, next: 0 }, view: new Map(), queue: [] }
    })
    const viewOf = (node: number, subject: number): View => {
      const views = nodes[node]!.view
      let view = views.get(subject)
      if (view === undefined) views.set(subject, view = { state: 'alive', inc: 0 })
      return view
    }
    const stateOf = (node: number, subject: number): MemberState => nodes[node]!.view.get(subject)?.state ?? 'alive'
    const setState = (node: number, subject: number, view: View, state: MemberState): void => {
      view.state = state
      engine.mark(node, subject, state)
    }

    // --- the transmit-limited queue and piggybacking

    const enqueue = (node: number, broadcast: Broadcast): void => {
      const self = nodes[node]!
      self.queue = self.queue.filter((q) => q.broadcast.subject !== broadcast.subject)
      self.queue.push({ broadcast, order: queued++, transmits: 0 })
    }
    const takeBroadcasts = (node: number, room: number): Broadcast[] => {
      const self = nodes[node]!
      if (self.queue.length === 0) return []
      // Fewest transmits first, newest first among equals (memberlist's btree order).
      const ordered = self.queue.length === 1 ? self.queue : [...self.queue].sort((a, b) => a.transmits - b.transmits || b.order - a.order)
      const taken: Broadcast[] = []
      let left = room
      for (const q of ordered) {
        if (left < SWIM_PIGGYBACK_HEADER + SWIM_ALIVE) break
        const size = q.broadcast.bytes + SWIM_PIGGYBACK_HEADER
        if (size > left) continue
        left -= size
        taken.push(q.broadcast)
        q.transmits++
      }
      self.queue = self.queue.filter((q) => q.transmits < retransmitLimit)
      return taken
    }
    /** Sends a packet of `base` bytes with whatever broadcasts fit; `deliver` runs after they are applied. */
    const sendPacket = (from: number, to: number, kind: string, base: number, deliver: () => void): void => {
      const piggy = takeBroadcasts(from, SWIM_PACKET_BUDGET - base)
      let extra = 0
      for (const b of piggy) extra += b.bytes + SWIM_PIGGYBACK_HEADER
      engine.count('piggyback', extra, 0)
      engine.send(kind, base, to, () => {
        for (const b of piggy) handle(to, b)
        deliver()
      })
    }

    // --- membership messages

    const refute = (node: number, accusedInc: number): void => {
      const self = nodes[node]!
      self.inc = Math.max(self.inc + 1, accusedInc + 1)
      self.awareness = Math.min(config.awarenessMax - 1, self.awareness + 1)
      enqueue(node, { kind: 'alive', subject: node, inc: self.inc, from: node, bytes: SWIM_ALIVE })
    }

    const armSuspicion = (node: number, subject: number, view: View, suspicion: Suspicion): void => {
      const token = ++tokens
      suspicion.token = token
      const remaining = suspicion.start + suspicion.timeout - engine.now
      engine.timer(node, Math.max(0, remaining), () => {
        if (view.suspicion !== suspicion || suspicion.token !== token || view.state !== 'suspect') return
        view.suspicion = undefined
        setState(node, subject, view, 'dead')
        enqueue(node, { kind: 'dead', subject, inc: view.inc, from: node, bytes: SWIM_SUSPECT })
      })
    }

    const handle = (node: number, b: Broadcast): void => {
      if (b.subject === node) {
        if (b.kind !== 'alive' && b.inc >= nodes[node]!.inc) refute(node, b.inc)
        return
      }
      const view = viewOf(node, b.subject)
      switch (b.kind) {
        case 'alive':
          if (b.inc <= view.inc) return
          view.inc = b.inc
          view.suspicion = undefined
          if (view.state !== 'alive') setState(node, b.subject, view, 'alive')
          enqueue(node, b)
          return
        case 'suspect': {
          if (b.inc < view.inc || view.state === 'dead') return
          if (view.state === 'suspect') {
            const s = view.suspicion
            if (s === undefined || s.confirmers.has(b.from) || s.confirmers.size - 1 >= s.k) return
            s.confirmers.add(b.from)
            const c = s.confirmers.size - 1
            s.timeout = Math.max(s.min, s.max - (s.max - s.min) * Math.log(c + 1) / Math.log(s.k + 1))
            armSuspicion(node, b.subject, view, s)
            enqueue(node, b)
            return
          }
          view.inc = b.inc
          const suspicion: Suspicion = {
            start: engine.now, confirmers: new Set([b.from]), k: suspicionK, min: suspicionMin, max: suspicionMax,
            timeout: suspicionK < 1 ? suspicionMin : suspicionMax, token: 0
          }
          view.suspicion = suspicion
          setState(node, b.subject, view, 'suspect')
          armSuspicion(node, b.subject, view, suspicion)
          enqueue(node, b)
          return
        }
        case 'dead':
          if (b.inc < view.inc || view.state === 'dead') return
          view.inc = b.inc
          view.suspicion = undefined
          setState(node, b.subject, view, 'dead')
          enqueue(node, b)
      }
    }

    // --- probing

    const randomMembers = (node: number, count: number, exclude: number, accept: (s: MemberState) => boolean): number[] => {
      const picked: number[] = []
      for (let tries = 0; picked.length < count && tries < count * 8; tries++) {
        const j = rng.below(n)
        if (j === node || j === exclude || picked.includes(j) || !accept(stateOf(node, j))) continue
        picked.push(j)
      }
      return picked
    }

    const nextTarget = (node: number): number | undefined => {
      const o = nodes[node]!.order
      for (let tries = 0; tries < n; tries++) {
        const j = (o.offset + o.next * o.stride) % n
        o.next = (o.next + 1) % n
        if (j !== node && stateOf(node, j) !== 'dead') return j
      }
      return undefined
    }

    const ping = (from: number, to: number, onAck: () => void): void => {
      sendPacket(from, to, 'probe', SWIM_PING, () => {
        sendPacket(to, from, 'probe', SWIM_ACK, onAck)
      })
    }

    const probeLoop = (node: number): void => {
      const self = nodes[node]!
      const interval = config.probeMs * (self.awareness + 1)
      engine.timer(node, interval, () => { probeLoop(node) })
      const target = nextTarget(node)
      if (target === undefined) return
      const probe: Probe = { target, seq: ++self.seq, open: true, acked: false, expectedNacks: 0, nacks: 0 }
      self.probe = probe
      const acked = (): void => {
        if (!probe.open || probe.acked) return
        probe.acked = true
        self.awareness = Math.max(0, self.awareness - 1)
      }
      ping(node, target, acked)
      engine.timer(node, config.probeTimeoutMs, () => {
        if (probe.acked) return
        const helpers = randomMembers(node, config.indirectChecks, target, (s) => s === 'alive')
        probe.expectedNacks = helpers.length
        for (const helper of helpers) {
          sendPacket(node, helper, 'probe', SWIM_PING_REQ, () => {
            let answered = false
            ping(helper, target, () => {
              if (answered) return
              answered = true
              sendPacket(helper, node, 'probe', SWIM_ACK, acked)
            })
            engine.timer(helper, config.probeTimeoutMs, () => {
              if (answered) return
              answered = true
              sendPacket(helper, node, 'probe', SWIM_ACK, () => { if (probe.open) probe.nacks++ })
            })
          })
        }
      })
      // The probe ends just before the next one starts (timers at the same instant run in order).
      engine.timer(node, interval - 1e-6, () => {
        probe.open = false
        if (probe.acked) return
        const missing = probe.expectedNacks > 0 ? probe.expectedNacks - probe.nacks : 1
        self.awareness = Math.min(config.awarenessMax - 1, self.awareness + missing)
        const view = viewOf(node, target)
        if (view.state !== 'dead') handle(node, { kind: 'suspect', subject: target, inc: view.inc, from: node, bytes: SWIM_SUSPECT })
      })
    }

    const gossipLoop = (node: number): void => {
      engine.timer(node, config.gossipMs, () => { gossipLoop(node) })
      if (nodes[node]!.queue.length === 0) return
      for (const to of randomMembers(node, config.gossipNodes, -1, (s) => s !== 'dead')) {
        const piggy = takeBroadcasts(node, SWIM_PACKET_BUDGET)
        if (piggy.length === 0) break
        let bytes = 0
        for (const b of piggy) bytes += b.bytes + SWIM_PIGGYBACK_HEADER
        engine.send('gossip', bytes, to, () => { for (const b of piggy) handle(to, b) })
      }
    }

    return {
      subjects: Array.from({ length: n }, (_, i) => i),
      start: () => {
        for (let node = 0; node < n; node++) {
          engine.timer(node, rng.next() * config.probeMs, () => { probeLoop(node) })
          engine.timer(node, rng.next() * config.gossipMs, () => { gossipLoop(node) })
        }
      },
      connections: () => [],
      onDisconnect: () => {}
    }
  }
}
