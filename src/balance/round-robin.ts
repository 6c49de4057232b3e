/**
 * Round-robin: each pick takes the next candidate in (owner, id) order. The cursor is a position, not an
 * instance, so instances that come and go are picked up without restarting the cycle. Pure.
 */
import type { Strategy } from './strategy.js'

/** A round-robin strategy with its own cursor. */
export function roundRobin (): Strategy {
  let cursor = 0
  return {
    pick: (candidates) => {
      const chosen = candidates[cursor % candidates.length]!
      cursor = (cursor + 1) % Number.MAX_SAFE_INTEGER
      return chosen
    }
  }
}
