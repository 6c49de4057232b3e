/**
 * The failover loop with outlier ejection, on injected time: a caller giving up never leaves an instance ejected.
 */
import { describe, expect, it } from 'vitest'
import { Balancer, createStrategy } from '../../../src/balance/balancer.js'
import { callWithFailover, type FailoverDeps } from '../../../src/balance/failover.js'
import { OutlierDetector } from '../../../src/balance/outlier.js'
import { instanceKey } from '../../../src/balance/strategy.js'
import type { Instance } from '../../../src/record/types.js'
import { instance, seededRandom } from '../../support/instances.js'

const only = instance('a')
const key = instanceKey(only)

/** One instance behind a balancer that skips what `outliers` ejected, on a clock the test moves. */
function setup (): { deps: FailoverDeps, outliers: OutlierDetector, clock: { now: number } } {
  const clock = { now: 0 }
  const outliers = new OutlierDetector({ consecutiveFailures: 3, baseEjectionMs: 1_000, maxEjectionMs: 3_000 })
  const balancer = new Balancer({
    instances: () => [only],
    isAvailable: (k) => outliers.isAvailable(k, clock.now),
    random: seededRandom(1),
    pending: () => 0,
    zone: undefined
  }, createStrategy('round-robin'), false)
  return { deps: { balancer, outliers, inFlight: new Map(), now: () => clock.now }, outliers, clock }
}

const failing = async (): Promise<never> => { throw new Error('refused') }
/** A callee that never answers by itself: it settles only when its signal aborts. */
const hanging = async (_instance: Instance, signal: AbortSignal): Promise<never> => await new Promise((_resolve, reject) => {
  signal.addEventListener('abort', () => { reject(new Error('aborted')) }, { once: true })
})

describe('callWithFailover', () => {
  it('ends the trial call when the caller aborts it, so the instance gets another trial', async () => {
    const { deps, outliers, clock } = setup()
    const options = { service: 'orders', retries: 0, timeoutMs: 60_000 }
    for (let i = 0; i < 3; i++) await expect(callWithFailover(deps, options, failing)).rejects.toThrow()
    expect(outliers.ejected(0)).toEqual([key])

    clock.now = 1_000
    const caller = new AbortController()
    const trial = callWithFailover(deps, { ...options, signal: caller.signal }, hanging)
    expect(outliers.isAvailable(key, 1_000)).toBe(false)
    caller.abort(new Error('caller gave up'))
    await expect(trial).rejects.toThrow('caller gave up')

    // Not the instance's fault: no new ejection, and the next call is its trial.
    expect(outliers.isAvailable(key, 1_000)).toBe(true)
    expect(outliers.ejected(1_000)).toEqual([])
    clock.now = 60_000
    await expect(callWithFailover(deps, options, async (i) => i.id)).resolves.toBe('a')
    expect(outliers.isAvailable(key, 60_000)).toBe(true)
    expect(deps.inFlight.size).toBe(0)
  })
})
