/**
 * Token buckets per key (peer): `take(key, nowMs)` spends a token if one is left. Pure: time comes in.
 * Buckets of idle keys are dropped once full again, so memory follows the number of active peers.
 */
import { PerPeer } from './per-peer.js'

/** A rate: `perSecond` tokens refill every second, up to `burst`. */
export interface Rate {
  readonly perSecond: number
  readonly burst: number
}

interface Bucket {
  tokens: number
  atMs: number
}

/** Per-key token buckets with one rate. */
export class TokenBuckets {
  private readonly buckets: PerPeer<Bucket>

  constructor (private readonly rate: Rate) {
    // A new bucket starts full; `atMs` 0 only makes the first refill a no-op, since it is capped at the burst.
    this.buckets = new PerPeer(() => ({ tokens: rate.burst, atMs: 0 }))
  }

  /** Spends `cost` tokens of `key` if it has them; false means over the rate. */
  take (key: string, nowMs: number, cost = 1): boolean {
    const bucket = this.refilled(key, nowMs)
    if (bucket.tokens < cost) return false
    bucket.tokens -= cost
    return true
  }

  /**
   * Spends `cost` tokens of `key` whether it has them or not: a debt delays what `take` allows next. The debt is
   * capped at one burst, so a long spell of charges delays `take` by at most one burst's worth of refill.
   */
  charge (key: string, nowMs: number, cost = 1): void {
    const bucket = this.refilled(key, nowMs)
    bucket.tokens = Math.max(-this.rate.burst, bucket.tokens - cost)
  }

  private refilled (key: string, nowMs: number): Bucket {
    const bucket = this.buckets.get(key)
    const refill = Math.max(0, nowMs - bucket.atMs) * this.rate.perSecond / 1000
    bucket.tokens = Math.min(this.rate.burst, bucket.tokens + refill)
    bucket.atMs = nowMs
    return bucket
  }
}
