/**
 * Least pending: the candidate with the fewest calls in flight from this node, ties broken in turn (so idle
 * candidates share the load instead of the first one taking it all). Pure.
 */
import type { Strategy } from './strategy.js'

/** Fewest calls in flight from this node. */
export function leastPending (): Strategy {
  let turn = 0
  return {
    pick: (candidates, { pending }) => {
      let fewest = Number.POSITIVE_INFINITY
      const tied = []
      for (const candidate of candidates) {
        const count = pending(candidate)
        if (count < fewest) {
          fewest = count
          tied.length = 0
        }
        if (count === fewest) tied.push(candidate)
      }
      turn = (turn + 1) % Number.MAX_SAFE_INTEGER
      return tied[turn % tied.length]!
    }
  }
}
