/**
 * Seeded randomness for the simulator, so a run is reproducible from its seed (pure-rand's xoroshiro128+).
 */
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64'
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus'

/** A seeded source of the draws the simulator needs. */
export class Rng {
  private readonly generator: ReturnType<typeof xoroshiro128plus>

  constructor (seed: number) {
    this.generator = xoroshiro128plus(seed)
  }

  /** Uniform in [0, 1). */
  next (): number {
    return uniformFloat64(this.generator)
  }

  /** Uniform integer in [0, bound). */
  below (bound: number): number {
    return Math.floor(this.next() * bound)
  }

  /** True with probability `p`. */
  chance (p: number): boolean {
    return p > 0 && this.next() < p
  }

  /** Log-normal with the given median and shape (sigma of the underlying normal), by Box-Muller. */
  logNormal (median: number, sigma: number): number {
    const u = 1 - this.next()
    const v = this.next()
    const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
    return median * Math.exp(sigma * normal)
  }

  /** `size` uniform bytes. */
  bytes (size: number): Uint8Array {
    const bytes = new Uint8Array(size)
    for (let i = 0; i < size; i++) bytes[i] = this.below(256)
    return bytes
  }

  /** Up to `count` distinct elements of `items`, in random order. */
  sample<T> (items: readonly T[], count: number): T[] {
    const copy = [...items]
    const picked: T[] = []
    while (picked.length < count && copy.length > 0) {
      const i = this.below(copy.length)
      picked.push(copy[i]!)
      copy[i] = copy[copy.length - 1]!
      copy.pop()
    }
    return picked
  }
}
