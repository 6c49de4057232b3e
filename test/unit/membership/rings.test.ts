/**
 * The K-ring relation: deterministic, symmetric (observers and subjects agree), bounded by K, and every member
 * of a view of two or more is watched by someone.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { Rings } from '../../../src/membership/rings.js'

const numRuns = Number(process.env.FC_RUNS ?? 100)
const viewArb = fc.uniqueArray(fc.string({ minLength: 1, maxLength: 12 }), { minLength: 2, maxLength: 60 })

describe('Rings', () => {
  it('gives each member between 1 and K observers, never itself', () => {
    fc.assert(fc.property(viewArb, fc.integer({ min: 1, max: 6 }), (view, k) => {
      const rings = new Rings(k)
      rings.update(view)
      for (const member of view) {
        const observers = rings.observersOf(member)
        expect(observers.length).toBeGreaterThanOrEqual(1)
        expect(observers.length).toBeLessThanOrEqual(k)
        expect(observers).not.toContain(member)
      }
    }), { numRuns })
  })

  it('agrees with itself: A observes B exactly when B is a subject of A', () => {
    fc.assert(fc.property(viewArb, (view) => {
      const rings = new Rings(4)
      rings.update(view)
      for (const a of view) {
        for (const b of view) {
          if (a === b) continue
          expect(rings.observersOf(b).includes(a)).toBe(rings.subjectsOf(a).includes(b))
        }
      }
    }), { numRuns })
  })

  it('depends only on the set of members, not on their order', () => {
    fc.assert(fc.property(viewArb, (view) => {
      const a = new Rings(4)
      const b = new Rings(4)
      a.update(view)
      b.update([...view].reverse())
      for (const member of view) expect(a.observersOf(member)).toEqual(b.observersOf(member))
    }), { numRuns })
  })

  it('places a member outside the view where its hash falls, and widens with the window', () => {
    const rings = new Rings(4)
    rings.update(['a', 'b', 'c', 'd', 'e', 'f'])
    const narrow = rings.observersOf('stranger')
    const wide = rings.observersOf('stranger', 2)
    expect(narrow.length).toBeGreaterThanOrEqual(1)
    for (const observer of narrow) expect(wide).toContain(observer)
  })

  it('spreads the watching: in a view of 200, nobody observes more than a few times K members', () => {
    const view = Array.from({ length: 200 }, (_, i) => `member-${i}`)
    const rings = new Rings(4)
    rings.update(view)
    const load = view.map((member) => rings.subjectsOf(member).length)
    expect(Math.max(...load)).toBeLessThanOrEqual(4)
    expect(load.reduce((a, b) => a + b, 0) / view.length).toBeGreaterThan(3)
  })
})
