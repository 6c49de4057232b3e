/**
 * A discrete-event model of a cluster in which every node is the registry's own `Engine` (admission, liveness,
 * gossip policy, anti-entropy, own writes) over an in-memory `Transport` (sim-transport.ts): the simulator fakes
 * the wire, never the node. Time is a manual clock; randomness is seeded; signatures are replaced by an unsigned
 * codec of the signed size (sim-envelopes.ts).
 *
 * To reach N in the tens of thousands, only `traced` members beat and own records; every node relays and keeps
 * a replica of them. Members are exchangeable, so traffic of the untraced ones is the traced traffic scaled by
 * N / traced (exact when traced = N).
 */
import { logger } from '@libp2p/logger'
import TinyQueue from 'tinyqueue'
import { OwnBeats } from '../../src/engine/own-beats.js'
import { DEFAULTS, resolveConfig, type ResolvedConfig } from '../../src/config.js'
import { Engine, tickInterval } from '../../src/engine/engine.js'
import { PeerGuard } from '../../src/guard/peer-guard.js'
import { GOSSIP_FANOUT, recordsTopic } from '../../src/net/protocols.js'
import type { UnstampedInstance } from '../../src/engine/own-writes.js'
import { RegistryStats } from '../../src/stats.js'
import { buildOverlay, type Overlay } from './overlay.js'
import { Rng } from './rng.js'
import { SimEnvelopes } from './sim-envelopes.js'
import { SimTransport, type SimChannel, type SimNetwork } from './sim-transport.js'

export type { SimChannel }

/** Stamps start at a realistic epoch, so they encode at their real size. */
const EPOCH_MS = 1_800_000_000_000
/** Noise (2-byte length, 16-byte tag) + yamux header (12) + length prefix: what a message costs beyond its payload. */
export const FRAMING_BYTES = 32

/** Everything the model depends on; defaults are the registry's own (config.ts) and gossipsub's. */
export interface SimConfig {
  readonly nodes: number
  /** Members whose beats and records are followed through every node. */
  readonly traced: number
  readonly heartbeatMs: number
  readonly suspectAfterMs: number
  readonly deadAfterMs: number
  readonly antiEntropyMs: number
  /** Observers of each member and the alerts that kill it. */
  readonly observers: number
  readonly observerQuorum: number
  readonly targetPeers: number
  /** Gossipsub D (mesh degree), D_lazy (IHAVE targets per heartbeat), and whether a publisher floods. */
  readonly meshDegree: number
  readonly gossipLazy: number
  readonly floodPublish: boolean
  readonly gossipHeartbeatMs: number
  /** Per-hop latency: log-normal. */
  readonly latency: { readonly medianMs: number, readonly sigma: number }
  /** Probability that a gossip message (beat batch, record, IHAVE/IWANT) is lost. Sync streams are reliable. */
  readonly loss: number
  /** Extra bytes a signed envelope adds to its payload (public key, signature, framing), measured by sealing. */
  readonly envelopeOverhead: number
  readonly seed: number
}

export const SIM_DEFAULTS: Omit<SimConfig, 'nodes' | 'traced' | 'envelopeOverhead'> = {
  heartbeatMs: DEFAULTS.heartbeatInterval,
  suspectAfterMs: DEFAULTS.suspectAfter,
  deadAfterMs: DEFAULTS.deadAfter,
  antiEntropyMs: DEFAULTS.antiEntropyInterval,
  observers: DEFAULTS.observers,
  observerQuorum: DEFAULTS.observerQuorum,
  targetPeers: DEFAULTS.targetPeers,
  meshDegree: GOSSIP_FANOUT.mesh,
  gossipLazy: GOSSIP_FANOUT.lazy,
  floodPublish: GOSSIP_FANOUT.floodPublish,
  gossipHeartbeatMs: 1_000,
  latency: { medianMs: 0.5, sigma: 0.5 },
  loss: 0,
  seed: 1
}

/** A traced member: the peer id its records and beats carry. */
export interface TracedMember {
  readonly peerId: string
}

/** Traffic of one channel. */
export interface Traffic {
  messages: number
  bytes: number
}

/** One simulated node: its engine, its end of the network, and what the driver would time. */
export interface SimNode {
  readonly index: number
  readonly peerId: string
  readonly engine: Engine
  readonly transport: SimTransport
  readonly traced: boolean
  alive: boolean
}

interface SimEvent {
  readonly at: number
  readonly seq: number
  readonly run: () => void
}

/** Observers of what happens in the world. */
export interface SimObserver {
  /** A node's visible instance set changed (`up:<id>` / `down:<id>`). */
  change?: (node: number, key: string, at: number) => void
  /** A node changed its view of a member. */
  member?: (node: number, peerId: string, state: string, at: number) => void
}

/** The simulated cluster. */
export class SimWorld {
  readonly nodes: SimNode[] = []
  readonly overlay: Overlay
  /** Traffic sent, by channel, while counting is on; scaled to all N members. */
  readonly sent: Record<SimChannel, Traffic> = { beats: { messages: 0, bytes: 0 }, gossip: { messages: 0, bytes: 0 }, sync: { messages: 0, bytes: 0 } }
  counting = false
  now = 0
  private readonly rng: Rng
  private readonly queue = new TinyQueue<SimEvent>([], (a, b) => a.at - b.at || a.seq - b.seq)
  private seq = 0
  private readonly scale: number
  private readonly byPeer = new Map<string, SimNode>()
  private readonly meshPeers: Array<Set<string>>
  private readonly envelopes: SimEnvelopes
  /** Engine work started by an event that has not settled yet (promises resolve between events). */
  private touched = false

  constructor (readonly config: SimConfig, readonly members: readonly TracedMember[], private readonly observer: SimObserver = {}) {
    if (members.length !== config.traced) throw new RangeError(`expected ${config.traced} traced members, got ${members.length}`)
    this.rng = new Rng(config.seed)
    this.scale = config.nodes / config.traced
    this.overlay = buildOverlay(config.nodes, config.targetPeers, config.meshDegree, this.rng)
    const registryConfig = resolveConfig({
      mdns: false,
      heartbeatInterval: config.heartbeatMs,
      suspectAfter: config.suspectAfterMs,
      deadAfter: config.deadAfterMs,
      antiEntropyInterval: config.antiEntropyMs,
      observers: config.observers,
      observerQuorum: config.observerQuorum,
      targetPeers: config.targetPeers,
      clock: { now: () => this.wall() }
    })
    this.envelopes = new SimEnvelopes(config.envelopeOverhead, registryConfig.maxRecordBytes)
    const net = this.network()
    for (let i = 0; i < config.nodes; i++) {
      const traced = i < config.traced
      const peerId = traced ? members[i]!.peerId : `sim-${i}`
      this.nodes.push(this.createNode(i, peerId, traced, registryConfig, net))
    }
    for (const node of this.nodes) this.byPeer.set(node.peerId, node)
    this.meshPeers = this.overlay.mesh.map((set) => new Set([...set].map((j) => this.nodes[j]!.peerId)))
  }

  private createNode (index: number, peerId: string, traced: boolean, config: ResolvedConfig, net: SimNetwork): SimNode {
    const transport = new SimTransport(index, peerId, net)
    // Only traced members beat; the others never use their chain, so it is as short as a chain can be. Each
    // node's chains come from a stream of its own, derived from the run's seed: drawing them from the world's
    // would shift every other draw of the run.
    const chains = new Rng(chainSeed(this.config.seed, index))
    const beats = new OwnBeats(traced ? config.heartbeatChainLength : 1, (size) => chains.bytes(size))
    const engine = new Engine({
      config,
      self: peerId,
      transport,
      envelopes: this.envelopes.forNode(),
      guard: new PeerGuard(peerId, undefined, config.heartbeatChainLength),
      stats: new RegistryStats(),
      random: () => this.rng.next(),
      beats,
      events: {
        change: (change) => { this.observer.change?.(index, `${change.type}:${change.instance.id}`, this.now) },
        member: (change) => { this.observer.member?.(index, change.member.peerId, change.member.state, this.now) },
        rejected: () => {}
      },
      log: logger('gossip-registry:sim')
    })
    transport.handlers = engine.handlers
    return { index, peerId, engine, transport, traced, alive: true }
  }

  private network (): SimNetwork {
    return {
      neighbours: (index) => this.overlay.neighbours[index]!.filter((j) => this.nodes[j]!.alive).map((j) => this.nodes[j]!.peerId),
      mesh: (index) => this.meshPeers[index]!,
      transport: (peer) => {
        const node = this.byPeer.get(peer)
        return node?.alive === true ? node.transport : undefined
      },
      count: (channel, bytes, times = 1) => { this.count(channel, bytes, times) },
      hop: (lossy, run, resumes = false) => {
        if (lossy && this.rng.chance(this.config.loss)) return
        this.at(this.now + this.latency(), resumes ? () => { this.touched = true; run() } : run)
      },
      track: (work) => {
        this.touched = true
        work.catch((err: unknown) => { throw err })
      },
      topicBytes: new TextEncoder().encode(recordsTopic(DEFAULTS.namespace)).length,
      scale: this.scale,
      random: () => this.rng.next(),
      sample: (items, count) => this.rng.sample(items, count),
      gossipLazy: this.config.gossipLazy,
      floodPublish: this.config.floodPublish
    }
  }

  /**
   * Every traced member publishes its member record (so the cluster converges through the engines' own gossip
   * during warm-up), and the driver's timers start, at random phases. Nodes in `held` stay out (as if not yet
   * started: no neighbour reaches them) until `join`.
   */
  async start (held: ReadonlySet<number> = new Set()): Promise<void> {
    for (const node of this.nodes) {
      if (held.has(node.index)) node.alive = false
      else this.startNode(node)
    }
    await this.settle()
  }

  /**
   * A node held back at start starts now: its timers run and its neighbours connect to it, each side starting
   * anti-entropy with the other as a node does on a new connection.
   */
  async join (index: number): Promise<void> {
    const node = this.nodes[index]!
    if (node.alive) throw new Error(`node ${index} is already running`)
    node.alive = true
    this.startNode(node)
    for (const j of this.overlay.neighbours[index]!) {
      const neighbour = this.nodes[j]!
      if (!neighbour.alive) continue
      this.at(this.now + this.latency(), () => {
        if (!node.alive || !neighbour.alive) return
        node.transport.handlers?.connected(neighbour.peerId)
        neighbour.transport.handlers?.connected(node.peerId)
        this.touched = true
      })
    }
    await this.settle()
  }

  private startNode (node: SimNode): void {
    const { heartbeatMs, gossipHeartbeatMs, antiEntropyMs } = this.config
    const quarter = tickInterval(heartbeatMs)
    const { engine, transport } = node
    if (node.traced) {
      this.background(engine.start())
      this.every(this.rng.next() * heartbeatMs, heartbeatMs, node, () => { engine.beat() })
      this.every(this.rng.next() * quarter, quarter, node, () => { engine.tick() })
    } else {
      this.untracedTicks(node, this.rng.next() * quarter)
    }
    this.every(this.rng.next() * gossipHeartbeatMs, gossipHeartbeatMs, node, () => { transport.gossipHeartbeat() })
    this.every(this.rng.next() * antiEntropyMs, antiEntropyMs, node, () => { engine.antiEntropy() })
  }

  /**
   * The timer of an untraced node. It stands for a member whose own subjects are not simulated: it would hear
   * their beats every interval, which is what keeps it "in contact" with the cluster; its detector is told so
   * instead, once a heartbeat. It ticks every quarter heartbeat, as a node does, while it observes a traced
   * member, and once a heartbeat otherwise: such a tick only judges members it hears of through alerts, whose
   * quorum kills on arrival. At N = 100 000 these events are most of the run's time (each touches a detector that is
   * cold in the CPU's cache), and the memory of them all does not fit in any cache.
   */
  private untracedTicks (node: SimNode, firstAt: number): void {
    const { heartbeatMs } = this.config
    const { engine } = node
    let contactAt = this.now + firstAt
    const step = (): void => {
      if (!node.alive) return
      if (this.now >= contactAt) {
        engine.replica.detector.contact(this.wall())
        contactAt += heartbeatMs
      }
      engine.tick()
      this.at(this.now + (engine.replica.detector.observesAnyone(this.wall()) ? tickInterval(heartbeatMs) : heartbeatMs), step)
    }
    this.at(this.now + firstAt, step)
  }

  /** Runs every event up to `untilMs` of simulated time, letting the engines' promises settle in between. */
  async runUntil (untilMs: number): Promise<void> {
    while (this.queue.length > 0 && this.queue.peek()!.at <= untilMs) {
      const event = this.queue.pop()!
      this.now = event.at
      event.run()
      await this.settle()
    }
    this.now = untilMs
  }

  /** Schedules `run` at `at` (simulated ms). */
  at (at: number, run: () => void): void {
    this.queue.push({ at, seq: this.seq++, run })
  }

  /** A traced member registers an instance; resolves once it is published (no simulated time passes). */
  async register (owner: number, id: string): Promise<void> {
    const node = this.nodes[owner]!
    const record: UnstampedInstance = {
      kind: 'instance', deleted: false, owner: node.peerId, id, namespace: DEFAULTS.namespace,
      service: 'bench', version: '1.0.0', address: '10.0.0.1', port: 8080, tags: [], metadata: {}, weight: 1, status: 'passing'
    }
    await node.engine.own.put(record)
  }

  /** A traced member deregisters an instance; resolves once the tombstone is published. */
  async deregister (owner: number, id: string): Promise<void> {
    await this.nodes[owner]!.engine.own.remove(id)
  }

  /**
   * The node stops without a word. A crash (the default) closes its connections at once, which its observers
   * notice a hop later; a hang (`{ hang: true }`) keeps them open, so only silence tells.
   */
  kill (index: number, options: { hang?: boolean } = {}): void {
    const victim = this.nodes[index]!
    victim.alive = false
    if (options.hang === true) return
    for (const node of this.nodes) {
      if (!node.alive || !this.observes(node.index, victim.peerId)) continue
      this.at(this.now + this.latency(), () => { if (node.alive) node.engine.handlers.disconnected(victim.peerId) })
    }
  }

  /** True if node `index` observes `peer` (is one of its observers) now. */
  observes (index: number, peer: string): boolean {
    return this.nodes[index]!.engine.replica.detector.observes(peer, this.wall())
  }

  private async settle (): Promise<void> {
    // Microtasks queued by the event (a pull gathered from a beat batch) run before this continuation.
    await null
    if (!this.touched) return
    this.touched = false
    // Engine handlers chain several promises; a macrotask turn lets all of them settle (nothing else runs here).
    await new Promise((resolve) => setImmediate(resolve))
  }

  private background (work: Promise<unknown>): void {
    this.touched = true
    work.catch((err: unknown) => { throw err })
  }

  private wall (): number {
    return EPOCH_MS + this.now
  }

  private latency (): number {
    return this.rng.logNormal(this.config.latency.medianMs, this.config.latency.sigma)
  }

  private count (channel: SimChannel, bytes: number, times: number): void {
    if (!this.counting) return
    this.sent[channel].messages += times
    this.sent[channel].bytes += (bytes + FRAMING_BYTES) * times
  }

  private every (firstAt: number, period: number, node: SimNode, run: () => void): void {
    const step = (): void => {
      if (!node.alive) return
      run()
      this.at(this.now + period, step)
    }
    this.at(this.now + firstAt, step)
  }
}

/** The seed of node `index`'s chain stream: distinct per node for one run's seed (a multiplicative hash). */
function chainSeed (seed: number, index: number): number {
  return (Math.imul(seed, 0x9e3779b1) + index + 1) | 0
}
