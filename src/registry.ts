/**
 * The facade: composes the engine (the node's policy), its libp2p transport and the driver that times it,
 * validates the public API's input, and turns what the engine reports into events. It decides nothing itself.
 */
import { randomUUID } from 'node:crypto'
import { TypedEventEmitter, type PrivateKey } from '@libp2p/interface'
import { logger, type Logger } from '@libp2p/logger'
import type { Clock, RegistryOptions, ResolvedConfig } from './config.js'
import { elapsedMs, resolveConfig } from './config.js'
import { AmbiguousMemberError, InvalidArgumentError, MemberNotGoneError, RegistryStoppedError, TooManyInstancesError, UnknownInstanceError, UnknownMemberError, describeValue } from './errors.js'
import type { Change, Member, RegistryEvents } from './events.js'
import { OwnBeats } from './engine/own-beats.js'
import { createNode, type RegistryLibp2p } from './net/node.js'
import { startDriver, type Driver } from './net/driver.js'
import { loadIdentity, peerIdString } from './net/identity.js'
import type { Network } from './net/network.js'
import { signedEnvelopes } from './record/sign.js'
import { validateInstanceFields, validatePatch } from './record/validate.js'
import type { Instance, InstanceRecord, InstanceStatus } from './record/types.js'
import type { LookupFilter, Replica } from './replica.js'
import { parseVersionRange } from './table/query.js'
import { Engine } from './engine/engine.js'
import { iterateChanges } from './watch.js'
import { resolveCheck, type CheckDefinition } from './health/check.js'
import { HealthRunner } from './health/runner.js'
import { MaintenanceSwitches, validateMaintenance, type MaintenanceInput } from './health/maintenance.js'
import { Router, type BalancerOptions, type CallOptions } from './balance/router.js'
import { PeerGuard } from './guard/peer-guard.js'
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

/** A running registry node. Create one with `createRegistry`. */
export class Registry extends TypedEventEmitter<RegistryEvents> {
  /** Counters of what this node sent, received and refused. */
  readonly stats = new RegistryStats()
  private readonly config: ResolvedConfig
  private readonly clock: Clock
  private readonly network: Network
  private readonly engine: Engine
  private readonly log: Logger
  private readonly health: HealthRunner
  private readonly switches = new MaintenanceSwitches()
  private readonly router: Router
  private driver: Driver | undefined
  private stopped = false
  /** Aborted by `stop()`, which ends every `changes()` iterator. */
  private readonly stopSignal = new AbortController()

  /** @internal Use `createRegistry`. `network` makes the transport (its module loads with the first node). */
  constructor (config: ResolvedConfig, key: PrivateKey, node: RegistryLibp2p, guard: PeerGuard, log: Logger, network: (handlers: Engine['handlers']) => Network) {
    super()
    this.config = config
    this.clock = config.clock
    this.log = log
    const self = node.peerId.toString()
    // The transport and the engine refer to each other: the engine sends through the transport, the transport
    // hands what arrives to the engine's handlers. The handlers object is filled in once the engine exists.
    const handlers = {} as Engine['handlers']
    this.network = network(handlers)
    this.engine = new Engine({
      config,
      self,
      transport: this.network,
      envelopes: signedEnvelopes(key, { maxBytes: config.maxRecordBytes, namespace: config.namespace }),
      guard,
      stats: this.stats,
      random: Math.random,
      beats: new OwnBeats(config.heartbeatChainLength),
      events: {
        change: (change) => { this.safeDispatchEvent(`instance:${change.type}`, { detail: change as never }) },
        member: (change) => { this.safeDispatchEvent(`member:${change.member.state}`, { detail: change }) },
        rejected: (rejected) => { this.safeDispatchEvent('record:rejected', { detail: rejected }) }
      },
      log
    })
    Object.assign(handlers, this.engine.handlers)
    // A result lands after the own writes of its instance called before it, and on an instance already
    // deregistered by then it writes nothing.
    this.health = new HealthRunner({
      // In maintenance a result changes nothing published: it is kept for when the switch goes off.
      publish: async (id, status) => { if (!this.stopped) await this.rewrite(id, (instance) => ({ ...instance, status }), true) },
      deregister: async (id) => {
        if (this.stopped) return
        this.switches.forget(id)
        await this.engine.own.remove(id)
      },
      now: () => elapsedMs(this.clock),
      onError: (err) => { this.log.error('health check action failed: %e', err) }
    })
    this.router = new Router({
      lookup: (service, options) => this.lookup(service, options),
      now: () => elapsedMs(this.clock),
      zone: config.zone
    }, { consecutiveFailures: config.outlierFailures, baseEjectionMs: config.outlierEjection, maxEjectionMs: config.outlierMaxEjection })
  }

  /** The replica this node keeps (diagnostics and tests). */
  private get replica (): Replica {
    return this.engine.replica
  }

  /** This node's peer id. */
  get peerId (): string {
    return this.network.peerId
  }

  /** Addresses other nodes can dial to reach this one (each ends in /p2p/<peerId>). */
  get multiaddrs (): string[] {
    return this.network.multiaddrs()
  }

  /**
   * Peers this node holds an open connection to: about `targetPeers` to twice that, plus its observers,
   * subjects and gossip mesh (a node above twice `targetPeers` hangs up on a few at a time, see docs/internals.md).
   */
  get connectedPeers (): number {
    return this.network.peerCount
  }

  /**
   * This node's local health penalty, 0 to MAX_HEALTH_PENALTY: how many of its alerts were proved wrong lately (the
   * member beat or refuted). It waits `1 + healthScore` times the usual silence before it alerts on a member, and
   * recovers one step per `deadAfter` (docs/membership.md, "Alerts proved wrong"). Above 0 for long: this host or
   * its links are overloaded or lossy.
   */
  get healthScore (): number {
    return this.replica.healthScore
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
    const own = this.engine.own
    if (own.get(id) === undefined && own.size >= this.config.maxInstancesPerOwner) throw new TooManyInstancesError(this.config.maxInstancesPerOwner)
    // The check follows the calls, not their completion: its results queue behind this write, and a
    // `deregister` or `register` called next stops it, even before this write is done.
    if (check === undefined) this.health.remove(id)
    else this.health.add(id, check, fields.status)
    try {
      // Registering again replaces the instance but not its maintenance switch: the operator's, not the client's.
      return this.replica.instance(await own.put(this.switches.publishable({ kind: 'instance', deleted: false, owner: this.peerId, id, namespace: this.config.namespace, ...fields })))
    } catch (err) {
      if (check !== undefined) this.health.remove(id, check)
      throw err
    }
  }

  /**
   * Changes the status, metadata, weight or tags of an instance this node owns, as the calls on it before this
   * one left it (awaited or not). Throws `UnknownInstanceError` if by then it is not registered.
   */
  async update (id: string, patch: UpdateInput): Promise<Instance> {
    this.assertRunning()
    assertId(id)
    const changes = validatePatch(patch)
    const record = await this.rewrite(id, (instance) => ({ ...instance, ...changes }), false)
    if (record === undefined) throw new UnknownInstanceError(id)
    return this.replica.instance(record)
  }

  /**
   * Takes an instance this node owns out of lookups at every node without deregistering it (`enable: true`), or
   * brings it back (`enable: false`). In maintenance it is published `critical` with `maintenance: { reason }`;
   * its check keeps running, and what the check finds is published once maintenance is off. Registering the id
   * again keeps the switch; deregistering ends it. Throws `UnknownInstanceError` if the instance is not
   * registered once the calls on it before this one are done.
   */
  async maintenance (id: string, input: MaintenanceInput): Promise<Instance> {
    this.assertRunning()
    assertId(id)
    const { enable, reason } = validateMaintenance(input)
    this.switches.set(id, enable, reason)
    const record = await this.rewrite(id, (instance) => instance, true)
    if (record === undefined) {
      this.switches.forget(id)
      throw new UnknownInstanceError(id)
    }
    return this.replica.instance(record)
  }

  /**
   * Publishes `change` of an own instance as its owner's calls left it, through its maintenance switch. With
   * `skipSame`, a result that publishes what is already published writes nothing.
   */
  private async rewrite (id: string, change: (instance: Omit<InstanceRecord, 'stamp'>) => Omit<InstanceRecord, 'stamp'>, skipSame: boolean): Promise<InstanceRecord | undefined> {
    return this.engine.own.update(id, (current) => {
      const next = this.switches.publishable(change(this.switches.logical(current, this.health.statusOf(id))))
      return skipSame && next.status === current.status && next.maintenance?.reason === current.maintenance?.reason ? current : next
    })
  }

  /**
   * Removes an instance this node owns, everywhere: a tombstone is gossiped. Throws `UnknownInstanceError` if it
   * is not registered once the calls on it before this one are done.
   */
  async deregister (id: string): Promise<void> {
    this.assertRunning()
    assertId(id)
    this.health.remove(id)
    this.switches.forget(id)
    if (!await this.engine.own.remove(id)) throw new UnknownInstanceError(id)
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
    assertId(id)
    // The check exists from its `register` call on, so a report right after an unawaited `register` counts.
    if (this.health.kindOf(id) !== 'ttl') {
      if (this.engine.own.get(id) === undefined) throw new UnknownInstanceError(id)
      throw new InvalidArgumentError('id', `Instance \`${id}\` has no TTL check`)
    }
    this.health.report(id, status)
  }

  /** Names of services with at least one visible instance. */
  services (): string[] {
    return this.replica.services()
  }

  /** Every member known here, this node first. */
  members (): Member[] {
    return this.replica.members(this.clock.now(), elapsedMs(this.clock))
  }

  /**
   * Forgets every member dead or left here, so `members()` stops listing them; returns how many. This node's view
   * only: nothing is sent. Their death marks stay, so stale copies of their records relayed by others do not bring
   * them back; a member that really comes back (something newer from itself) is listed again.
   */
  pruneMembers (): number {
    this.assertRunning()
    return this.replica.prune()
  }

  /**
   * Forces out a member dead here, named by peer id or by a name only one listed member has: it becomes `left`
   * (a `member:left` event) and is forgotten as by `pruneMembers`; a member that left is only forgotten. This
   * node's view only. Returns the member as it was before. Throws `MemberNotGoneError` for a member alive or
   * suspect here (no single member can get another declared dead), `UnknownMemberError` for one not listed here,
   * `AmbiguousMemberError` for a name several members have.
   */
  forceLeave (member: string): Member {
    this.assertRunning()
    if (typeof member !== 'string' || member === '') throw new InvalidArgumentError('member', `Expected \`member\` to be a peer id or a member name, got ${describeValue(member)}`)
    const found = this.replica.findMember(member, this.clock.now(), elapsedMs(this.clock))
    if (found.kind === 'unknown') throw new UnknownMemberError(member)
    if (found.kind === 'ambiguous') throw new AmbiguousMemberError(member, found.peerIds)
    const outcome = this.replica.forceLeave(found.member.peerId, this.clock.now(), elapsedMs(this.clock))
    if (outcome.kind === 'unknown') throw new UnknownMemberError(member)
    if (outcome.kind === 'not-gone') throw new MemberNotGoneError(found.member.peerId, outcome.state)
    // The member's records went at its death: the only effect is the change of state, announced as the engine would.
    for (const effect of outcome.effects) {
      if (effect.kind === 'member') this.safeDispatchEvent(`member:${effect.change.member.state}`, { detail: effect.change })
    }
    return found.member
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
    await this.engine.stop(options.leave !== false)
    await this.network.stop()
    await this.network.node.stop()
  }

  /**
   * `await using registry = await createRegistry(...)`: leaves gracefully when the block ends, as `stop()` does.
   * A registry already stopped is left as it is.
   */
  async [Symbol.asyncDispose] (): Promise<void> {
    await this.stop()
  }

  /** @internal Starts the protocols and timers; called once by `createRegistry`. */
  async start (): Promise<void> {
    await this.network.start()
    await this.engine.start()
    const engine = this.engine
    this.driver = startDriver(this.config, {
      beat: () => { engine.beat() },
      tick: () => { engine.tick() },
      antiEntropy: () => { engine.antiEntropy() },
      maintain: () => { this.network.maintain(this.replica.memberAddrs(), Math.random) }
    })
  }

  private assertRunning (): void {
    if (this.stopped) throw new RegistryStoppedError()
  }
}

function assertId (id: unknown): void {
  if (typeof id !== 'string') throw new InvalidArgumentError('id', `Expected \`id\` to be a string, got ${describeValue(id)}`)
}

/** Starts a registry node: loads or creates its key, starts libp2p, joins the cluster. */
export async function createRegistry (options: RegistryOptions = {}): Promise<Registry> {
  const config = resolveConfig(options)
  const key = await loadIdentity(config.privateKey, config.keyFile)
  const log = config.logPrefix === '' ? logger('gossip-registry') : logger(`gossip-registry:${config.logPrefix}`)
  const self = peerIdString(key)
  const guard = new PeerGuard(self, config.allowPeers, config.heartbeatChainLength)
  const node = await createNode(config, key, (peer) => guard.isDenied(peer, elapsedMs(config.clock)))
  // Loaded here, not at import: with multiaddr and the stream codecs it is most of what an import would load.
  const { Network } = await import('./net/network.js')
  const registry = new Registry(config, key, node, guard, log, (handlers) => new Network(node, config, handlers, log))
  try {
    await registry.start()
  } catch (err) {
    await node.stop()
    throw err
  }
  return registry
}
