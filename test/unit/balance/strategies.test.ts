/**
 * The balancing strategies: exact round-robin cycles, weighted shares within a stated tolerance, rendezvous
 * remapping, least-pending, and a balancer that follows a changing instance list.
 */
import { describe, expect, it } from 'vitest'
import { Balancer, createStrategy } from '../../../src/balance/balancer.js'
import { consistentHash } from '../../../src/balance/rendezvous.js'
import { instanceKey, type PickContext } from '../../../src/balance/strategy.js'
import type { Instance } from '../../../src/record/types.js'
import { instance, seededRandom } from '../../support/instances.js'

const three = [instance('a'), instance('b'), instance('c')]
const context = (overrides: Partial<PickContext> = {}): PickContext => ({ random: seededRandom(1), pending: () => 0, ...overrides })

describe('round-robin', () => {
  it('cycles through the candidates in order, exactly', () => {
    const strategy = createStrategy('round-robin')
    const picks = Array.from({ length: 9 }, () => strategy.pick(three, context()).id)
    expect(picks).toEqual(['a', 'b', 'c', 'a', 'b', 'c', 'a', 'b', 'c'])
  })
})

describe('weighted', () => {
  it('picks in proportion to weight, within 2 percentage points over 100 000 picks', () => {
    const strategy = createStrategy('weighted')
    const weighted = [instance('a', { weight: 1 }), instance('b', { weight: 3 }), instance('c', { weight: 6 })]
    const counts = new Map<string, number>()
    const ctx = context({ random: seededRandom(42) })
    for (let i = 0; i < 100_000; i++) {
      const id = strategy.pick(weighted, ctx).id
      counts.set(id, (counts.get(id) ?? 0) + 1)
    }
    // Standard deviation of a share p over n picks is sqrt(p(1-p)/n) < 0.0016: 2 points is over 12 sigma.
    expect(Math.abs(counts.get('a')! / 100_000 - 0.1)).toBeLessThan(0.02)
    expect(Math.abs(counts.get('b')! / 100_000 - 0.3)).toBeLessThan(0.02)
    expect(Math.abs(counts.get('c')! / 100_000 - 0.6)).toBeLessThan(0.02)
  })

  it('never picks a weight-0 instance while another has weight, and treats all-zero as equal', () => {
    const strategy = createStrategy('weighted')
    const ctx = context({ random: seededRandom(7) })
    const zeroed = [instance('a', { weight: 0 }), instance('b', { weight: 2 })]
    for (let i = 0; i < 1_000; i++) expect(strategy.pick(zeroed, ctx).id).toBe('b')
    const allZero = [instance('a', { weight: 0 }), instance('b', { weight: 0 })]
    const seen = new Set(Array.from({ length: 100 }, () => strategy.pick(allZero, ctx).id))
    expect(seen).toEqual(new Set(['a', 'b']))
  })
})

describe('consistent-hash (rendezvous)', () => {
  const ten = Array.from({ length: 10 }, (_, i) => instance(`i${i}`))
  const keys = Array.from({ length: 10_000 }, (_, i) => `user-${i}`)

  it('sends a key to the same instance every time', () => {
    const strategy = consistentHash()
    for (const key of keys.slice(0, 100)) expect(strategy.pick(ten, context({ key })).id).toBe(strategy.pick([...ten].reverse(), context({ key })).id)
  })

  it('remaps only the keys of a removed instance', () => {
    const strategy = consistentHash()
    const before = new Map(keys.map((key) => [key, strategy.pick(ten, context({ key })).id]))
    const removed = 'i3'
    const after = new Map(keys.map((key) => [key, strategy.pick(ten.filter((i) => i.id !== removed), context({ key })).id]))
    const moved = keys.filter((key) => before.get(key) !== after.get(key))
    expect(moved.every((key) => before.get(key) === removed)).toBe(true)
    // The removed instance held about 1/10 of the keys (binomial: 1000 +- 30); allow 20 %.
    expect(moved.length / keys.length).toBeGreaterThan(0.08)
    expect(moved.length / keys.length).toBeLessThan(0.12)
  })

  it('spreads keys evenly', () => {
    const strategy = consistentHash()
    const counts = new Map<string, number>()
    for (const key of keys) {
      const id = strategy.pick(ten, context({ key })).id
      counts.set(id, (counts.get(id) ?? 0) + 1)
    }
    for (const count of counts.values()) expect(Math.abs(count - 1_000)).toBeLessThan(200)
  })
})

describe('least-pending', () => {
  it('picks the instance with the fewest calls in flight, sharing ties in turn', () => {
    const strategy = createStrategy('least-pending')
    const pending = new Map([['a', 3], ['b', 1], ['c', 1]])
    const ctx = context({ pending: (i: Instance) => pending.get(i.id) ?? 0 })
    const picks = Array.from({ length: 4 }, () => strategy.pick(three, ctx).id)
    expect(new Set(picks)).toEqual(new Set(['b', 'c']))
    pending.set('c', 0)
    expect(strategy.pick(three, ctx).id).toBe('c')
  })
})

describe('Balancer', () => {
  it('follows the live instance list and skips ejected instances', () => {
    let live = [instance('a'), instance('b')]
    const ejected = new Set<string>()
    const balancer = new Balancer({ instances: () => live, isAvailable: (key) => !ejected.has(key), random: seededRandom(3), pending: () => 0, zone: undefined }, createStrategy('round-robin'), false)
    expect([balancer.pick()?.id, balancer.pick()?.id]).toEqual(['a', 'b'])
    live = [...live, instance('c')]
    expect(new Set([balancer.pick()?.id, balancer.pick()?.id, balancer.pick()?.id])).toEqual(new Set(['a', 'b', 'c']))
    ejected.add(instanceKey(live[0]!))
    for (let i = 0; i < 6; i++) expect(balancer.pick()?.id).not.toBe('a')
    live = []
    expect(balancer.pick()).toBeUndefined()
  })

  it('prefers instances in its own zone while any is available', () => {
    const live = [instance('far', { metadata: { zone: 'us' } }), instance('near', { metadata: { zone: 'eu' } })]
    const ejected = new Set<string>()
    const balancer = new Balancer({ instances: () => live, isAvailable: (key) => !ejected.has(key), random: seededRandom(3), pending: () => 0, zone: 'eu' }, createStrategy('round-robin'), true)
    for (let i = 0; i < 4; i++) expect(balancer.pick()?.id).toBe('near')
    ejected.add(instanceKey(live[1]!))
    expect(balancer.pick()?.id).toBe('far')
  })
})
