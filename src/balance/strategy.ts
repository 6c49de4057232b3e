/**
 * The balancing strategy seam: given the candidate instances of one pick, choose one. Strategies keep their
 * own small state (a round-robin cursor) but no clock; randomness comes in as an argument. Pure.
 */
import type { Instance } from '../record/types.js'

/** What a strategy may use to choose. */
export interface PickContext {
  /** Affinity key (consistent hashing). */
  readonly key?: string
  /** A uniform random number in [0, 1). */
  readonly random: () => number
  /** Calls in flight from this node to an instance (least-pending). */
  readonly pending: (instance: Instance) => number
}

/** A balancing strategy. `candidates` is non-empty and in a stable order (owner, then id). */
export interface Strategy {
  pick: (candidates: readonly Instance[], context: PickContext) => Instance
}

/** Names of the built-in strategies. */
export type StrategyName = 'round-robin' | 'random' | 'weighted' | 'consistent-hash' | 'least-pending'

/** A stable key for an instance across the cluster. */
export function instanceKey (instance: Instance): string {
  return `${instance.owner}/${instance.id}`
}
