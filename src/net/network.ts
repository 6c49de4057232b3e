/**
 * The registry's network: the gossip topic for records, heartbeat links, the anti-entropy protocol and the
 * dialling that keeps this node connected. It moves bytes and reports what arrives; every decision about
 * what those bytes mean is the registry's (handlers below).
 */
import type { GossipSub } from '@chainsafe/libp2p-gossipsub'
import { TopicValidatorResult, type Logger, type Message, type PeerId } from '@libp2p/interface'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { background } from '../background.js'
import { pick } from '../random.js'
import { isCrowded, peersToShed } from './shedding.js'
import { Backoff } from './backoff.js'
import { GossipLinks } from './gossip-links.js'
import { OpenConnections, type TrackedConnection } from './open-connections.js'
import type { ResolvedConfig } from '../config.js'
import { BeatLinks, dialTarget, inboundBeatBounds, InboundBeats } from './beat-links.js'
import { BeatDatagrams, udpHost } from './beat-datagrams.js'
import type { RegistryLibp2p } from './node.js'
import { beatProtocol, recordsTopic, syncProtocol, SYNC_TIMEOUT_MS } from './protocols.js'
import { initiateSync, pushRecords, respondSync, SyncProtocolError } from './sync-protocol.js'
import type { ProbeAnswer, SyncOutcome, Transport, TransportHandlers } from '../engine/transport.js'
import type { MemberAddrs } from '../replica.js'
import { isGone, type MemberState } from '../record/types.js'

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

/** Most new dials per maintenance round (one heartbeat interval): bootstrap peers, members and lost members together. */
const MAX_DIALS_PER_ROUND = 4
/**
 * Dials of its own (maintenance, discovery) a node has under way at most: a round starts new ones only in the room
 * left. Without this bound a node below `targetPeers` started 4 a round whatever became of the last ones; at N = 100
 * on one box the handshakes slowed past the dial timeout, every node kept dialling at the full rate (about 300
 * dials a second in all, 1 in 50 succeeding), and the cluster never formed.
 */
const MAX_DIALS_IN_FLIGHT = 4

/**
 * Members whose last addresses are remembered, so that one declared dead (a partition outlasting
 * self-preservation drops its records, addresses included) can still be dialled again. Each is kept while the
 * membership lists it (a dead member for `tombstoneTtl`, like its death); beyond this many the one whose
 * addresses were learned first is forgotten. The detector itself remembers at most 10 000 gone members.
 */
const MAX_REMEMBERED_MEMBERS = 10_000

/** The connections among `connections` that are open (not closing). */
function * openOnly (connections: Iterable<TrackedConnection>): Generator<TrackedConnection> {
  for (const tracked of connections) if (tracked.connection.status === 'open') yield tracked
}

/** Gossip, heartbeat links, anti-entropy and dialling for one node: the engine's transport on libp2p. */
export class Network implements Transport {
  private readonly topic: string
  private readonly beatProtocol: string
  private readonly syncProtocol: string
  private readonly beatLinks: BeatLinks
  private readonly inboundBeats: InboundBeats
  private readonly beatDatagrams: BeatDatagrams
  private readonly syncs = new Set<string>()
  private readonly dialing = new Set<string>()
  /** Peers whose last dial failed: when they may be dialled again, and the back-off that got them there. */
  private readonly dialBackoff = new Backoff(MIN_DIAL_BACKOFF_MS, MAX_DIAL_BACKOFF_MS, MAX_BACKOFF_ENTRIES)
  /** The last addresses of each member, oldest learned first (see MAX_REMEMBERED_MEMBERS). */
  private readonly lastAddrs = new Map<string, readonly string[]>()
  /** The members `remember` learned from last, and the dead among them whose addresses it holds. */
  private remembered: { readonly members: readonly MemberAddrs[], readonly dead: readonly string[] } | undefined
  /** The peer at each bootstrap address, from its `/p2p/` part or learned by dialling it. */
  private readonly bootstrapPeers = new Map<string, string>()
  private readonly gossipLinks = new GossipLinks()
  private readonly connections = new OpenConnections()
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
    this.beatDatagrams = new BeatDatagrams((token, batch) => { this.inboundBeats.datagram(token, batch) }, log)
    this.beatLinks = new BeatLinks(node, this.beatProtocol, this.beatDatagrams, log)
    this.inboundBeats = new InboundBeats(
      inboundBeatBounds(config.heartbeatInterval),
      this.beatDatagrams,
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
    await this.beatDatagrams.start(this.config.listen, this.node.getMultiaddrs())
    await this.node.handle(this.beatProtocol, ({ stream, connection }) => {
      background(this.inboundBeats.read(stream, connection.remotePeer.toString(), udpHost(connection.remoteAddr)?.family), this.log, 'read a beat stream')
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
    // Connections opened before these listeners (bootstrap dials start with the node) are taken as found.
    for (const connection of this.node.getConnections()) this.connections.opened(connection)
    this.node.addEventListener('connection:close', (event) => { this.connections.closed(event.detail) })
    this.node.addEventListener('connection:open', (event) => {
      const connection = event.detail
      this.connections.opened(connection)
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
      if (this.connections.peerCount < this.config.targetPeers && this.dialing.size < MAX_DIALS_IN_FLIGHT) background(this.dialPeer(event.detail.id), this.log, 'dial a discovered peer')
    })
  }

  /** Stops protocol traffic; the caller stops the libp2p node afterwards. */
  async stop (): Promise<void> {
    this.stopping = true
    this.beatLinks.closeAll()
    this.beatDatagrams.stop()
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

  /** Dials a peer (an open connection counts) within `timeoutMs`: see `Transport.probe`. */
  async probe (peer: string, timeoutMs: number, addrs: readonly string[]): Promise<ProbeAnswer> {
    if (this.stopping) return 'silent'
    try {
      await this.node.dial(dialTarget(this.node, peer, addrs), { signal: AbortSignal.timeout(timeoutMs) })
      return 'open'
    } catch (err) {
      this.log.trace('probe of %s failed: %e', peer, err)
      return isRefused(err) ? 'refused' : 'silent'
    }
  }

  /** Peer ids of every open connection. */
  connectedPeers (): string[] {
    // Not libp2p's getPeers(): it turns each peer id into a string and back, base58 both ways, and this runs
    // every heartbeat (a seventh of an idle node's CPU at N = 50). See OpenConnections.
    return [...this.connections.peers()]
  }

  /** How many peers this node holds an open connection to. */
  get peerCount (): number {
    return this.connections.peerCount
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
   * Keeps this node connected, with at most MAX_DIALS_PER_ROUND new dials a round and each target backed off
   * after a failed dial. It dials, in this order: the bootstrap peers neither connected nor alive here (so a
   * bootstrap peer that is gone for good costs one failed dial per MAX_DIAL_BACKOFF_MS); members it is not
   * connected to while below `targetPeers`; and its lost members at their last known addresses, so that a
   * partition that outlasted self-preservation heals without mDNS. Also reconnects open connections that carry no
   * gossip (GossipLinks), closes inbound beat streams that stopped making progress, counts connections that never
   * finished their handshake, and hangs up on a few peers when it holds far more than `targetPeers` (shedding.ts).
   */
  maintain (members: readonly MemberAddrs[], random: () => number): void {
    if (this.stopping) return
    const nowMs = performance.now()
    this.inboundBeats.sweep(nowMs)
    this.node.services.pendingInbound.sweep()
    this.reviveGossip()
    const connected = this.connections
    const dead = this.remember(members)
    this.hangUpOnDead(dead, connected)
    const lost = dead.filter((peer) => !connected.has(peer))
    const ready = (key: string): boolean => !this.dialing.has(key) && this.dialBackoff.ready(key, nowMs)
    const targets: Array<{ key: string, addrs: readonly string[] }> = []
    // Built at the first bootstrap peer not connected: a formed node's rounds, or those of a node on mDNS, need none.
    let states: Map<string, MemberState> | undefined
    for (const addr of this.config.bootstrap) {
      const peer = this.bootstrapPeer(addr)
      if (peer !== undefined && (peer === this.peerId || connected.has(peer))) continue
      states ??= new Map(members.map((m) => [m.peerId, m.state]))
      const state = peer === undefined ? undefined : states.get(peer)
      // A bootstrap peer alive here is reached through the cluster, unless this node is alone. One that is not is
      // dialled even when this node has connections: nodes that found each other before they reached a bootstrap
      // peer (started together while it was down or slow) are otherwise an island for good; at N = 100 on one box,
      // two new nodes that dialled each other first stayed a cluster of two.
      const reached = connected.peerCount > 0 && state !== undefined && !isGone(state)
      if (!reached && ready(addr)) targets.push({ key: addr, addrs: [addr] })
    }
    const missing = this.config.targetPeers - connected.peerCount
    if (missing > 0) {
      const candidates = members.filter((m) => m.peerId !== this.peerId && !isGone(m.state) && !connected.has(m.peerId) && m.addrs.length > 0 && ready(m.peerId))
      targets.push(...pick(candidates, missing, random).map((m) => ({ key: m.peerId, addrs: m.addrs })))
    }
    targets.push(...pick(lost.filter(ready), MAX_DIALS_PER_ROUND, random).map((peer) => ({ key: peer, addrs: this.lastAddrs.get(peer)! })))
    // A few new dials per round: a node that just lost its neighbours does not storm the cluster.
    const room = Math.min(MAX_DIALS_PER_ROUND, MAX_DIALS_IN_FLIGHT - this.dialing.size)
    for (const { key, addrs } of targets.slice(0, Math.max(0, room))) background(this.dialAddrs(key, addrs), this.log, 'dial a member')
    this.shed(random)
  }

  /** Hangs up on a few peers when this node holds far more than `targetPeers` (see shedding.ts). */
  private shed (random: () => number): void {
    const connected = this.connections
    // The common case, every round: nothing to shed, and nothing built to find out.
    if (!isCrowded(connected.peerCount, this.config.targetPeers)) return
    const candidates = [...connected.all()].map(({ peer, connection }) => ({ peer, openedAtMs: connection.timeline.open, inbound: connection.direction === 'inbound' }))
    const pubsub = this.node.services.pubsub as unknown as GossipSub
    const kept = new Set([...this.beatLinks.peers(), ...this.inboundBeats.senders(), ...pubsub.getMeshPeers(this.topic)])
    for (const peer of peersToShed({ connections: candidates, kept, targetPeers: this.config.targetPeers, nowMs: Date.now(), random })) {
      this.log('%d peers connected, more than targetPeers allows: hanging up on %s', connected.peerCount, peer)
      background(this.disconnect(peer), this.log, 'shed a connection')
    }
  }

  /**
   * Closes the connections of members declared dead here. Beats travel as
   * datagrams and idle connections carry nothing, so across a partition a connection stays "established" for as
   * long as the kernel keeps it; the member's death is the verdict that it is gone. Once closed, the member is
   * among the lost ones from the next round on, dialled again with back-off, which is how a healed partition
   * finds itself. A connection
   * younger than `deadAfter` is left alone: a member that came back gets that long to prove itself alive.
   */
  private hangUpOnDead (dead: readonly string[], connected: OpenConnections): void {
    const openedBefore = Date.now() - this.config.deadAfter
    for (const peer of dead) {
      if (!connected.has(peer)) continue
      const connections = this.node.getConnections(peerIdFromString(peer))
      if (connections.some((connection) => connection.timeline.open > openedBefore)) continue
      this.log('member %s is dead here: closing its %d connection(s)', peer, connections.length)
      background(this.disconnect(peer), this.log, 'hang up on a dead member')
    }
  }

  /**
   * Learns members' addresses as they come and go; returns the dead members whose addresses it remembers. The same
   * array as last round (the replica shares it until something changed) has nothing new to learn.
   */
  private remember (members: readonly MemberAddrs[]): readonly string[] {
    if (members === this.remembered?.members) return this.remembered.dead
    const dead = this.learnAddrs(members)
    this.remembered = { members, dead }
    return dead
  }

  private learnAddrs (members: readonly MemberAddrs[]): string[] {
    const listed = new Set<string>()
    const dead: string[] = []
    for (const { peerId, state, addrs } of members) {
      if (peerId === this.peerId) continue
      // A member that left said so: it is not dialled again.
      if (state === 'left') {
        this.lastAddrs.delete(peerId)
        continue
      }
      listed.add(peerId)
      if (addrs.length > 0 && this.lastAddrs.get(peerId) !== addrs) {
        this.lastAddrs.delete(peerId)
        this.lastAddrs.set(peerId, addrs)
        if (this.lastAddrs.size > MAX_REMEMBERED_MEMBERS) this.lastAddrs.delete(this.lastAddrs.keys().next().value!)
      }
      if (state === 'dead' && this.lastAddrs.has(peerId)) dead.push(peerId)
    }
    for (const peer of this.lastAddrs.keys()) if (!listed.has(peer)) this.lastAddrs.delete(peer)
    return dead
  }

  /** The peer at a bootstrap address, if it names one or a dial has answered there. */
  private bootstrapPeer (addr: string): string | undefined {
    const known = this.bootstrapPeers.get(addr)
    if (known !== undefined) return known
    try {
      const named = multiaddr(addr).getPeerId() ?? undefined
      if (named !== undefined) this.bootstrapPeers.set(addr, named)
      return named
    } catch {
      return undefined
    }
  }

  /** Closes and dials again the connections that lost their gossip streams or never got them (GossipLinks). */
  private reviveGossip (): void {
    const pubsub = this.node.services.pubsub as unknown as GossipSub
    const open = openOnly(this.connections.all())
    const hasGossip = (peer: string): boolean => pubsub.streamsInbound.has(peer) && pubsub.streamsOutbound.has(peer)
    for (const peer of this.gossipLinks.check(open, hasGossip, performance.now())) {
      background(this.reconnect(peer), this.log, 'reconnect a peer without gossip streams')
    }
  }

  private async reconnect (peer: string): Promise<void> {
    this.log('no gossip streams with %s on an open connection: reconnecting', peer)
    await this.disconnect(peer)
    await this.dial(peer, peerIdFromString(peer))
  }

  private async dialAddrs (key: string, addrs: readonly string[]): Promise<string | undefined> {
    let targets: Multiaddr[]
    try {
      targets = addrs.map((addr) => multiaddr(addr))
    } catch (err) {
      this.log('bad address for %s: %e', key, err)
      return undefined
    }
    const peer = await this.dial(key, targets)
    if (peer !== undefined && this.config.bootstrap.includes(key)) this.bootstrapPeers.set(key, peer)
    return peer
  }

  private async dialPeer (peer: PeerId): Promise<void> {
    await this.dial(peer.toString(), peer)
  }

  /** For diagnostics: open connections, and the targets this node is backing off from, with their last error. */
  dialState (): { connections: number, failing: Array<{ target: string, error: string }> } {
    return {
      connections: this.connections.size,
      failing: this.dialBackoff.failing()
    }
  }

  /**
   * One dial at a time per target, bounded in time. A failed dial backs that peer off (doubling up to
   * MAX_DIAL_BACKOFF_MS), so a lost member is retried soon but not hammered; a success forgets the back-off.
   */
  private async dial (key: string, target: PeerId | Multiaddr[]): Promise<string | undefined> {
    if (this.dialing.has(key)) return undefined
    this.dialing.add(key)
    try {
      const connection = await this.node.dial(target, { signal: AbortSignal.timeout(DIAL_TIMEOUT_MS) })
      this.dialBackoff.succeeded(key)
      return connection.remotePeer.toString()
    } catch (err) {
      this.log.trace('dial %s failed: %e', key, err)
      this.dialBackoff.failed(key, err)
      return undefined
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

/**
 * True if a dial failed because the host answered that nothing listens (ECONNREFUSED), on any address tried:
 * libp2p throws the transport's error for one address, an AggregateError for several, sometimes as a cause.
 */
export function isRefused (err: unknown, depth = 0): boolean {
  if (depth > 4 || typeof err !== 'object' || err === null) return false
  const { code, message, errors, cause } = err as { code?: unknown, message?: unknown, errors?: unknown, cause?: unknown }
  if (code === 'ECONNREFUSED' || (typeof message === 'string' && message.includes('ECONNREFUSED'))) return true
  if (Array.isArray(errors) && errors.some((inner) => isRefused(inner, depth + 1))) return true
  return isRefused(cause, depth + 1)
}
