/**
 * A balancer over the live table: every pick reads the current instances, so instances that come and go are
 * picked up without re-creating it. Candidates are the healthy instances minus those this node ejected, and
 * with `locality`, only those in this node's zone while any is there.
 */
import type { Instance } from '../record/types.js'
import { consistentHash } from './rendezvous.js'
import { leastPending } from './least-pending.js'
import { random, weighted } from './random.js'
import { roundRobin } from './round-robin.js'
import { instanceKey, type PickContext, type Strategy, type StrategyName } from './strategy.js'

/** Creates a built-in strategy by name. */
export function createStrategy (name: StrategyName): Strategy {
  switch (name) {
    case 'round-robin': return roundRobin()
    case 'random': return random()
    case 'weighted': return weighted()
    case 'consistent-hash': return consistentHash()
    case 'least-pending': return leastPending()
  }
}

/** Every strategy name, for validation. */
export const STRATEGY_NAMES: readonly StrategyName[] = ['round-robin', 'random', 'weighted', 'consistent-hash', 'least-pending']

/** What a balancer reads from its registry. */
export interface BalancerSource {
  /** Current healthy instances of the service (the lookup), in a stable order. */
  readonly instances: () => readonly Instance[]
  /** Ejected instances are skipped. */
  readonly isAvailable: (key: string) => boolean
  readonly random: () => number
  readonly pending: (instance: Instance) => number
  /** This node's zone, for locality. */
  readonly zone: string | undefined
}

/** Picks instances of one service. */
export class Balancer {
  constructor (
    private readonly source: BalancerSource,
    private readonly strategy: Strategy,
    private readonly locality: boolean
  ) {}

  /** The instance to call next, or undefined if none is available. `key` is the affinity key for consistent hashing. */
  pick (key?: string): Instance | undefined {
    return this.pickFrom(this.candidates(), key)
  }

  /** @internal A pick that skips instances already tried (failover). */
  pickExcept (tried: ReadonlySet<string>, key?: string): Instance | undefined {
    return this.pickFrom(this.candidates().filter((instance) => !tried.has(instanceKey(instance))), key)
  }

  private candidates (): Instance[] {
    return this.source.instances().filter((instance) => this.source.isAvailable(instanceKey(instance)))
  }

  private pickFrom (candidates: Instance[], key: string | undefined): Instance | undefined {
    let pool = candidates
    if (this.locality && this.source.zone !== undefined) {
      const local = candidates.filter((instance) => instance.metadata.zone === this.source.zone)
      if (local.length > 0) pool = local
    }
    if (pool.length === 0) return undefined
    const context: PickContext = { key, random: this.source.random, pending: this.source.pending }
    return this.strategy.pick(pool, context)
  }
}
