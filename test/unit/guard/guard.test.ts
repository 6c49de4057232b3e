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

  it('budgets the hashing of beats: one chain length at once, then a trickle', () => {
    const guard = new PeerGuard('me', undefined, 4_096)
    // A beat far ahead on its chain takes the whole burst; the next such beat must wait for the refill.
    expect(guard.admitBeat('p', 4_096, 0)).toBe(true)
    expect(guard.admitBeat('p', 4_096, 1)).toBe(false)
    expect(guard.admitBeat('p', 1, 100)).toBe(true)
    // Honest beats, one step each, are never short.
    for (let t = 200; t < 20_000; t += 200) expect(guard.admitBeat('q', 1, t)).toBe(true)
  })

  it('counts its own publishes against what it relays, with a bounded debt', () => {
    const guard = new PeerGuard('me', undefined)
    for (let i = 0; i < 10_000; i++) guard.chargeOwnPublish(0)
    expect(guard.admitRelay(0)).toBe(false)
    // The debt is one burst at most: one burst's worth of refill (4 s at 400/s) clears it.
    expect(guard.admitRelay(3_900)).toBe(false)
    expect(guard.admitRelay(4_100)).toBe(true)
  })
})
