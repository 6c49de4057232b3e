/**
 * The facade: wires the replica (pure core) to the network, signs this node's writes, turns replica effects
 * into events, and serves the public API. It holds no registry logic of its own beyond "who owns what here".
 */
import { randomUUID } from 'node:crypto'
import { TypedEventEmitter, type PrivateKey } from '@libp2p/interface'
import { logger, type Logger } from '@libp2p/logger'
import type { Clock, RegistryOptions, ResolvedConfig } from './config.js'
import { resolveConfig } from './config.js'
import { InvalidArgumentError, InvalidRecordError, RegistryStoppedError, TooManyInstancesError, UnknownInstanceError, describeValue } from './errors.js'
import type { Change, Member, RegistryEvents } from './events.js'
import { BeatQueue } from './beat-queue.js'
import { createNode, type RegistryLibp2p } from './net/node.js'
import { startDriver, type Driver } from './net/driver.js'
import { loadIdentity } from './net/identity.js'
import { Network, type Verdict } from './net/network.js'
import { decodeBeats, encodeBeats } from './net/frames.js'
import { MAX_BEAT_BATCH_BYTES } from './net/protocols.js'
import { sealRecord, openRecord } from './record/sign.js'
import { validateInstanceFields, validatePatch } from './record/validate.js'
import { MEMBER_RECORD_ID, type Instance, type InstanceRecord, type InstanceStatus, type MemberRecord, type SignedRecord } from './record/types.js'
import type { Rejection } from './reject-reason.js'
import { Replica, type LookupFilter, type ReplicaEffect } from './replica.js'
import { parseVersionRange } from './table/query.js'
import { ZERO_HLC } from './clock/hlc.js'
import { iterateChanges } from './watch.js'
import { resolveCheck, type CheckDefinition } from './health/check.js'
import { HealthRunner } from './health/runner.js'
import { Router, type BalancerOptions, type CallOptions } from './balance/router.js'
import { PeerGuard } from './guard/peer-guard.js'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import type { Balancer } from './balance/balancer.js'
import { RegistryStats } from './stats.js'

/** What `register` takes: the instance fields; `id` is optional (a random UUID by default). */
export interface RegisterInput {
  service: string
  version: string
  address: string
  port: number
  tags?: readonly string[]
  metadata?: Readonly<Record<string, string>>
  weight?: number
  status?: 'passing' | 'warning' | 'critical'
  /** Instance id, unique among this node's instances. Registering an id this node already owns replaces it. */
  id?: string
  /**
   * A health check this node runs on the instance and publishes as its status. With a check and no explicit
   * `status`, the instance starts `critical` (left out of lookups) until the check first passes.
   */
  check?: CheckDefinition
}

/** What `update` may change. */
export interface UpdateInput {
  status?: 'passing' | 'warning' | 'critical'
  metadata?: Readonly<Record<string, string>>
  weight?: number
  tags?: readonly string[]
}

/** Options of `lookup`. */
export interface LookupOptions {
  /** A semver range, e.g. `^2.1`. */
  version?: string
  /** Every tag listed must be on the instance. */
  tags?: readonly string[]
  /** Also return `critical` instances. @default false */
  includeUnhealthy?: boolean
  /** Also return instances of members kept only by self-preservation. @default false */
  includeStale?: boolean
}

/** How long a graceful stop waits for its leave notice to reach the neighbours. */
const LEAVE_TIMEOUT_MS = 1_000

/** A running registry node. Create one with `createRegistry`. */
export class Registry extends TypedEventEmitter<RegistryEvents> {
  /** Counters of what this node sent, received and refused. */
  readonly stats = new RegistryStats()
  private readonly config: ResolvedConfig
  private readonly clock: Clock
  private readonly key: PrivateKey
  private readonly network: Network
  private readonly replica: Replica
  private readonly log: Logger
  private readonly owned = new Map<string, InstanceRecord>()
  private readonly health: HealthRunner
  private readonly guard: PeerGuard
  private readonly router: Router
  private readonly beats: BeatQueue
  private readonly pulls = new Map<string, Set<string>>()
  private driver: Driver | undefined
  private stopped = false
  /** Aborted by `stop()`, which ends every `changes()` iterator. */
  private readonly stopSignal = new AbortController()

  /** @internal Use `createRegistry`. */
  constructor (config: ResolvedConfig, key: PrivateKey, node: RegistryLibp2p, guard: PeerGuard, log: Logger) {
    super()
    this.config = config
    this.guard = guard
    this.clock = config.clock
    this.key = key
    this.log = log
    this.replica = new Replica({
      self: node.peerId.toString(),
      namespace: config.namespace,
      maxInstancesPerOwner: config.maxInstancesPerOwner,
      maxClockDrift: config.maxClockDrift,
      tombstoneTtl: config.tombstoneTtl,
      suspectAfter: config.suspectAfter,
      deadAfter: config.deadAfter,
      maxChainSteps: config.heartbeatChainLength,
      selfPreservationThreshold: config.selfPreservationThreshold,
      selfPreservationLimit: config.selfPreservationLimit
    })
    this.network = new Network(node, config, {
      gossip: async (envelope, from) => this.receive(envelope, from, 'gossip'),
      beats: (batch, from) => { this.receiveBeats(batch, from) },
      connected: (peer) => { if (!this.stopped) void this.syncWith(peer) },
      disconnected: () => {},
      table: this.replica.table,
      ignoreOwner: (owner) => this.ignoreOwner(owner),
      ingest: async (envelope, from) => this.receive(envelope, from, 'sync'),
      admitSync: (peer) => {
        const nowMs = this.clock.now()
        if (this.guard.isBanned(peer, nowMs)) return false
        if (this.guard.admitSync(peer, nowMs)) return true
        this.reject({ reason: 'rate-limited', detail: 'over the per-peer anti-entropy rate' }, peer, true)
        return false
      },
      misbehaved: (peer, detail) => { this.reject({ reason: 'malformed', detail }, peer, true) }
    }, log)
    this.health = new HealthRunner({
      publish: async (id, status) => { if (!this.stopped && this.owned.has(id)) await this.update(id, { status }) },
      deregister: async (id) => { if (!this.stopped && this.owned.has(id)) await this.deregister(id) },
      now: () => this.clock.now(),
      onError: (err) => { this.log.error('health check action failed: %e', err) }
    })
    this.router = new Router({
      lookup: (service, options) => this.lookup(service, options),
      now: () => this.clock.now(),
      zone: config.zone
    }, { consecutiveFailures: config.outlierFailures, baseEjectionMs: config.outlierEjection, maxEjectionMs: config.outlierMaxEjection })
    this.beats = new BeatQueue(node.peerId.toString(), config.heartbeatChainLength)
  }

  /** This node's peer id. */
  get peerId (): string {
    return this.network.peerId
  }

  /** Addresses other nodes can dial to reach this one (each ends in /p2p/<peerId>). */
  get multiaddrs (): string[] {
    return this.network.multiaddrs()
  }

  /** Registers an instance owned and signed by this node, and gossips it. */
  async register (input: RegisterInput): Promise<Instance> {
    this.assertRunning()
    if (typeof input !== 'object' || input === null) throw new InvalidArgumentError('input', `Expected the instance to be an object, got ${describeValue(input)}`)
    const { id: givenId, check: checkInput, ...rest } = input
    const check = checkInput === undefined ? undefined : resolveCheck(checkInput)
    const fields = validateInstanceFields(check !== undefined && rest.status === undefined ? { ...rest, status: 'critical' } : rest)
    const id = givenId ?? randomUUID()
    if (typeof id !== 'string' || !/^[A-Za-z0-9_.:-]{1,64}$/.test(id)) {
      throw new InvalidArgumentError('id', `Expected \`id\` to be 1-64 letters, digits, \`_\`, \`.\`, \`:\` or \`-\`, got ${describeValue(id)}`)
    }
    if (!this.owned.has(id) && this.owned.size >= this.config.maxInstancesPerOwner) throw new TooManyInstancesError(this.config.maxInstancesPerOwner)
    const record: InstanceRecord = { kind: 'instance', deleted: false, owner: this.peerId, id, namespace: this.config.namespace, stamp: this.stamp(), ...fields }
    this.health.remove(id)
    await this.write(record)
    this.owned.set(id, record)
    if (check !== undefined) this.health.add(id, check, fields.status)
    return this.replica.instance(record)
  }

  /** Changes the status, metadata, weight or tags of an instance this node owns. */
  async update (id: string, patch: UpdateInput): Promise<Instance> {
    this.assertRunning()
    const current = this.ownedInstance(id)
    const changes = validatePatch(patch)
    const record: InstanceRecord = { ...current, ...changes, stamp: this.stamp() }
    await this.write(record)
    this.owned.set(id, record)
    return this.replica.instance(record)
  }

  /** Removes an instance this node owns, everywhere: a tombstone is gossiped. */
  async deregister (id: string): Promise<void> {
    this.assertRunning()
    const current = this.ownedInstance(id)
    this.owned.delete(id)
    this.health.remove(id)
    await this.write({ kind: 'instance', deleted: true, owner: this.peerId, id, namespace: this.config.namespace, stamp: this.stamp(), service: current.service })
  }

  /** Healthy instances of a service, from local memory (no network hop). */
  lookup (service: string, options: LookupOptions = {}): readonly Instance[] {
    if (typeof service !== 'string' || service === '') throw new InvalidArgumentError('service', `Expected \`service\` to be a non-empty string, got ${describeValue(service)}`)
    if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('options', `Expected lookup options to be an object, got ${describeValue(options)}`)
    const { version, tags, includeUnhealthy, includeStale } = options
    if (version !== undefined && (typeof version !== 'string' || parseVersionRange(version) === undefined)) {
      throw new InvalidArgumentError('version', `Expected \`version\` to be a semver range such as \`^2.1\`, got ${describeValue(version)}`)
    }
    if (tags !== undefined && (!Array.isArray(tags) || !tags.every((tag) => typeof tag === 'string'))) {
      throw new InvalidArgumentError('tags', `Expected \`tags\` to be an array of strings, got ${describeValue(tags)}`)
    }
    const filter: LookupFilter = { version, tags, includeUnhealthy: includeUnhealthy === true, includeStale: includeStale === true }
    return this.replica.lookup(service, filter)
  }

  /** A balancer over the live instances of a service; `pick(key?)` returns the instance to call next. */
  balancer (service: string, options: BalancerOptions = {}): Balancer {
    return this.router.balancer(service, options)
  }

  /**
   * Calls `fn(instance, signal)` on an instance of the service; on an error or a timeout, tries another one
   * (up to `retries` more). Instances that fail repeatedly are ejected from this node's picks for a while.
   * Throws `NoHealthyInstanceError` naming the service and what was tried when nothing answers.
   */
  async call<T> (service: string, fn: (instance: Instance, signal: AbortSignal) => Promise<T>, options: CallOptions = {}): Promise<T> {
    return this.router.call(service, fn, options)
  }

  /** Instances (`owner/id`) this node's calls have ejected right now. */
  ejected (): string[] {
    return this.router.ejected()
  }

  /** Reports a TTL-checked instance as passing. */
  pass (id: string): void {
    this.reportTtl(id, 'passing')
  }

  /** Reports a TTL-checked instance as warning. */
  warn (id: string): void {
    this.reportTtl(id, 'warning')
  }

  /** Reports a TTL-checked instance as critical. */
  fail (id: string): void {
    this.reportTtl(id, 'critical')
  }

  private reportTtl (id: string, status: InstanceStatus): void {
    this.assertRunning()
    this.ownedInstance(id)
    if (this.health.kindOf(id) !== 'ttl') throw new InvalidArgumentError('id', `Instance \`${id}\` has no TTL check`)
    this.health.report(id, status)
  }

  /** Names of services with at least one visible instance. */
  services (): string[] {
    return this.replica.services()
  }

  /** Every member known here, this node first. */
  members (): Member[] {
    return this.replica.members(this.clock.now())
  }

  /**
   * The gossipsub score this node gives a peer: 0 for a newcomer, negative after it sent invalid records
   * (below -80 its messages are ignored). For diagnostics.
   */
  peerScore (peerId: string): number {
    return this.network.peerScore(peerId)
  }

  /** Calls `listener` with every change of the service's visible instances. Returns the unsubscribe function. */
  watch (service: string, listener: (change: Change) => void): () => void {
    if (typeof listener !== 'function') throw new InvalidArgumentError('listener', `Expected \`listener\` to be a function, got ${describeValue(listener)}`)
    const handler = (event: CustomEvent<Change>): void => {
      if (event.detail.instance.service === service) listener(event.detail)
    }
    const types = ['instance:up', 'instance:down', 'instance:changed'] as const
    for (const type of types) this.addEventListener(type, handler as never)
    return () => { for (const type of types) this.removeEventListener(type, handler as never) }
  }

  /** Changes of one service (or all) as an async iterator, until `signal` aborts, the loop breaks, or `stop()`. */
  changes (service?: string, options: { signal?: AbortSignal } = {}): AsyncIterable<Change> {
    const signal = options.signal === undefined ? this.stopSignal.signal : AbortSignal.any([options.signal, this.stopSignal.signal])
    return iterateChanges((listener) => {
      if (service !== undefined) return this.watch(service, listener)
      const handler = (event: CustomEvent<Change>): void => { listener(event.detail) }
      const types = ['instance:up', 'instance:down', 'instance:changed'] as const
      for (const type of types) this.addEventListener(type, handler as never)
      return () => { for (const type of types) this.removeEventListener(type, handler as never) }
    }, signal)
  }

  /**
   * Leaves gracefully: tells the neighbours (which gossip it on) that this member is leaving, so every node drops
   * its instances within a gossip round instead of after `deadAfter`, then stops the node. With
   * `{ leave: false }` it stops without a word, as a crash would: peers notice only by silence.
   */
  async stop (options: { leave?: boolean } = {}): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    this.driver?.stop()
    this.health.stopAll()
    this.stopSignal.abort()
    if (options.leave !== false) await this.announceLeave()
    await this.network.stop()
    await this.network.node.stop()
  }

  private async announceLeave (): Promise<void> {
    try {
      const leaving = await this.sealMember(true)
      await Promise.all([this.network.publish(leaving), this.network.pushToAll([leaving], LEAVE_TIMEOUT_MS)])
    } catch (err) {
      this.log.error('could not announce leave: %e', err)
    }
  }

  /** @internal Starts the protocols and timers; called once by `createRegistry`. */
  async start (): Promise<void> {
    await this.network.start()
    await this.writeMember()
    this.driver = startDriver(this.config, {
      beat: () => { this.beat() },
      flush: () => { this.flushBeats() },
      tick: () => { this.emitEffects(this.replica.tick(this.clock.now())) },
      antiEntropy: () => { this.antiEntropy() },
      maintain: () => { this.network.maintain(this.replica.members(this.clock.now()), this.clock.now(), Math.random) }
    })
  }

  /** Network handler: a gossiped or synced envelope. */
  private async receive (envelope: Uint8Array, from: string, via: 'gossip' | 'sync'): Promise<Verdict> {
    if (this.stopped) return 'ignore'
    const nowMs = this.clock.now()
    this.stats.received(via, envelope.length)
    if (this.guard.isBanned(from, nowMs)) return 'reject'
    // Rate first: a flood costs a counter, not a signature check per message.
    if (via === 'gossip' && !this.guard.admitRecord(from, nowMs)) {
      this.reject({ reason: 'rate-limited', detail: 'over the per-peer record rate' }, from, true)
      return 'reject'
    }
    if (via === 'gossip' && this.config.dropGossipRate > 0 && Math.random() < this.config.dropGossipRate) return 'ignore'
    const opened = await openRecord(envelope, { maxBytes: this.config.maxRecordBytes, namespace: this.config.namespace })
    if (!opened.ok) {
      this.reject(opened.rejection, from, true)
      return 'reject'
    }
    if (!this.guard.isAllowedOwner(opened.record.owner)) {
      // An allowed relay may hold another cluster's allow-list: refuse the record, not the relay.
      this.reject({ reason: 'not-allowed', detail: `owner ${opened.record.owner} is not in allowPeers` }, from)
      return 'ignore'
    }
    const result = this.replica.ingest({ record: opened.record, envelope: opened.envelope }, nowMs)
    this.emitEffects(result.effects, from)
    if (result.outcome === 'rejected') {
      // A relay passing on a record of a member it still believes alive is honest; only forgeries cost score.
      const honest = result.rejection.reason === 'dead-member' || result.rejection.reason === 'too-many-instances'
      this.reject(result.rejection, from, !honest)
      return honest ? 'ignore' : 'reject'
    }
    if (result.outcome !== 'applied') return 'ignore'
    if (via === 'sync' && from === opened.record.owner) {
      // The owner handed us its own record directly: it was written while the owner had no gossip peers (a
      // node that just started), so no one else has it yet. Gossip it on instead of waiting for anti-entropy.
      void this.network.publish(opened.envelope)
    }
    return 'accept'
  }

  /** Network handler: a batch of beats from a neighbour. */
  private receiveBeats (batch: Uint8Array, from: string): void {
    if (this.stopped) return
    const nowMs = this.clock.now()
    this.stats.received('beats', batch.length)
    if (this.guard.isBanned(from, nowMs)) return
    if (!this.guard.admitBeats(from, nowMs)) {
      this.reject({ reason: 'rate-limited', detail: 'over the per-peer heartbeat batch rate' }, from, true)
      return
    }
    const decoded = decodeBeats(batch, Math.floor(MAX_BEAT_BATCH_BYTES / 40))
    if (decoded === undefined) {
      this.reject({ reason: 'malformed', detail: 'undecodable beat batch' }, from, true)
      return
    }
    if (decoded.invalid > 0) this.reject({ reason: 'malformed', detail: `${decoded.invalid} beats with a malformed owner or stamp` }, from, true)
    for (const beat of decoded.beats) {
      if (!this.guard.isAllowedOwner(beat.owner)) continue
      const result = this.replica.ingestBeat(beat, nowMs)
      if (result.outcome === 'fresh') this.beats.relay(beat)
      else if (result.outcome === 'rejected') this.reject(result.rejection, from, true)
      this.emitEffects(result.effects, from)
    }
  }

  /** Owners not worth pulling during anti-entropy: those dead here. */
  private ignoreOwner (owner: string): boolean {
    return owner !== this.peerId && this.replica.stateOf(owner) === 'dead' && this.replica.detector.get(owner) !== undefined
  }

  private beat (): void {
    // A used-up chain was replaced: sign the new anchor. Peers pull the member record if a beat outruns it.
    if (this.beats.beat(this.replica.table.maxStamp(this.peerId) ?? ZERO_HLC)) void this.writeMember()
  }

  private flushBeats (): void {
    if (this.beats.isEmpty) return
    const peers = this.network.connectedPeers()
    if (peers.length === 0) return
    const batch = encodeBeats(this.beats.drain())
    for (let i = 0; i < this.config.beatFanout && peers.length > 0; i++) {
      const [peer] = peers.splice(Math.floor(Math.random() * peers.length), 1)
      if (peer === undefined) break
      this.stats.sent('beats', batch.length)
      void this.network.sendBeats(peer, batch)
    }
  }

  private antiEntropy (): void {
    const peers = this.network.connectedPeers()
    const peer = peers[Math.floor(Math.random() * peers.length)]
    if (peer !== undefined) void this.syncWith(peer)
  }

  private async syncWith (peer: string, owners?: Iterable<string>): Promise<void> {
    const stats = await this.network.sync(peer, owners)
    if (stats !== undefined) this.stats.syncRound(owners === undefined ? 'full' : 'targeted')
  }

  private emitEffects (effects: readonly ReplicaEffect[], from?: string): void {
    for (const effect of effects) {
      switch (effect.kind) {
        case 'change':
          this.safeDispatchEvent(`instance:${effect.change.type}`, { detail: effect.change as never })
          break
        case 'member':
          this.log('member %s: %s -> %s', effect.change.member.peerId, effect.change.from, effect.change.member.state)
          this.safeDispatchEvent(`member:${effect.change.member.state}`, { detail: effect.change })
          break
        case 'supersede':
          void this.supersede(effect.record)
          break
        case 'pull':
          if (from !== undefined) this.schedulePull(from, effect.owner)
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
        if (wanted !== undefined && !this.stopped) void this.syncWith(peer, wanted)
      })
    }
    owners.add(owner)
  }

  private async supersede (record: SignedRecord): Promise<void> {
    if (this.stopped) return
    this.log('superseding record %s from an earlier run of this node', record.id === MEMBER_RECORD_ID ? '(member)' : record.id)
    if (record.kind === 'member') {
      await this.writeMember()
      return
    }
    const mine = this.owned.get(record.id)
    if (mine !== undefined) {
      const renewed = { ...mine, stamp: this.stamp() }
      this.owned.set(record.id, renewed)
      await this.write(renewed)
      return
    }
    await this.write({ kind: 'instance', deleted: true, owner: this.peerId, id: record.id, namespace: this.config.namespace, stamp: this.stamp(), service: record.kind === 'instance' ? record.service : '' })
  }

  private async write (record: SignedRecord): Promise<void> {
    const envelope = await sealRecord(record, this.key)
    if (envelope.length > this.config.maxRecordBytes) {
      // Peers would refuse it as oversized: fail here, where the caller can still shrink it.
      throw new InvalidRecordError('instance', `The signed record is ${envelope.length} bytes, over \`maxRecordBytes\` (${this.config.maxRecordBytes}): shorten its metadata or tags`)
    }
    const result = this.replica.ingestLocal({ record, envelope })
    this.emitEffects(result.effects)
    this.stats.sent('gossip', envelope.length)
    await this.network.publish(envelope)
  }

  private async writeMember (): Promise<void> {
    const envelope = await this.sealMember(false)
    const opened = await openRecord(envelope, { maxBytes: Number.MAX_SAFE_INTEGER, namespace: this.config.namespace })
    if (!opened.ok) throw new Error(`own member record does not verify: ${opened.rejection.detail}`)
    this.replica.ingestLocal({ record: opened.record, envelope: opened.envelope })
    this.stats.sent('gossip', opened.envelope.length)
    await this.network.publish(opened.envelope)
  }

  private async sealMember (leaving: boolean): Promise<Uint8Array> {
    const record: MemberRecord = {
      kind: 'member',
      deleted: false,
      owner: this.peerId,
      id: MEMBER_RECORD_ID,
      namespace: this.config.namespace,
      stamp: this.stamp(),
      // A member advertises at most 16 addresses (the record limit); loopback ones last, as they help only
      // nodes on the same host.
      addrs: this.multiaddrs.sort((a, b) => Number(a.includes('/127.0.0.1/')) - Number(b.includes('/127.0.0.1/'))).slice(0, 16),
      chain: this.beats.anchor,
      leaving
    }
    return sealRecord(record, this.key)
  }

  private stamp (): ReturnType<Replica['stamp']> {
    return this.replica.stamp(this.clock.now())
  }

  private ownedInstance (id: string): InstanceRecord {
    if (typeof id !== 'string') throw new InvalidArgumentError('id', `Expected \`id\` to be a string, got ${describeValue(id)}`)
    const record = this.owned.get(id)
    if (record === undefined) throw new UnknownInstanceError(id)
    return record
  }

  /** Counts and reports a refused message; with `strike`, it counts against the sender, who may be banned. */
  private reject (rejection: Rejection, from: string, strike = false): void {
    this.stats.rejected(rejection.reason)
    this.log('rejected input from %s: %s (%s)', from, rejection.reason, rejection.detail)
    this.safeDispatchEvent('record:rejected', { detail: { ...rejection, from } })
    if (strike && this.guard.strike(from, this.clock.now())) {
      this.log('banning %s: too much invalid input', from)
      void this.network.disconnect(from)
    }
  }

  private assertRunning (): void {
    if (this.stopped) throw new RegistryStoppedError()
  }
}

/** Starts a registry node: loads or creates its key, starts libp2p, joins the cluster. */
export async function createRegistry (options: RegistryOptions = {}): Promise<Registry> {
  const config = resolveConfig(options)
  const key = await loadIdentity(config.privateKey, config.keyFile)
  const log = config.logPrefix === '' ? logger('gossip-registry') : logger(`gossip-registry:${config.logPrefix}`)
  const self = peerIdFromPrivateKey(key).toString()
  const guard = new PeerGuard(self, config.allowPeers)
  const node = await createNode(config, key, (peer) => guard.isDenied(peer, config.clock.now()))
  const registry = new Registry(config, key, node, guard, log)
  try {
    await registry.start()
  } catch (err) {
    await node.stop()
    throw err
  }
  return registry
}
