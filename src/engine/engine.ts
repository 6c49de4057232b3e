/**
 * A node's policy, shared unchanged by the libp2p node and the simulator: what it admits from the network and
 * what that costs the sender, how it keeps liveness (own beats, relays, pulls), when it runs anti-entropy, and
 * its own signed writes. It reaches the network only through `Transport`, reads time and randomness from what it
 * is given, and reports what happened through `EngineEvents`. It owns no timer: a driver calls its tasks.
 */
import type { Logger } from '@libp2p/interface'
import { background } from '../background.js'
import { elapsedMs, type ResolvedConfig } from '../config.js'
import type { Change, MemberChange, Rejected } from '../events.js'
import { ZERO_HLC, type Hlc } from '../clock/hlc.js'
import { decodeOwnBeat, encodeOwnBeat } from '../net/frames.js'
import type { PeerGuard } from '../guard/peer-guard.js'
import { isGone } from '../record/types.js'
import type { Rejection, RejectReason } from '../reject-reason.js'
import { claimsSigner } from '../record/sign.js'
import { Replica, type ReplicaEffect } from '../replica.js'
import type { RegistryStats } from '../stats.js'
import type { Envelopes } from './envelopes.js'
import type { OwnBeats } from './own-beats.js'
import { OwnWrites } from './own-writes.js'
import type { Transport, TransportHandlers, Verdict } from './transport.js'

/**
 * Whether a rejection of a record the sender signed itself is its fault. A member may send its own record while
 * dead here, or over a cap here, without knowing either; anything else it signed is its own doing.
 */
function ownerAtFault (reason: RejectReason): boolean {
  return reason !== 'dead-member' && reason !== 'too-many-instances' && reason !== 'owner-budget'
}

/** How long a graceful stop waits for its leave notice to reach the neighbours. */
const LEAVE_TIMEOUT_MS = 1_000

/**
 * How long an observer's dial to a subject whose connection just closed may take. A crashed host refuses at
 * once (its port is closed); a live one answers in milliseconds on a LAN. Longer than that, the subject is not
 * declared unreachable by the hint, and silence decides after suspectAfter as usual.
 */
const PROBE_TIMEOUT_MS = 1_000

/**
 * Members are aged four times per heartbeat interval: a silence is noticed at most a quarter interval after it
 * crosses `suspectAfter`, at the cost of a scan of the member table, which is cheap.
 */
const TICKS_PER_HEARTBEAT = 4

/**
 * A beat is overdue once this many heartbeat intervals passed since the last one: the driver's timer could not run,
 * since the event loop was busy with a long turn of received records (a burst judged in one microtask
 * checkpoint). The records' own path then beats, so that a busy node does not look silent to its observers. Past
 * one interval the timer is merely late; 1.5 leaves it the beat whenever the loop turns at all.
 */
const OVERDUE_BEAT_INTERVALS = 1.5

/** How often a driver calls `Engine.tick` for a heartbeat interval (ms). */
export function tickInterval (heartbeatInterval: number): number {
  return Math.max(1, Math.floor(heartbeatInterval / TICKS_PER_HEARTBEAT))
}

/** Where the engine reports what changed. Called synchronously, after the state is consistent. */
export interface EngineEvents {
  change: (change: Change) => void
  member: (change: MemberChange) => void
  rejected: (rejected: Rejected) => void
}

/** Everything an engine is built from. */
export interface EngineInit {
  readonly config: ResolvedConfig
  /** This node's peer id. */
  readonly self: string
  readonly transport: Transport
  readonly envelopes: Envelopes
  readonly guard: PeerGuard
  readonly stats: RegistryStats
  /** Uniform in [0, 1): which neighbours get a batch, which peer an anti-entropy round picks. */
  readonly random: () => number
  /** Heartbeat chains for this node (their seeds are secret, so they come from the caller). */
  readonly beats: OwnBeats
  readonly events: EngineEvents
  readonly log: Logger
}

/** The policy of one node. */
export class Engine {
  readonly replica: Replica
  readonly own: OwnWrites
  /** The inbound side, as the transport calls it. */
  readonly handlers: TransportHandlers
  private readonly config: ResolvedConfig
  private readonly transport: Transport
  private readonly envelopes: Envelopes
  private readonly guard: PeerGuard
  private readonly stats: RegistryStats
  private readonly events: EngineEvents
  private readonly beats: OwnBeats
  private readonly random: () => number
  private readonly log: Logger
  private readonly self: string
  /** Subjects whose connection closed, and when: probed a heartbeat later (see `disconnected`). */
  private readonly disconnectedAt = new Map<string, number>()
  /** Owners to pull from each peer, gathered over one batch of beats. */
  private readonly pulls = new Map<string, Set<string>>()
  /** When this node last beat, and when an overdue beat went out (monotonic ms; see OVERDUE_BEAT_INTERVALS). */
  private lastBeatAt = Number.NEGATIVE_INFINITY
  private overdueBeatAt = Number.NEGATIVE_INFINITY
  private stopped = false

  constructor (init: EngineInit) {
    const { config } = init
    this.config = config
    this.self = init.self
    this.transport = init.transport
    this.envelopes = init.envelopes
    this.guard = init.guard
    this.stats = init.stats
    this.events = init.events
    this.beats = init.beats
    this.random = init.random
    this.log = init.log
    this.replica = new Replica({
      self: init.self,
      namespace: config.namespace,
      maxInstancesPerOwner: config.maxInstancesPerOwner,
      maxRecords: config.maxRecords,
      maxClockDrift: config.maxClockDrift,
      tombstoneTtl: config.tombstoneTtl,
      suspectAfter: config.suspectAfter,
      deadAfter: config.deadAfter,
      observers: config.observers,
      quorum: config.observerQuorum,
      maxChainSteps: config.heartbeatChainLength,
      selfPreservationThreshold: config.selfPreservationThreshold,
      selfPreservationLimit: config.selfPreservationLimit,
      tickInterval: tickInterval(config.heartbeatInterval)
    })
    this.own = new OwnWrites({
      self: init.self,
      namespace: config.namespace,
      name: config.name,
      maxRecordBytes: config.maxRecordBytes,
      replica: this.replica,
      envelopes: init.envelopes,
      transport: init.transport,
      now: () => this.now(),
      elapsed: () => this.elapsed(),
      chain: () => this.beats.anchor,
      effects: (effects) => { this.apply(effects) },
      sent: (bytes) => {
        this.guard.chargeOwnPublish(this.elapsed())
        if (bytes > 0) this.stats.sent('gossip', bytes)
      },
      log: init.log
    })
    this.handlers = {
      table: this.replica.table,
      gossip: async (envelope, from) => this.receive(envelope, from, 'gossip'),
      ingest: async (envelope, from) => this.receive(envelope, from, 'sync'),
      beats: (batch, from) => { this.receiveBeats(batch, from) },
      connected: (peer) => { if (!this.stopped) this.background(this.syncWith(peer), 'start anti-entropy with a new neighbour') },
      disconnected: (peer) => { this.disconnected(peer) },
      deathMark: (owner) => this.deathMark(owner),
      disputed: (owner) => { this.disputed(owner) },
      admitSync: (peer) => this.admitSync(peer),
      misbehaved: (peer, rejection) => { this.reject(rejection, peer, true) },
      dropped: (peer, reason, detail) => { this.reject({ reason, detail }, peer ?? 'an unidentified peer') },
      answered: (outcome) => { this.stats.sentMany('sync', outcome.framesOut, outcome.bytesOut) }
    }
  }

  /** Publishes this node's member record: the node exists for the cluster from here on. */
  async start (): Promise<void> {
    await this.own.putMember()
  }

  /** Stops acting on input and timers; with `leave`, first tells the neighbours this member is leaving. */
  async stop (leave: boolean): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    if (!leave) return
    try {
      const leaving = await this.own.putMember(true)
      await Promise.all([this.transport.publish(leaving), this.transport.push([leaving], LEAVE_TIMEOUT_MS)])
    } catch (err) {
      this.log.error('could not announce leave: %e', err)
    }
  }

  /** Task: this node's heartbeat, straight to each of its observers. */
  beat (): void {
    if (this.stopped) return
    const atMs = this.elapsed()
    // The timer's beat right after an overdue one would only spend a link of the chain.
    if (atMs - this.overdueBeatAt < this.config.heartbeatInterval / 2) return
    this.sendBeat(atMs)
  }

  /** A beat from a long turn that kept the driver's timer from running (see OVERDUE_BEAT_INTERVALS). */
  private beatIfOverdue (atMs: number): void {
    // Before the driver's first beat nothing is overdue: the node is still starting.
    if (this.lastBeatAt === Number.NEGATIVE_INFINITY) return
    if (atMs - this.lastBeatAt < this.config.heartbeatInterval * OVERDUE_BEAT_INTERVALS) return
    this.overdueBeatAt = atMs
    this.sendBeat(atMs)
  }

  /**
   * The next link of the chain to every observer. A used-up chain was replaced: sign the new anchor first, so
   * observers can verify what follows (they pull the member record if a beat outruns it).
   */
  private sendBeat (atMs: number): void {
    this.lastBeatAt = atMs
    const { beat, renewed } = this.beats.next(this.replica.table.maxStamp(this.self) ?? ZERO_HLC)
    if (renewed) this.background(this.own.putMember(), 'renew the heartbeat chain')
    const frame = encodeOwnBeat(beat)
    for (const observer of this.replica.detector.observersOfSelf(atMs)) {
      this.stats.sent('beats', frame.length)
      this.background(this.transport.sendBeats(observer, frame, this.addressesOf(observer)), 'beat')
    }
  }

  /** Task: age members, probe subjects whose connection closed a heartbeat ago, and reap tombstones. */
  tick (): void {
    if (this.stopped) return
    const elapsedMs = this.elapsed()
    for (const [peer, atMs] of this.disconnectedAt) {
      if (elapsedMs - atMs < this.config.heartbeatInterval) continue
      this.disconnectedAt.delete(peer)
      this.probe(peer)
    }
    this.apply(this.replica.tick(this.now(), elapsedMs))
  }

  /** Task: one anti-entropy round with a random neighbour. */
  antiEntropy (): void {
    if (this.stopped) return
    const peers = this.transport.connectedPeers()
    const peer = peers[Math.floor(this.random() * peers.length)]
    if (peer !== undefined) this.background(this.syncWith(peer), 'run anti-entropy')
  }

  /** Wall-clock time: stamps, and the replica's rules about them. */
  private now (): number {
    return this.config.clock.now()
  }

  /** Monotonic time: every budget, strike, ban and liveness duration (see `Clock.elapsed`). */
  private elapsed (): number {
    return elapsedMs(this.config.clock)
  }

  /**
   * A gossiped or synced envelope: budget, signature, owner, then the replica's own rules. `stop` tells an
   * exchange to read no more from this peer now (banned, or over its budget).
   */
  private async receive (envelope: Uint8Array, from: string, via: 'gossip' | 'sync'): Promise<Verdict> {
    if (this.stopped) return 'ignore'
    const atMs = this.elapsed()
    this.beatIfOverdue(atMs)
    this.stats.received(via, envelope.length)
    if (this.guard.isBanned(from, atMs)) return 'stop'
    // The budget first, duplicates included: a flood costs a counter, not a signature check per message.
    if (!this.guard.admitRecord(from, via, atMs)) {
      // Only the origin of a flood is struck: a relay may be passing on the sum of several honest origins.
      this.reject({ reason: 'rate-limited', detail: `over the per-peer ${via} record rate` }, from, claimsSigner(envelope, from))
      return 'stop'
    }
    if (via === 'gossip' && this.config.dropGossipRate > 0 && this.random() < this.config.dropGossipRate) return 'ignore'
    const opened = await this.envelopes.open(envelope)
    if (!opened.ok) {
      // Garbage (bad signature, undecodable) is the sender's doing, since every honest relay verifies before it
      // forwards. A signed record that breaks a rule is its signer's: a relay may hold other limits.
      return this.refuse(opened.rejection, from, opened.signer === undefined || opened.signer === from)
    }
    const { record } = opened
    if (!this.guard.isAllowedOwner(record.owner)) {
      // An allowed relay may hold another cluster's allow-list: refuse the record, not the relay.
      return this.refuse({ reason: 'not-allowed', detail: `owner ${record.owner} is not in allowPeers` }, from, false)
    }
    if (!this.replica.knows(record.owner) && !this.guard.admitNewOwner(from, atMs)) {
      return this.refuse({ reason: 'owner-budget', detail: `${from} introduces new owners faster than allowed` }, from, false)
    }
    const origin = from === record.owner
    if (record.kind === 'alert') {
      const alert = this.replica.ingestAlert(record, this.now(), this.elapsed())
      this.apply(alert.effects, from)
      if (alert.outcome === 'rejected') return this.refuse(alert.rejection, from, origin)
      return alert.outcome === 'ignored' ? 'ignore' : this.relay(via)
    }
    const result = this.replica.ingest({ record, envelope: opened.envelope }, this.now(), this.elapsed())
    this.apply(result.effects, from)
    if (result.outcome === 'rejected') {
      // Only what the sender itself signed can cost it: a relay passing on a record of a member it still holds
      // alive, or a stamp within its own drift window but past ours, acted in good faith.
      return this.refuse(result.rejection, from, origin && ownerAtFault(result.rejection.reason))
    }
    if (result.outcome !== 'applied') return 'ignore'
    if (via === 'sync' && origin && this.guard.admitRelay(this.elapsed())) {
      // The owner handed us its own record directly: it was written while the owner had no gossip peers (a
      // node that just started), so no one else has it yet. Gossip it on instead of waiting for anti-entropy.
      this.background(this.transport.publish(opened.envelope), 'gossip a record its owner handed over')
    }
    return this.relay(via)
  }

  /** An accepted record: gossip passes it on only within this node's relay budget (anti-entropy does the rest). */
  private relay (via: 'gossip' | 'sync'): Verdict {
    return via === 'sync' || this.guard.admitRelay(this.elapsed()) ? 'accept' : 'ignore'
  }

  /** Counts a refused record; `strike` if its sender is to blame, which also makes gossip penalise it. */
  private refuse (rejection: Rejection, from: string, strike: boolean): Verdict {
    this.reject(rejection, from, strike)
    return strike ? 'reject' : 'ignore'
  }

  /** A beat from the member at the other end of the stream. */
  private receiveBeats (frame: Uint8Array, from: string): void {
    if (this.stopped) return
    const atMs = this.elapsed()
    this.stats.received('beats', frame.length)
    if (this.guard.isBanned(from, atMs) || !this.guard.isAllowedOwner(from)) return
    const beat = decodeOwnBeat(frame)
    if (beat === undefined) {
      this.reject({ reason: 'malformed', detail: 'undecodable beat' }, from, true)
      return
    }
    // Charged before hashing: a beat claiming to be far along its chain costs up to the chain's length.
    if (!this.guard.admitBeat(from, this.chainSteps(from, beat.chainId, beat.seq), atMs)) {
      this.reject({ reason: 'rate-limited', detail: 'over the per-peer heartbeat rate' }, from, true)
      return
    }
    const result = this.replica.ingestBeat({ owner: from, ...beat }, this.now(), atMs)
    if (result.outcome === 'rejected') this.reject(result.rejection, from, true)
    this.apply(result.effects, from)
  }

  /**
   * A subject's connection closed. It is probed a heartbeat later, not at once: a member that leaves closes its
   * connections right after sending its leave notice, which must arrive first so that it is `left`, not `dead`.
   */
  private disconnected (peer: string): void {
    if (this.stopped || !this.replica.detector.observes(peer, this.elapsed())) return
    if (!this.disconnectedAt.has(peer)) this.disconnectedAt.set(peer, this.elapsed())
  }

  /** Dials a subject whose connection closed: if that fails too, it crashed (or its host is gone): alert now. */
  private probe (peer: string): void {
    if (isGone(this.replica.stateOf(peer))) return
    this.background(this.transport.probe(peer, PROBE_TIMEOUT_MS, this.addressesOf(peer)).then((answer) => {
      // Only a refusal is evidence. A node cut off from the network hears nothing from anyone: if its probes
      // counted, it would kill the first member it lost before it could see that it lost them all, and
      // self-preservation would hold only the rest.
      if (answer === 'refused' && !this.stopped) this.apply(this.replica.unreachable(peer, this.now(), this.elapsed()))
    }), 'probe a disconnected subject')
  }

  /**
   * A peer still holds records of `owner`, dead here. Tell the member: a notice (an alert naming its death stamp),
   * gossiped and also pushed to it directly, since nodes that hold it dead too may be all that lies between. A
   * live member refutes with a newer member record, which brings it back here; a hung or dead one does not.
   */
  private disputed (owner: string): void {
    if (this.stopped) return
    const notice = this.replica.detector.disputeDeath(owner, this.elapsed())
    if (notice === undefined) return
    this.background(this.own.alert(notice.subject, notice.incarnation).then(async (envelope) => {
      await this.transport.push([envelope], PROBE_TIMEOUT_MS, [owner])
    }), 'send a notice to a member dead here')
  }

  /** Hash-chain steps verifying beat `seq` of `member` would cost here (0 if it is refused before hashing). */
  private chainSteps (member: string, chainId: number, seq: number): number {
    const view = this.replica.detector.get(member)
    if (view === undefined || view.chainId !== chainId || seq <= view.seq) return 0
    return Math.min(seq - view.seq, this.config.heartbeatChainLength)
  }

  /** Where a member says it can be reached (its member record), for dialling it when not connected. */
  private addressesOf (peer: string): readonly string[] {
    return this.replica.memberRecord(peer)?.addrs ?? []
  }

  private admitSync (peer: string): boolean {
    const atMs = this.elapsed()
    if (this.guard.isBanned(peer, atMs)) return false
    if (this.guard.admitSync(peer, atMs)) return true
    // Refusing costs nothing, and a peer pulling for beats that came in a burst is honest: no strike.
    this.reject({ reason: 'rate-limited', detail: 'over the per-peer anti-entropy rate' }, peer)
    return false
  }

  /** The death mark of an owner dead or left here: anti-entropy pulls only its records newer than that. */
  private deathMark (owner: string): Hlc | undefined {
    const member = owner === this.self ? undefined : this.replica.detector.get(owner)
    return member !== undefined && isGone(member.state) ? member.maxStamp : undefined
  }

  private async syncWith (peer: string, owners?: Iterable<string>): Promise<void> {
    // Within what the peer serves: a pull that does not fit now is asked for again by the member's next beat.
    if (!this.guard.admitPull(peer, this.elapsed())) return
    const outcome = await this.transport.sync(peer, owners)
    if (outcome === undefined) return
    this.stats.syncRound(owners === undefined ? 'full' : 'targeted')
    this.stats.sentMany('sync', outcome.framesOut, outcome.bytesOut)
  }

  /** Acts on what the replica says happened: events out, pulls and supersedes here. */
  private apply (effects: readonly ReplicaEffect[], from?: string): void {
    for (const effect of effects) {
      switch (effect.kind) {
        case 'change':
          this.events.change(effect.change)
          break
        case 'member':
          this.log('member %s: %s -> %s', effect.change.member.peerId, effect.change.from, effect.change.member.state)
          this.events.member(effect.change)
          break
        case 'supersede':
          if (!this.stopped) this.background(this.own.supersede(effect.record), 'supersede a record of an earlier run')
          break
        case 'pull':
          if (from !== undefined) this.schedulePull(from, effect.owner)
          break
        case 'alert':
          this.log('alerting: %s went silent', effect.subject)
          if (!this.stopped) this.background(this.own.alert(effect.subject, effect.incarnation), 'send an alert')
          break
        case 'equivocation':
          // Counted against the signer, never the relay; not a strike: an owner restarted with a clock behind may
          // reuse a stamp once without meaning harm.
          this.reject({ reason: 'equivocation', detail: `${effect.owner} signed two different records with one stamp` }, effect.owner)
          break
        case 'evicted':
          this.log('evicted the records of %s, not established here, to stay within maxRecords', effect.owner)
          this.stats.evicted()
          break
        case 'refute':
          this.log('refuting an alert against this node')
          if (!this.stopped) this.background(this.own.putMember(), 'refute an alert')
          break
      }
    }
  }

  private schedulePull (peer: string, owner: string): void {
    let owners = this.pulls.get(peer)
    if (owners === undefined) {
      owners = new Set()
      this.pulls.set(peer, owners)
      // Gather the pulls one batch of beats asks for, then run them as one targeted exchange.
      queueMicrotask(() => {
        const wanted = this.pulls.get(peer)
        this.pulls.delete(peer)
        if (wanted !== undefined && !this.stopped) this.background(this.syncWith(peer, wanted), 'pull records')
      })
    }
    owners.add(owner)
  }

  /** Runs work nobody awaits (see background.ts). */
  private background (work: Promise<unknown>, what: string): void {
    background(work, this.log, what)
  }

  /** Counts and reports a refused message; with `strike`, it counts against the sender, who may be banned. */
  reject (rejection: Rejection, from: string, strike = false): void {
    this.stats.rejected(rejection.reason)
    this.log('rejected input from %s: %s (%s)', from, rejection.reason, rejection.detail)
    this.events.rejected({ ...rejection, from, struck: strike })
    if (!strike) return
    const banned = this.guard.strike(from, this.elapsed())
    this.stats.struck(banned)
    if (banned) {
      this.log('banning %s: too much invalid input', from)
      this.background(this.transport.disconnect(from), 'disconnect a banned peer')
    }
  }
}
