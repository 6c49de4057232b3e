import { describe, expect, it } from 'vitest'
import { PeerGuard, STRIKE_POLICY } from '../../../src/guard/peer-guard.js'
import { Strikes } from '../../../src/guard/strikes.js'
import { TokenBuckets } from '../../../src/guard/token-bucket.js'

describe('TokenBuckets', () => {
  it('allows a burst, then the refill rate', () => {
    const buckets = new TokenBuckets({ perSecond: 10, burst: 3 })
    expect([1, 2, 3, 4].map(() => buckets.take('p', 0))).toEqual([true, true, true, false])
    expect(buckets.take('p', 99)).toBe(false)
    expect(buckets.take('p', 100)).toBe(true)
    expect(buckets.take('other', 100)).toBe(true)
    expect(buckets.take('p', 10_000, 3)).toBe(true)
    expect(buckets.take('p', 10_000)).toBe(false)
  })
})

describe('Strikes', () => {
  it('bans at the threshold, forgives over time, and lifts the ban after banMs', () => {
    const strikes = new Strikes({ threshold: 3, decayMs: 1_000, banMs: 5_000 })
    expect(strikes.strike('p', 0)).toBe(false)
    expect(strikes.strike('p', 0)).toBe(false)
    // Two seconds later two strikes are forgiven: this one is the first again.
    expect(strikes.strike('p', 2_000)).toBe(false)
    expect(strikes.strike('p', 2_000)).toBe(false)
    expect(strikes.strike('p', 2_000)).toBe(true)
    expect(strikes.isBanned('p', 6_999)).toBe(true)
    expect(strikes.isBanned('p', 7_000)).toBe(false)
  })
})

describe('PeerGuard', () => {
  it('denies peers off the allow-list and banned peers, never itself', () => {
    const guard = new PeerGuard('me', ['friend'])
    expect(guard.isDenied('friend', 0)).toBe(false)
    expect(guard.isDenied('stranger', 0)).toBe(true)
    expect(guard.isAllowedOwner('me')).toBe(true)
    for (let i = 1; i < STRIKE_POLICY.threshold; i++) expect(guard.strike('friend', 0)).toBe(false)
    expect(guard.strike('friend', 0)).toBe(true)
    expect(guard.isDenied('friend', 1)).toBe(true)
    expect(new PeerGuard('me', undefined).isDenied('anyone', 0)).toBe(false)
  })
})
