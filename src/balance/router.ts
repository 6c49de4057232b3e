/**
 * This node's client side of balancing: balancers by service and options, the outlier detector and the count
 * of calls in flight that they share, and `call()` with failover. Validates the options callers pass.
 */
import { InvalidArgumentError, describeValue } from '../errors.js'
import type { Instance } from '../record/types.js'
import { Balancer, createStrategy, STRATEGY_NAMES } from './balancer.js'
import { callWithFailover } from './failover.js'
import { OutlierDetector, type OutlierOptions } from './outlier.js'
import { instanceKey, type StrategyName } from './strategy.js'

/** Options of `registry.balancer()`. */
export interface BalancerOptions {
  /** @default 'round-robin' */
  strategy?: StrategyName
  /** A semver range the instances must satisfy. */
  version?: string
  /** Tags the instances must all carry. */
  tags?: readonly string[]
  /** Prefer instances whose `metadata.zone` is this node's `zone`, while any is available. @default false */
  locality?: boolean
}

/** Options of `registry.call()`. */
export interface CallOptions extends BalancerOptions {
  /** Further instances to try after the first fails. @default 2 */
  retries?: number
  /** ms one try may take before it counts as failed and the next instance is tried. @default 5_000 */
  timeout?: number
  /** Affinity key for `consistent-hash`. */
  key?: string
  /** Aborts the whole call. */
  signal?: AbortSignal
}

/** Defaults of `call()`: three tries in all, each bounded so a hung instance costs a few seconds, not forever. */
export const CALL_DEFAULTS = Object.freeze({ retries: 2, timeout: 5_000 })

/** Most balancers cached per node; beyond it the cache starts over (callers with unbounded option sets). */
const MAX_BALANCERS = 1_000

/** What the router reads from its registry. */
export interface RouterSource {
  lookup: (service: string, options: { version?: string, tags?: readonly string[] }) => readonly Instance[]
  now: () => number
  zone: string | undefined
}

/** Balancers, outlier ejection and failover for one registry. */
export class Router {
  private readonly outliers: OutlierDetector
  private readonly inFlight = new Map<string, number>()
  private readonly balancers = new Map<string, Balancer>()

  constructor (private readonly source: RouterSource, outlier: OutlierOptions) {
    this.outliers = new OutlierDetector(outlier)
  }

  /** A balancer over the live instances of a service. The same options give the same balancer (and cursor). */
  balancer (service: string, options: BalancerOptions = {}): Balancer {
    const strategy = options.strategy ?? 'round-robin'
    if (!STRATEGY_NAMES.includes(strategy)) {
      throw new InvalidArgumentError('strategy', `Expected \`strategy\` to be one of ${STRATEGY_NAMES.map((s) => `\`${s}\``).join(', ')}, got ${describeValue(strategy)}`)
    }
    const { version, tags } = options
    const locality = options.locality === true
    // Validates service, version and tags once, here, rather than on every pick.
    this.source.lookup(service, { version, tags })
    const cacheKey = JSON.stringify([service, strategy, version, tags, locality])
    let balancer = this.balancers.get(cacheKey)
    if (balancer === undefined) {
      balancer = new Balancer({
        instances: () => this.source.lookup(service, { version, tags }),
        isAvailable: (key) => this.outliers.isAvailable(key, this.source.now()),
        random: Math.random,
        pending: (instance) => this.inFlight.get(instanceKey(instance)) ?? 0,
        zone: this.source.zone
      }, createStrategy(strategy), locality)
      if (this.balancers.size >= MAX_BALANCERS) this.balancers.clear()
      this.balancers.set(cacheKey, balancer)
    }
    return balancer
  }

  /** Calls `fn` on an instance of the service, failing over to others; throws `NoHealthyInstanceError` when none answers. */
  async call<T> (service: string, fn: (instance: Instance, signal: AbortSignal) => Promise<T>, options: CallOptions = {}): Promise<T> {
    if (typeof fn !== 'function') throw new InvalidArgumentError('fn', `Expected \`fn\` to be a function, got ${describeValue(fn)}`)
    const retries = options.retries ?? CALL_DEFAULTS.retries
    const timeout = options.timeout ?? CALL_DEFAULTS.timeout
    if (!Number.isInteger(retries) || retries < 0) throw new InvalidArgumentError('retries', `Expected \`retries\` to be a non-negative integer, got ${describeValue(retries)}`)
    if (!Number.isInteger(timeout) || timeout <= 0) throw new InvalidArgumentError('timeout', `Expected \`timeout\` to be a positive integer (ms), got ${describeValue(timeout)}`)
    const balancer = this.balancer(service, options)
    return callWithFailover({ balancer, outliers: this.outliers, inFlight: this.inFlight, now: this.source.now }, { service, retries, timeoutMs: timeout, key: options.key, signal: options.signal }, fn)
  }

  /** Instances (`owner/id`) this node has ejected right now. */
  ejected (): string[] {
    return this.outliers.ejected(this.source.now())
  }
}
