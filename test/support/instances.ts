/**
 * Instance views for balancing tests: what `lookup()` returns, built without a registry.
 */
import type { Instance } from '../../src/record/types.js'

/** An alive, passing instance `name` of owner `owner`. */
export function instance (name: string, fields: Partial<Instance> = {}): Instance {
  return {
    id: name, owner: 'owner', service: 'orders', version: '1.0.0', address: `${name}.local`, port: 80,
    tags: [], metadata: {}, weight: 1, status: 'passing', stamp: { wall: 1, logical: 0 }, memberState: 'alive',
    ...fields
  }
}

/** A seeded uniform random source (mulberry32), so statistical tests are repeatable. */
export function seededRandom (seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
