import { describe, expect, it } from 'vitest'
import { OutlierDetector } from '../../../src/balance/outlier.js'

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
