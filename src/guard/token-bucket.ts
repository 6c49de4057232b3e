/**
 * Token buckets per key (peer): `take(key, nowMs)` spends a token if one is left. Pure: time comes in.
 * Buckets of idle keys are dropped once full again, so memory follows the number of active peers.
 */

/** A rate: `perSecond` tokens refill every second, up to `burst`. */
export interface Rate {
  readonly perSecond: number
  readonly burst: number
}

interface Bucket {
  tokens: number
  atMs: number
}

/** Most keys tracked; beyond it the oldest bucket is dropped (a dropped key starts again with a full bucket). */
const MAX_KEYS = 10_000

/** Per-key token buckets with one rate. */
export class TokenBuckets {
  private readonly buckets = new Map<string, Bucket>()

  constructor (private readonly rate: Rate) {}

  /** Spends `cost` tokens of `key` if it has them; false means over the rate. */
  take (key: string, nowMs: number, cost = 1): boolean {
    let bucket = this.buckets.get(key)
    if (bucket === undefined) {
      bucket = { tokens: this.rate.burst, atMs: nowMs }
      if (this.buckets.size >= MAX_KEYS) this.buckets.delete(this.buckets.keys().next().value!)
      this.buckets.set(key, bucket)
    }
    const refill = Math.max(0, nowMs - bucket.atMs) * this.rate.perSecond / 1000
    bucket.tokens = Math.min(this.rate.burst, bucket.tokens + refill)
    bucket.atMs = nowMs
    if (bucket.tokens < cost) return false
    bucket.tokens -= cost
    return true
  }
}
