import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { compareHlc, tickHlc, witnessHlc, type Hlc } from '../../../src/clock/hlc.js'
import { MAX_STAMP_LOGICAL as MAX_LOGICAL } from '../../../src/record/limits.js'

const numRuns = Number(process.env.FC_RUNS ?? 200)
const hlcArb = fc.record({ wall: fc.integer({ min: 0, max: 1_000 }), logical: fc.integer({ min: 0, max: 5 }) })

describe('hybrid logical clock', () => {
  it.each([
    ['follows physical time when it moves ahead', { wall: 5, logical: 3 }, 9, { wall: 9, logical: 0 }],
    ['counts logically when physical time stands still', { wall: 9, logical: 0 }, 9, { wall: 9, logical: 1 }],
    ['never goes back when physical time does', { wall: 9, logical: 1 }, 4, { wall: 9, logical: 2 }]
  ])('tick %s', (_name, last, physical, expected) => {
    expect(tickHlc(last, physical)).toEqual(expected)
  })

  it('moves past every stamp it witnesses, and past its own last stamp', () => {
    fc.assert(fc.property(hlcArb, hlcArb, fc.integer({ min: 0, max: 1_000 }), (last: Hlc, remote: Hlc, physical) => {
      const next = witnessHlc(last, remote, physical)
      expect(compareHlc(next, last)).toBeGreaterThan(0)
      expect(compareHlc(next, remote)).toBeGreaterThan(0)
      expect(next.wall).toBeGreaterThanOrEqual(physical)
      expect(compareHlc(tickHlc(next, physical), next)).toBeGreaterThan(0)
    }), { numRuns })
  })

  it('orders by wall time, then by the logical counter', () => {
    expect(compareHlc({ wall: 1, logical: 9 }, { wall: 2, logical: 0 })).toBeLessThan(0)
    expect(compareHlc({ wall: 2, logical: 1 }, { wall: 2, logical: 0 })).toBeGreaterThan(0)
    expect(compareHlc({ wall: 2, logical: 1 }, { wall: 2, logical: 1 })).toBe(0)
  })
})

describe('hybrid logical clock at the logical limit', () => {
  const atLimit = { wall: 9, logical: MAX_LOGICAL }

  it('carries into the wall part instead of wrapping when a local tick passes the limit', () => {
    expect(tickHlc(atLimit, 9)).toEqual({ wall: 10, logical: 0 })
    expect(tickHlc(atLimit, 4)).toEqual({ wall: 10, logical: 0 })
  })

  it('carries when a witnessed stamp is at the limit, and stays past it', () => {
    const next = witnessHlc({ wall: 9, logical: 0 }, atLimit, 5)
    expect(next).toEqual({ wall: 10, logical: 0 })
    expect(compareHlc(next, atLimit)).toBeGreaterThan(0)
  })
})
