/** Random choices with the randomness injected, so the pure core and its tests stay deterministic. */

/** A copy of `items` in random order (Fisher-Yates). */
export function shuffled<T> (items: readonly T[], random: () => number = Math.random): T[] {
  const out = [...items]
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}

/** Up to `count` of `items`, picked at random. */
export function pick<T> (items: readonly T[], count: number, random: () => number = Math.random): T[] {
  return shuffled(items, random).slice(0, count)
}
