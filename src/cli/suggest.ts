/**
 * "Did you mean": the closest known name to a mistyped one, for config-file keys and environment variables
 * (commander already suggests for commands and flags).
 */

/** The candidate nearest to `given` by edit distance, if it is near enough to be a typo. */
export function closest (given: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined
  let bestDistance = Infinity
  for (const candidate of candidates) {
    const d = distance(given.toLowerCase(), candidate.toLowerCase())
    if (d < bestDistance) [best, bestDistance] = [candidate, d]
  }
  // A third of the name (at least 2) is what commander allows too: beyond that a suggestion is a guess.
  return bestDistance <= Math.max(2, Math.floor(given.length / 3)) ? best : undefined
}

/** Levenshtein distance, one row at a time. */
function distance (a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const row = [i]
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    previous = row
  }
  return previous[b.length]!
}
