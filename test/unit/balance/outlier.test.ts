import { describe, expect, it } from 'vitest'
import { MAX_OUTLIER_RECORDS, OutlierDetector } from '../../../src/balance/outlier.js'

const options = { consecutiveFailures: 3, baseEjectionMs: 1_000, maxEjectionMs: 3_000 }

describe('OutlierDetector', () => {
  it('ejects after consecutive failures only', () => {
    const outliers = new OutlierDetector(options)
    expect(outliers.fail('a', 0)).toBe(false)
    expect(outliers.fail('a', 0)).toBe(false)
    outliers.succeed('a')
    expect(outliers.fail('a', 0)).toBe(false)
    expect(outliers.fail('a', 0)).toBe(false)
    expect(outliers.fail('a', 0)).toBe(true)
    expect(outliers.isAvailable('a', 999)).toBe(false)
    expect(outliers.ejected(999)).toEqual(['a'])
  })

  it('allows one trial call after the back-off, and doubles the back-off when it fails', () => {
    const outliers = new OutlierDetector(options)
    for (let i = 0; i < 3; i++) outliers.fail('a', 0)
    expect(outliers.isAvailable('a', 1_000)).toBe(true)
    outliers.begin('a', 1_000)
    expect(outliers.isAvailable('a', 1_000)).toBe(false)
    expect(outliers.fail('a', 1_000)).toBe(true)
    expect(outliers.isAvailable('a', 2_999)).toBe(false)
    expect(outliers.isAvailable('a', 3_000)).toBe(true)
    outliers.begin('a', 3_000)
    outliers.fail('a', 3_000)
    // 1 s, 2 s, then capped at 3 s instead of 4 s.
    expect(outliers.isAvailable('a', 5_999)).toBe(false)
    expect(outliers.isAvailable('a', 6_000)).toBe(true)
  })

  it('forgets an instance whose trial call succeeds', () => {
    const outliers = new OutlierDetector(options)
    for (let i = 0; i < 3; i++) outliers.fail('a', 0)
    outliers.begin('a', 1_000)
    outliers.succeed('a')
    expect(outliers.isAvailable('a', 1_000)).toBe(true)
    expect(outliers.fail('a', 1_000)).toBe(false)
  })
})

describe('OutlierDetector.abandon', () => {
  it('ends a trial call without a verdict: the instance stays ejected no longer than its back-off', () => {
    const outliers = new OutlierDetector(options)
    for (let i = 0; i < 3; i++) outliers.fail('a', 0)
    outliers.begin('a', 1_000)
    outliers.abandon('a')
    expect(outliers.isAvailable('a', 1_000)).toBe(true)
    // Neither a success nor a failure: the next failure is judged as a trial, ejecting again for 2 s.
    outliers.begin('a', 1_000)
    expect(outliers.fail('a', 1_000)).toBe(true)
    expect(outliers.isAvailable('a', 2_999)).toBe(false)
  })
})

describe('OutlierDetector, what it remembers', () => {
  // Twice the longest ejection (3 s) with no call outcome: the instance's ejection is long over, or it is gone.
  const IDLE = 2 * options.maxEjectionMs

  it('forgets an instance no call has failed for twice the longest ejection (a deregistered one is never called again)', () => {
    const outliers = new OutlierDetector(options)
    outliers.fail('gone', 0)
    outliers.fail('gone', 0)
    outliers.fail('other', IDLE - 1)
    outliers.fail('other', IDLE)
    // 'gone' starts over: two more failures are not three in a row.
    expect(outliers.fail('gone', IDLE)).toBe(false)
    expect(outliers.fail('gone', IDLE)).toBe(false)
    // 'other' failed within the window: it is remembered.
    expect(outliers.fail('other', IDLE)).toBe(true)
  })

  it('never forgets an instance while it is ejected', () => {
    const outliers = new OutlierDetector(options)
    for (let i = 0; i < 3; i++) outliers.fail('a', 0)
    for (let t = 1_000; t <= 5 * IDLE; t += 1_000) {
      // Trial calls keep failing: the back-off climbs to its maximum and stays there.
      outliers.fail(`other-${t}`, t)
      if (outliers.isAvailable('a', t)) {
        outliers.begin('a', t)
        expect(outliers.fail('a', t)).toBe(true)
      }
    }
    expect(outliers.ejected(5 * IDLE)).toEqual(['a'])
  })

  it(`remembers at most ${MAX_OUTLIER_RECORDS} instances, forgetting the one whose last failure is oldest`, () => {
    const outliers = new OutlierDetector(options)
    outliers.fail('first', 0)
    outliers.fail('first', 0)
    outliers.fail('kept', 0)
    outliers.fail('kept', 0)
    for (let i = 0; i < MAX_OUTLIER_RECORDS - 2; i++) outliers.fail(`k${i}`, 1)
    // A failure moves 'kept' to the back of the line; 'first' is the oldest when the next instance comes.
    outliers.fail('kept', 2)
    outliers.fail('newcomer', 2)
    expect(outliers.fail('first', 2)).toBe(false)
    expect(outliers.ejected(2)).toEqual(['kept'])
  })
})
