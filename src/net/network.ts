/**
 * The registry's network: the gossip topic for records, heartbeat links, the anti-entropy protocol and the
 * dialling that keeps this node connected. It moves bytes and reports what arrives; every decision about
 * what those bytes mean is the registry's (handlers below).
 */
import type { GossipSub } from '@chainsafe/libp2p-gossipsub'
import { TopicValidatorResult, type Logger, type Message, type PeerId } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import type { ResolvedConfig } from '../config.js'
import { BeatLinks, dialTarget, inboundBeatBounds, InboundBeats } from './beat-links.js'
import type { RegistryLibp2p } from './node.js'
import { beatProtocol, recordsTopic, syncProtocol, SYNC_TIMEOUT_MS } from './protocols.js'
import { initiateSync, pushRecords, respondSync, SyncProtocolError } from './sync-protocol.js'
import type { SyncOutcome, Transport, TransportHandlers } from '../engine/transport.js'

/** A dial that has not connected by then is abandoned. */
const DIAL_TIMEOUT_MS = 5_000

/**
 * Dial back-offs run on the monotonic clock (`performance.now()`): a wall-clock step must not retry a peer at
 * once or never.
 *
 * Back-off of a peer after its first failed dial, doubling with each further failure up to the maximum. */
const MIN_DIAL_BACKOFF_MS = 1_000
const MAX_DIAL_BACKOFF_MS = 30_000
/** Peers remembered with a back-off; the oldest is forgotten beyond it. */
const MAX_BACKOFF_ENTRIES = 10_000

/** Most members dialled per maintenance round (one heartbeat interval). */
const MAX_DIALS_PER_ROUND = 4

/** Longest back-off between two attempts to reach the bootstrap peers while isolated. */
const MAX_BOOTSTRAP_BACKOFF_MS = 30_000

/** Gossip, heartbeat links, anti-entropy and dialling for one node: the engine's transport on libp2p. */
export class Network implements Transport {
  private readonly topic: string
  private readonly beatProtocol: string
  private readonly syncProtocol: string
  private readonly beatLinks: BeatLinks
  private readonly inboundBeats: InboundBeats
  private readonly syncs = new Set<string>()
  private readonly dialing = new Set<string>()
  /** Peers whose last dial failed: when they may be dialled again, and the back-off that got them there. */
  private readonly dialBackoff = new Map<string, { retryAtMs: number, backoffMs: number }>()
  private bootstrapBackoffMs = 1_000
  private nextBootstrapMs = 0
  private stopping = false

  constructor (
    readonly node: RegistryLibp2p,
    private readonly config: ResolvedConfig,
    private readonly handlers: TransportHandlers,
    private readonly log: Logger
  ) {
    this.topic = recordsTopic(config.namespace)
    this.beatProtocol = beatProtocol(config.namespace)
    this.syncProtocol = syncProtocol(config.namespace)
    this.beatLinks = new BeatLinks(node, this.beatProtocol, log)
    this.inboundBeats = new InboundBeats(
      inboundBeatBounds(config.heartbeatInterval),
      (batch, from) => { this.handlers.beats(batch, from) },
      (from, detail) => { this.handlers.dropped(from, 'stalled', detail) },
      log
    )
  }

  /** This node's peer id. */
  get peerId (): string {
    return this.node.peerId.toString()
  }

  /** Addresses peers can dial, each ending in /p2p/<peer id>. */
  multiaddrs (): string[] {
    return this.node.getMultiaddrs().map((ma) => ma.toString())
  }

  /** Registers protocol handlers, the topic validator and connection listeners. */
  async start (): Promise<void> {
    const pubsub = this.node.services.pubsub
    pubsub.topicValidators.set(this.topic, async (peer: PeerId, message: Message) => this.validate(peer, message))
    pubsub.subscribe(this.topic)
    this.node.services.pendingInbound.onDropped = (reason, detail) => { this.handlers.dropped(undefined, reason, detail) }
    await this.node.handle(this.beatProtocol, ({ stream, connection }) => {
      void this.inboundBeats.read(stream, connection.remotePeer.toString())
    }, { maxInboundStreams: 4 })
    await this.node.handle(this.syncProtocol, ({ stream, connection }) => {
      const from = connection.remotePeer.toString()
      if (!this.handlers.admitSync(from)) {
        stream.abort(new Error('anti-entropy rate exceeded'))
        return
      }
      const signal = AbortSignal.timeout(SYNC_TIMEOUT_MS)
      respondSync(stream, this.handlers, from, signal).then(
        (stats) => {
          this.log('sync with %s answered: sent %d, received %d', from, stats.sent, stats.received)
          this.handlers.answered(stats)
        },
        (err: Error) => {
          this.syncFailed(from, err, signal)
          stream.abort(err)
        }
      )
    }, { maxInboundStreams: 4 })
    this.node.addEventListener('connection:open', (event) => {
      const connection = event.detail
      // Only the dialler starts anti-entropy, so one connection costs one exchange, not two.
      if (connection.direction === 'outbound') this.handlers.connected(connection.remotePeer.toString())
    })
    this.node.addEventListener('peer:disconnect', (event) => {
      const peer = event.detail.toString()
      this.beatLinks.close(peer)
      if (!this.stopping) this.handlers.disconnected(peer)
    })
    this.node.addEventListener('peer:discovery', (event) => {
      // mDNS (or bootstrap) found a peer: connect if we want more neighbours.
      if (this.connectedPeers().length < this.config.targetPeers) void this.dialPeer(event.detail.id)
    })
  }

  /** Stops protocol traffic; the caller stops the libp2p node afterwards. */
  async stop (): Promise<void> {
    this.stopping = true
    this.beatLinks.closeAll()
    this.node.services.pubsub.topicValidators.delete(this.topic)
  }

  /** Closes every connection to a peer (a banned one: the connection gater refuses it from now on). */
  async disconnect (peer: string): Promise<void> {
    try {
      await this.node.hangUp(peerIdFromString(peer))
    } catch (err) {
      this.log('could not hang up on %s: %e', peer, err)
    }
  }

  /** Dials a peer (an open connection counts) within `timeoutMs`: true if it answered. */
  async probe (peer: string, timeoutMs: number, addrs: readonly string[]): Promise<boolean> {
    if (this.stopping) return false
    try {
      await this.node.dial(dialTarget(this.node, peer, addrs), { signal: AbortSignal.timeout(timeoutMs) })
      return true
    } catch (err) {
      this.log.trace('probe of %s failed: %e', peer, err)
      return false
    }
  }

  /** Peer ids of every open connection. */
  connectedPeers (): string[] {
    return this.node.getPeers().map((peer) => peer.toString())
  }

  /** The gossipsub score this node gives a peer (negative after invalid messages). */
  peerScore (peer: string): number {
    return (this.node.services.pubsub as unknown as GossipSub).getScore(peer)
  }

  /** Gossips a signed envelope to the cluster; resolves with the payload bytes handed to neighbours. */
  async publish (envelope: Uint8Array): Promise<number> {
    try {
      const { recipients } = await this.node.services.pubsub.publish(this.topic, envelope)
      return envelope.length * recipients.length
    } catch (err) {
      // No peer yet is normal at start; anti-entropy delivers the record once one connects.
      this.log.trace('publish failed: %e', err)
      return 0
    }
  }

  /** Sends a beat to an observer over its beat link, dialling `addrs` when not connected. */
  async sendBeats (peer: string, batch: Uint8Array, addrs: readonly string[]): Promise<boolean> {
    return this.beatLinks.send(peer, batch, addrs)
  }

  /** Runs one anti-entropy exchange with a peer (one at a time per peer). Never throws. */
  async sync (peer: string, owners?: Iterable<string>): Promise<SyncOutcome | undefined> {
    if (this.stopping || this.syncs.has(peer)) return undefined
    this.syncs.add(peer)
    const signal = AbortSignal.timeout(SYNC_TIMEOUT_MS)
    try {
      const stream = await this.node.dialProtocol(peerIdFromString(peer), this.syncProtocol, { signal })
      try {
        const stats = await initiateSync(stream, this.handlers, peer, signal, owners)
        this.log('sync with %s: sent %d, received %d', peer, stats.sent, stats.received)
        return stats
      } catch (err) {
        stream.abort(err as Error)
        throw err
      }
    } catch (err) {
      this.syncFailed(peer, err, signal)
      return undefined
    } finally {
      this.syncs.delete(peer)
    }
  }

  /** An exchange that failed: a broken protocol is the peer's doing (a strike); one that ran out of time is counted. */
  private syncFailed (peer: string, err: unknown, signal: AbortSignal): void {
    this.log('sync with %s failed: %e', peer, err)
    if (err instanceof SyncProtocolError) this.handlers.misbehaved(peer, { reason: err.reason, detail: err.message })
    else if (signal.aborted) this.handlers.dropped(peer, 'stalled', `anti-entropy exchange unfinished after ${SYNC_TIMEOUT_MS} ms`)
  }

  /** Pushes envelopes to `peers` (default: every connected peer) directly, in parallel, within `timeoutMs`. */
  async push (envelopes: readonly Uint8Array[], timeoutMs: number, peers: readonly string[] = this.connectedPeers()): Promise<void> {
    const signal = AbortSignal.timeout(timeoutMs)
    await Promise.allSettled(peers.map(async (peer) => {
      const stream = await this.node.dialProtocol(peerIdFromString(peer), this.syncProtocol, { signal })
      await pushRecords(stream, envelopes, signal).catch((err: Error) => { stream.abort(err) })
    }))
  }

  /**
   * Keeps this node connected: below `targetPeers`, dials a few known members it is not connected to; with no
   * connection at all, dials the bootstrap peers with exponential back-off. Also closes inbound beat streams that
   * stopped making progress and counts connections that never finished their handshake.
   */
  maintain (members: ReadonlyArray<{ peerId: string, addrs: readonly string[] }>, random: () => number): void {
    if (this.stopping) return
    const nowMs = performance.now()
    this.inboundBeats.sweep(nowMs)
    this.node.services.pendingInbound.sweep()
    const connected = new Set(this.connectedPeers())
    if (connected.size === 0 && this.config.bootstrap.length > 0 && nowMs >= this.nextBootstrapMs) {
      this.nextBootstrapMs = nowMs + this.bootstrapBackoffMs
      this.bootstrapBackoffMs = Math.min(this.bootstrapBackoffMs * 2, MAX_BOOTSTRAP_BACKOFF_MS)
      for (const addr of this.config.bootstrap) void this.dialAddrs(addr, [addr])
    } else if (connected.size > 0) {
      this.bootstrapBackoffMs = 1_000
    }
    const missing = this.config.targetPeers - connected.size
    if (missing <= 0) return
    const candidates = members.filter((m) => m.peerId !== this.peerId && !connected.has(m.peerId) && m.addrs.length > 0 &&
      nowMs >= (this.dialBackoff.get(m.peerId)?.retryAtMs ?? 0))
    // A few new dials per round: a node that just lost its neighbours does not storm the cluster.
    for (let i = 0; i < Math.min(missing, MAX_DIALS_PER_ROUND) && candidates.length > 0; i++) {
      const [pick] = candidates.splice(Math.floor(random() * candidates.length), 1)
      if (pick !== undefined) void this.dialAddrs(pick.peerId, pick.addrs)
    }
  }

  private async dialAddrs (key: string, addrs: readonly string[]): Promise<void> {
    let targets: Multiaddr[]
    try {
      targets = addrs.map((addr) => multiaddr(addr))
    } catch (err) {
      this.log('bad address for %s: %e', key, err)
      return
    }
    await this.dial(key, targets)
  }

  private async dialPeer (peer: PeerId): Promise<void> {
    await this.dial(peer.toString(), peer)
  }

  /**
   * One dial at a time per target, bounded in time. A failed dial backs that peer off (doubling up to
   * MAX_DIAL_BACKOFF_MS), so a lost member is retried soon but not hammered; a success forgets the back-off.
   */
  private async dial (key: string, target: PeerId | Multiaddr[]): Promise<void> {
    if (this.dialing.has(key)) return
    this.dialing.add(key)
    try {
      await this.node.dial(target, { signal: AbortSignal.timeout(DIAL_TIMEOUT_MS) })
      this.dialBackoff.delete(key)
    } catch (err) {
      this.log.trace('dial %s failed: %e', key, err)
      const backoffMs = Math.min((this.dialBackoff.get(key)?.backoffMs ?? MIN_DIAL_BACKOFF_MS / 2) * 2, MAX_DIAL_BACKOFF_MS)
      this.dialBackoff.set(key, { retryAtMs: performance.now() + backoffMs, backoffMs })
      if (this.dialBackoff.size > MAX_BACKOFF_ENTRIES) this.dialBackoff.delete(this.dialBackoff.keys().next().value!)
    } finally {
      this.dialing.delete(key)
    }
  }

  private async validate (peer: PeerId, message: Message): Promise<TopicValidatorResult> {
    if (this.stopping) return TopicValidatorResult.Ignore
    // A validator that throws counts as Ignore in gossipsub; say Reject explicitly so bad input costs score.
    try {
      const verdict = await this.handlers.gossip(message.data, peer.toString())
      return verdict === 'accept' ? TopicValidatorResult.Accept : verdict === 'reject' ? TopicValidatorResult.Reject : TopicValidatorResult.Ignore
    } catch (err) {
      this.log.error('validator failed on a message from %p: %e', peer, err)
      return TopicValidatorResult.Ignore
    }
  }
}
