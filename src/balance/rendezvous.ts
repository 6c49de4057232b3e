/**
 * Consistent hashing by rendezvous (highest random weight, Thaler and Ravishankar 1998): each key goes to the
 * candidate with the highest hash(key, instance). Removing one of N candidates remaps only the keys it held
 * (about 1/N), and no ring needs to be built or kept. Pure.
 */
import { instanceKey, type Strategy } from './strategy.js'

/**
 * cyrb53 (a public-domain 53-bit string hash): fast and well mixed, which is all rendezvous hashing needs.
 * It is not a security boundary: a caller choosing keys can only choose which instance it lands on.
 */
export function hash53 (text: string): number {
  let h1 = 0xdeadbeef
  let h2 = 0x41c6ce57
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i)
    h1 = Math.imul(h1 ^ ch, 2654435761)
    h2 = Math.imul(h2 ^ ch, 1597334677)
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909)
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909)
  return 4294967296 * (2097151 & h2) + (h1 >>> 0)
}

/** Rendezvous hashing by `key`; without a key it falls back to a random candidate. */
export function consistentHash (): Strategy {
  return {
    pick: (candidates, { key, random }) => {
      if (key === undefined) return candidates[Math.floor(random() * candidates.length)]!
      let best = candidates[0]!
      let bestScore = -1
      for (const candidate of candidates) {
        const score = hash53(`${key}\u0000${instanceKey(candidate)}`)
        if (score > bestScore) {
          best = candidate
          bestScore = score
        }
      }
      return best
    }
  }
}
