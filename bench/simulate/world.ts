/**
 * A discrete-event model of a cluster, built on the pure core unchanged: every node is a `Replica` (LWW table,
 * failure detector, clock) with a `BeatQueue`, and the sync session functions run between replicas exactly as
 * the network layer runs them. What is modelled instead of run: the transport (latency, loss), gossipsub's
 * forwarding over its mesh, and signatures (records carry unsigned envelopes of the signed size, since the core
 * never verifies them; the facade does).
 *
 * To reach N in the tens of thousands, only `traced` members beat and own records; every node relays and keeps
 * a replica of them. Members are exchangeable, so traffic of the untraced ones is the traced traffic scaled by
 * N / traced (exact when traced = N).
 */
import TinyQueue from 'tinyqueue'
import { BeatQueue } from '../../src/beat-queue.js'
import { DEFAULTS } from '../../src/config.js'
import { encodeBeats, encodeSyncFrame } from '../../src/net/frames.js'
import { recordsTopic } from '../../src/net/protocols.js'
import type { Hlc } from '../../src/clock/hlc.js'
import { encodePayload } from '../../src/record/codec.js'
import { MEMBER_RECORD_ID, type SignedRecord } from '../../src/record/types.js'
import { Replica, type BeatInput, type ReplicaEffect } from '../../src/replica.js'
import { answerDigest, answerSummary, answerWant, openSync } from '../../src/sync/session.js'
import type { TableEntry } from '../../src/table/entry.js'
import { buildOverlay, type Overlay } from './overlay.js'
import { Rng } from './rng.js'

/** Stamps start at a realistic epoch, so they encode at their real size. */
const EPOCH_MS = 1_800_000_000_000
/** Noise (2-byte length, 16-byte tag) + yamux header (12) + length prefix: what a message costs beyond its payload. */
export const FRAMING_BYTES = 32
/** Gossipsub message ids are SHA-256 of the data under StrictNoSign. */
const MESSAGE_ID_BYTES = 32
/** Gossipsub keeps message ids for this many of its heartbeats to advertise in IHAVE. */
const GOSSIP_HISTORY = 3

/** Everything the model depends on; defaults are the registry's own (config.ts) and gossipsub's. */
export interface SimConfig {
  readonly nodes: number
  /** Members whose beats and records are followed through every node. */
  readonly traced: number
  readonly heartbeatMs: number
  readonly suspectAfterMs: number
  readonly deadAfterMs: number
  readonly antiEntropyMs: number
  readonly beatFanout: number
  readonly targetPeers: number
  /** Gossipsub D (mesh degree) and D_lazy (IHAVE targets per heartbeat). */
  readonly meshDegree: number
  readonly gossipLazy: number
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
  beatFanout: DEFAULTS.beatFanout,
  targetPeers: DEFAULTS.targetPeers,
  meshDegree: 6,
  gossipLazy: 6,
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

export type SimChannel = 'beats' | 'gossip' | 'sync'

interface SimNode {
  readonly index: number
  readonly replica: Replica
  readonly beats: BeatQueue
  readonly traced: boolean
  alive: boolean
  /** Gossipsub's seen cache and its recent message ids (for IHAVE), by record key. */
  readonly seen: Set<string>
  recent: Array<{ key: string, entry: TableEntry, heartbeat: number }>
  heartbeats: number
  readonly pulling: Set<string>
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
  /** Largest beat batch seen (scaled), to compare with the wire limit. */
  largestBatchBytes = 0
  counting = false
  now = 0
  private readonly rng: Rng
  private readonly queue = new TinyQueue<SimEvent>([], (a, b) => a.at - b.at || a.seq - b.seq)
  private seq = 0
  private readonly scale: number
  private readonly topicBytes: number

  constructor (readonly config: SimConfig, readonly members: readonly TracedMember[], private readonly observer: SimObserver = {}) {
    if (members.length !== config.traced) throw new RangeError(`expected ${config.traced} traced members, got ${members.length}`)
    this.rng = new Rng(config.seed)
    this.scale = config.nodes / config.traced
    this.topicBytes = new TextEncoder().encode(recordsTopic(DEFAULTS.namespace)).length
    this.overlay = buildOverlay(config.nodes, config.targetPeers, config.meshDegree, this.rng)
    const chainLength = DEFAULTS.heartbeatChainLength
    for (let i = 0; i < config.nodes; i++) {
      const traced = i < config.traced
      const self = traced ? members[i]!.peerId : `sim-${i}`
      this.nodes.push({
        index: i,
        replica: new Replica({
          self,
          namespace: DEFAULTS.namespace,
          maxInstancesPerOwner: DEFAULTS.maxInstancesPerOwner,
          maxClockDrift: DEFAULTS.maxClockDrift,
          tombstoneTtl: DEFAULTS.tombstoneTtl,
          suspectAfter: config.suspectAfterMs,
          deadAfter: config.deadAfterMs,
          maxChainSteps: chainLength,
          selfPreservationThreshold: DEFAULTS.selfPreservationThreshold,
          selfPreservationLimit: DEFAULTS.selfPreservationLimit
        }),
        // Only traced members beat; the others need a queue for relaying (a 2-step chain they never use).
        beats: new BeatQueue(self, traced ? chainLength : 2),
        traced,
        alive: true,
        seen: new Set(),
        recent: [],
        heartbeats: 0,
        pulling: new Set()
      })
    }
  }

  /** Every node learns every traced member's member record (a converged start), and the timers start. */
  start (): void {
    const memberEntries = this.nodes.filter((n) => n.traced).map((n) => this.entryOf({
      kind: 'member', deleted: false, owner: this.members[n.index]!.peerId, id: MEMBER_RECORD_ID,
      namespace: DEFAULTS.namespace, stamp: n.replica.stamp(this.wall()), addrs: [], chain: n.beats.anchor, leaving: false
    }))
    for (const node of this.nodes) {
      for (const entry of memberEntries) {
        if (node.traced && entry.record.owner === this.members[node.index]!.peerId) node.replica.ingestLocal(entry)
        else node.replica.ingest(entry, this.wall())
      }
    }
    const { heartbeatMs, gossipHeartbeatMs, antiEntropyMs } = this.config
    const quarter = heartbeatMs / 4
    for (const node of this.nodes) {
      if (node.traced) this.every(this.rng.next() * heartbeatMs, heartbeatMs, node, () => { this.beat(node) })
      this.every(this.rng.next() * quarter, quarter, node, () => { this.tick(node); this.flush(node) })
      this.every(this.rng.next() * gossipHeartbeatMs, gossipHeartbeatMs, node, () => { this.gossipHeartbeat(node) })
      this.every(this.rng.next() * antiEntropyMs, antiEntropyMs, node, () => { this.antiEntropy(node) })
    }
  }

  /** Runs every event up to `untilMs` of simulated time. */
  runUntil (untilMs: number): void {
    while (this.queue.length > 0 && this.queue.peek()!.at <= untilMs) {
      const event = this.queue.pop()!
      this.now = event.at
      event.run()
    }
    this.now = untilMs
  }

  /** Schedules `run` at `at` (simulated ms). */
  at (at: number, run: () => void): void {
    this.queue.push({ at, seq: this.seq++, run })
  }

  /** A traced member registers an instance; returns its id. */
  register (owner: number, id: string): void {
    const node = this.nodes[owner]!
    this.publish(node, this.entryOf({
      kind: 'instance', deleted: false, owner: this.members[owner]!.peerId, id, namespace: DEFAULTS.namespace, stamp: node.replica.stamp(this.wall()),
      service: 'bench', version: '1.0.0', address: '10.0.0.1', port: 8080, tags: [], metadata: {}, weight: 1, status: 'passing'
    }))
  }

  /** A traced member deregisters an instance. */
  deregister (owner: number, id: string): void {
    const node = this.nodes[owner]!
    this.publish(node, this.entryOf({
      kind: 'instance', deleted: true, owner: this.members[owner]!.peerId, id, namespace: DEFAULTS.namespace, stamp: node.replica.stamp(this.wall()), service: 'bench'
    }))
  }

  /** The node stops without a word: its timers stop and its connections close. */
  kill (index: number): void {
    this.nodes[index]!.alive = false
  }

  private wall (): number {
    return EPOCH_MS + this.now
  }

  private every (firstAt: number, period: number, node: SimNode, run: () => void): void {
    const step = (): void => {
      if (!node.alive) return
      run()
      this.at(this.now + period, step)
    }
    this.at(this.now + firstAt, step)
  }

  /** An unsigned envelope of the signed size: the payload plus the measured signing overhead. */
  private entryOf (record: SignedRecord): TableEntry {
    const payload = encodePayload(record)
    const envelope = new Uint8Array(payload.length + this.config.envelopeOverhead)
    envelope.set(payload)
    return { record, envelope }
  }

  private latency (): number {
    return this.rng.logNormal(this.config.latency.medianMs, this.config.latency.sigma)
  }

  private count (channel: SimChannel, bytes: number): void {
    if (!this.counting) return
    this.sent[channel].messages++
    this.sent[channel].bytes += bytes + FRAMING_BYTES
  }

  /** Sends over a lossy gossip link; `deliver` runs at the receiver after the hop latency unless lost. */
  private send (channel: SimChannel, bytes: number, to: number, deliver: (node: SimNode) => void): void {
    this.count(channel, bytes)
    if (this.rng.chance(this.config.loss)) return
    const target = this.nodes[to]!
    this.at(this.now + this.latency(), () => { if (target.alive) deliver(target) })
  }

  private liveNeighbours (node: SimNode): number[] {
    return this.overlay.neighbours[node.index]!.filter((j) => this.nodes[j]!.alive)
  }

  private beat (node: SimNode): void {
    // A renewed chain would need a newly signed member record, which the model does not publish.
    if (node.beats.beat(this.ownMaxStamp(node))) throw new Error(`the simulation ran past ${DEFAULTS.heartbeatChainLength} heartbeats of one chain`)
  }

  private ownMaxStamp (node: SimNode): Hlc {
    return node.replica.table.maxStamp(this.members[node.index]!.peerId) ?? { wall: 0, logical: 0 }
  }

  private tick (node: SimNode): void {
    this.effects(node, node.replica.tick(this.wall()))
  }

  private flush (node: SimNode): void {
    if (node.beats.isEmpty) {
      // With only some members traced, a real node's queue is (almost) never empty: count the batches anyway.
      if (this.scale > 1) for (let i = 0; i < Math.min(this.config.beatFanout, this.liveNeighbours(node).length); i++) this.count('beats', 0)
      return
    }
    const batch = node.beats.drain()
    const bytes = Math.round(encodeBeats(batch).length * this.scale)
    this.largestBatchBytes = Math.max(this.largestBatchBytes, bytes)
    for (const to of this.rng.sample(this.liveNeighbours(node), this.config.beatFanout)) {
      this.send('beats', bytes, to, (target) => { this.receiveBeats(target, batch, node.index) })
    }
  }

  private receiveBeats (node: SimNode, batch: readonly BeatInput[], from: number): void {
    for (const beat of batch) {
      const result = node.replica.ingestBeat(beat, this.wall())
      if (result.outcome === 'fresh') node.beats.relay(beat)
      this.effects(node, result.effects, from)
    }
  }

  private publish (node: SimNode, entry: TableEntry): void {
    this.effects(node, node.replica.ingestLocal(entry).effects)
    const key = recordKey(entry)
    node.seen.add(key)
    node.recent.push({ key, entry, heartbeat: node.heartbeats })
    // Gossipsub's flood publishing: the origin sends to every topic peer, not just its mesh.
    for (const to of this.liveNeighbours(node)) this.sendRecord(entry, key, to, node.index)
  }

  private sendRecord (entry: TableEntry, key: string, to: number, from: number): void {
    this.send('gossip', entry.envelope.length + this.topicBytes + 8, to, (target) => { this.receiveRecord(target, entry, key, from) })
  }

  private receiveRecord (node: SimNode, entry: TableEntry, key: string, from: number): void {
    if (node.seen.has(key)) return
    node.seen.add(key)
    node.recent.push({ key, entry, heartbeat: node.heartbeats })
    this.effects(node, node.replica.ingest(entry, this.wall()).effects, from)
    for (const to of this.overlay.mesh[node.index]!) {
      if (to !== from && this.nodes[to]!.alive) this.sendRecord(entry, key, to, node.index)
    }
  }

  /** IHAVE to a few non-mesh peers for recent messages; a peer missing one answers IWANT and gets it. */
  private gossipHeartbeat (node: SimNode): void {
    node.heartbeats++
    node.recent = node.recent.filter((m) => node.heartbeats - m.heartbeat <= GOSSIP_HISTORY)
    if (node.recent.length === 0) return
    const mesh = this.overlay.mesh[node.index]!
    const lazy = this.liveNeighbours(node).filter((j) => !mesh.has(j))
    const offered = [...node.recent]
    for (const to of this.rng.sample(lazy, this.config.gossipLazy)) {
      this.send('gossip', this.topicBytes + offered.length * (MESSAGE_ID_BYTES + 2), to, (target) => {
        const wanted = offered.filter((m) => !target.seen.has(m.key))
        if (wanted.length === 0) return
        this.send('gossip', wanted.length * (MESSAGE_ID_BYTES + 2), node.index, () => {
          for (const m of wanted) this.sendRecord(m.entry, m.key, target.index, node.index)
        })
      })
    }
  }

  private antiEntropy (node: SimNode): void {
    const peers = this.liveNeighbours(node)
    if (peers.length > 0) this.sync(node, this.nodes[peers[this.rng.below(peers.length)]!]!)
  }

  /**
   * The push-pull exchange of src/sync/session.ts between two replicas, one hop per frame (the stream is
   * reliable). Digest and summary sizes of a full round grow with every owner, so they are scaled to N.
   */
  private sync (node: SimNode, peer: SimNode, owners?: readonly string[]): void {
    const scale = owners === undefined ? this.scale : 1
    const done = (): void => { if (owners !== undefined) for (const owner of owners) node.pulling.delete(owner) }
    const digest = openSync(node.replica.table, owners)
    this.count('sync', encodeSyncFrame(digest).length * scale)
    this.at(this.now + this.latency(), () => {
      if (!peer.alive) return done()
      const summary = answerDigest(peer.replica.table, digest)
      this.count('sync', encodeSyncFrame(summary).length * scale)
      this.at(this.now + this.latency(), () => {
        if (!node.alive) return
        const { give, want } = answerSummary(node.replica.table, summary)
        this.count('sync', encodeSyncFrame(want).length + encodeSyncFrame({ type: 'records', envelopes: give.map((e) => e.envelope) }).length)
        this.at(this.now + this.latency(), () => {
          if (!peer.alive) return done()
          for (const entry of give) this.effects(peer, peer.replica.ingest(entry, this.wall()).effects)
          const found = answerWant(peer.replica.table, want)
          this.count('sync', encodeSyncFrame({ type: 'records', envelopes: found.map((e) => e.envelope) }).length)
          this.at(this.now + this.latency(), () => {
            done()
            if (node.alive) for (const entry of found) this.effects(node, node.replica.ingest(entry, this.wall()).effects)
          })
        })
      })
    })
  }

  private effects (node: SimNode, effects: readonly ReplicaEffect[], from?: number): void {
    for (const effect of effects) {
      switch (effect.kind) {
        case 'change':
          this.observer.change?.(node.index, `${effect.change.type}:${effect.change.instance.id}`, this.now)
          break
        case 'member':
          this.observer.member?.(node.index, effect.change.member.peerId, effect.change.member.state, this.now)
          break
        case 'pull':
          // A beat showed newer records than we hold: fetch that owner's records from the node that relayed it.
          if (from !== undefined && !node.pulling.has(effect.owner)) {
            node.pulling.add(effect.owner)
            this.sync(node, this.nodes[from]!, [effect.owner])
          }
          break
        case 'supersede':
          break
      }
    }
  }
}

function recordKey (entry: TableEntry): string {
  const { owner, id, stamp } = entry.record
  return `${owner}/${id}/${stamp.wall}.${stamp.logical}`
}
