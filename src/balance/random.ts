/**
 * Uniform random choice, and weighted random choice by each record's `weight`. Pure: randomness comes in.
 */
import type { Strategy } from './strategy.js'

/** Every candidate equally likely. */
export function random (): Strategy {
  return { pick: (candidates, { random }) => candidates[Math.floor(random() * candidates.length)]! }
}

/**
 * A candidate with probability weight / total weight. Weight 0 means "only if nothing else": when every
 * candidate weighs 0 they are equally likely, so a service whose weights were all set to 0 stays reachable.
 */
export function weighted (): Strategy {
  return {
    pick: (candidates, { random }) => {
      let total = 0
      for (const candidate of candidates) total += candidate.weight
      if (total === 0) return candidates[Math.floor(random() * candidates.length)]!
      let point = random() * total
      for (const candidate of candidates) {
        point -= candidate.weight
        if (point < 0) return candidate
      }
      return candidates[candidates.length - 1]!
    }
  }
}
