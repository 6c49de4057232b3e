/**
 * The engine's `Transport` in memory: what the simulator models instead of running. Links have log-normal
 * latency and independent loss (gossip and beats; anti-entropy streams are reliable, as TCP is); gossipsub is
 * modelled as publishing from the origin (to its mesh, or to every neighbour with flood publishing), forwarding
 * of accepted messages over a mesh of degree D, and IHAVE/IWANT to D_lazy other neighbours per gossipsub
 * heartbeat. Everything above the wire is the node's own
 * engine. Anti-entropy runs the sync session functions between the two engines' tables, one hop per frame.
 */
import type { ProbeAnswer, SyncOutcome, Transport, TransportHandlers } from '../../src/engine/transport.js'
import { encodeSyncFrame, type SyncMessage } from '../../src/net/frames.js'
import { answerDigest, answerSummary, answerWant, openFullSync, openSync } from '../../src/sync/session.js'
import type { TableEntry } from '../../src/table/entry.js'

/** Gossipsub message ids are SHA-256 of the data under StrictNoSign. */
export const MESSAGE_ID_BYTES = 32
/** Gossipsub keeps message ids for this many of its heartbeats to advertise in IHAVE. */
const GOSSIP_HISTORY = 3

export type SimChannel = 'beats' | 'gossip' | 'sync'

/** What a node's transport needs from the simulated world. */
export interface SimNetwork {
  /** Peer ids of the live neighbours of node `index`. */
  neighbours: (index: number) => string[]
  /** Live mesh neighbours of node `index`. */
  mesh: (index: number) => ReadonlySet<string>
  /** The transport of a live node, or undefined if it is dead. */
  transport: (peer: string) => SimTransport | undefined
  /** Counts `times` messages of `bytes` each (more than one when a traced member stands for many). */
  count: (channel: SimChannel, bytes: number, times?: number) => void
  /**
   * Delivers `run` after one hop's latency; lossy links may drop it. `resumes` says that `run` resumes awaiting
   * code, which the world must then let settle before the next event.
   */
  hop: (lossy: boolean, run: () => void, resumes?: boolean) => void
  /** Tracks an engine handler's promise so the world lets it settle before moving time on. */
  track: (work: Promise<unknown>) => void
  /** Bytes of the topic name in every gossipsub message. */
  readonly topicBytes: number
  /** Members each traced member stands for: N / traced. A full anti-entropy digest lists every member. */
  readonly scale: number
  /** Uniform in [0, 1). */
  random: () => number
  sample: <T>(items: readonly T[], count: number) => T[]
  readonly gossipLazy: number
  /** The origin sends to every neighbour, not only its mesh (gossipsub's flood publishing). */
  readonly floodPublish: boolean
}

interface Recent {
  readonly envelope: Uint8Array
  readonly heartbeat: number
}

/** One node's end of the simulated network. */
export class SimTransport implements Transport {
  handlers: TransportHandlers | undefined
  /** Gossipsub's seen cache and the recent messages it advertises in IHAVE. */
  private readonly seen = new WeakSet<Uint8Array>()
  private recent: Recent[] = []
  private heartbeats = 0
  private readonly syncing = new Set<string>()

  constructor (readonly index: number, readonly peerId: string, private readonly net: SimNetwork) {}

  connectedPeers (): string[] {
    return this.net.neighbours(this.index)
  }

  multiaddrs (): string[] {
    return []
  }

  async publish (envelope: Uint8Array): Promise<number> {
    this.remember(envelope)
    const peers = this.net.floodPublish ? this.connectedPeers() : [...this.net.mesh(this.index)]
    for (const peer of peers) this.sendRecord(envelope, peer)
    return envelope.length * peers.length
  }

  async sendBeats (peer: string, batch: Uint8Array, _addrs: readonly string[]): Promise<boolean> {
    // Only traced members beat: each beat stands for `scale` members' beats.
    this.net.count('beats', batch.length, this.net.scale)
    this.net.hop(true, () => { this.net.transport(peer)?.handlers?.beats(batch, this.peerId) })
    return true
  }

  async sync (peer: string, owners?: Iterable<string>): Promise<SyncOutcome | undefined> {
    const remote = this.net.transport(peer)
    if (remote === undefined || this.syncing.has(peer)) return undefined
    this.syncing.add(peer)
    try {
      return await this.exchange(remote, owners === undefined ? undefined : [...owners])
    } finally {
      this.syncing.delete(peer)
    }
  }

  async push (envelopes: readonly Uint8Array[], _timeoutMs: number, peers: readonly string[] = this.connectedPeers()): Promise<void> {
    for (const peer of peers) {
      this.frame('sync', { type: 'records', envelopes: [...envelopes] }, 1)
      this.net.hop(false, () => {
        const remote = this.net.transport(peer)
        for (const envelope of envelopes) if (remote?.handlers !== undefined) this.net.track(remote.handlers.ingest(envelope, this.peerId))
      })
    }
  }

  async disconnect (): Promise<void> {}

  /** A dial: a live peer answers after a round trip; a crashed one refuses after one hop (its port is closed). */
  async probe (peer: string, _timeoutMs: number, _addrs: readonly string[]): Promise<ProbeAnswer> {
    return new Promise((resolve) => {
      this.net.hop(false, () => {
        if (this.net.transport(peer) === undefined) resolve('refused')
        else this.net.hop(false, () => { resolve('open') }, true)
      }, true)
    })
  }

  /** Gossipsub heartbeat: IHAVE to a few non-mesh peers for recent messages; a peer missing one asks IWANT. */
  gossipHeartbeat (): void {
    this.heartbeats++
    this.recent = this.recent.filter((m) => this.heartbeats - m.heartbeat <= GOSSIP_HISTORY)
    if (this.recent.length === 0) return
    const mesh = this.net.mesh(this.index)
    const lazy = this.connectedPeers().filter((peer) => !mesh.has(peer))
    const offered = [...this.recent]
    for (const peer of this.net.sample(lazy, this.net.gossipLazy)) {
      this.net.count('gossip', this.net.topicBytes + offered.length * (MESSAGE_ID_BYTES + 2))
      this.net.hop(true, () => {
        const target = this.net.transport(peer)
        if (target === undefined) return
        const wanted = offered.filter((m) => !target.seen.has(m.envelope))
        if (wanted.length === 0) return
        this.net.count('gossip', wanted.length * (MESSAGE_ID_BYTES + 2))
        this.net.hop(true, () => { for (const m of wanted) this.sendRecord(m.envelope, peer) })
      })
    }
  }

  private remember (envelope: Uint8Array): void {
    this.seen.add(envelope)
    this.recent.push({ envelope, heartbeat: this.heartbeats })
  }

  private sendRecord (envelope: Uint8Array, peer: string): void {
    this.net.count('gossip', envelope.length + this.net.topicBytes + 8)
    this.net.hop(true, () => { this.net.transport(peer)?.receiveRecord(envelope, this.peerId) })
  }

  /** Gossipsub at the receiver: drop what was seen, validate (the engine decides), forward what it accepts. */
  private receiveRecord (envelope: Uint8Array, from: string): void {
    if (this.seen.has(envelope) || this.handlers === undefined) return
    this.remember(envelope)
    this.net.track(this.handlers.gossip(envelope, from).then((verdict) => {
      if (verdict !== 'accept') return
      for (const peer of this.net.mesh(this.index)) if (peer !== from) this.sendRecord(envelope, peer)
    }))
  }

  /**
   * The push-pull exchange of src/sync/session.ts, one hop per frame. A per-owner digest and the summaries
   * list every member that differs, so their sizes are scaled from the traced members to all N; a root is not.
   */
  private async exchange (remote: SimTransport, owners: readonly string[] | undefined): Promise<SyncOutcome | undefined> {
    const local = this.handlers
    const theirs = remote.handlers
    if (local === undefined || theirs === undefined) return undefined
    const scale = owners === undefined ? this.net.scale : 1
    const outcome = { sent: 0, received: 0, bytesOut: 0, framesOut: 0 }
    let digest = openSync(local.table, owners)
    outcome.bytesOut += this.frame('sync', digest, 1)
    if (!await this.arrives(remote)) return undefined
    let summary = answerDigest(theirs.table, digest)
    this.frame('sync', summary, scale)
    if (!await this.arrives(this)) return undefined
    if (summary.needDigest === true) {
      digest = openFullSync(local.table)
      outcome.bytesOut += this.frame('sync', digest, scale)
      outcome.framesOut++
      if (!await this.arrives(remote)) return undefined
      summary = answerDigest(theirs.table, digest)
      this.frame('sync', summary, scale)
      if (!await this.arrives(this)) return undefined
    }
    const { give, want } = answerSummary(local.table, summary, { deathMark: local.deathMark, disputed: local.disputed })
    outcome.bytesOut += this.frame('sync', want, 1) + this.frame('sync', records(give), 1)
    outcome.framesOut += 3
    outcome.sent = give.length
    if (!await this.arrives(remote)) return undefined
    await Promise.all(give.map(async (entry) => theirs.ingest(entry.envelope, this.peerId)))
    const found = answerWant(theirs.table, want)
    this.frame('sync', records(found), 1)
    if (!await this.arrives(this)) return undefined
    await Promise.all(found.map(async (entry) => local.ingest(entry.envelope, remote.peerId)))
    outcome.received = found.length
    return outcome
  }

  /** Resolves after one reliable hop: true if `to` is still alive then. */
  private async arrives (to: SimTransport): Promise<boolean> {
    return new Promise((resolve) => { this.net.hop(false, () => { resolve(this.net.transport(to.peerId) !== undefined) }, true) })
  }

  /**
   * Counts a frame whose per-owner lists stand for `scale` times as many owners. Only the lists grow with N: the
   * rest of the frame (its type and flags; all of an empty summary, which is what agreeing roots answer) is sent once.
   */
  private frame (channel: SimChannel, message: SyncMessage, scale: number): number {
    const size = encodeSyncFrame(message).length
    const fixed = scale === 1 || !('owners' in message) ? size : encodeSyncFrame({ ...message, owners: [] }).length
    const bytes = fixed + (size - fixed) * scale
    this.net.count(channel, bytes)
    return bytes
  }
}

function records (entries: readonly TableEntry[]): SyncMessage {
  return { type: 'records', envelopes: entries.map((e) => e.envelope) }
}
