/**
 * Local health on its own: a wrong alert adds one to the penalty up to MAX_HEALTH_PENALTY, a quiet period after the
 * last move takes one off, and the factor the detector waits by is one more than the penalty.
 */
import { describe, expect, it } from 'vitest'
import { LocalHealth, MAX_HEALTH_PENALTY } from '../../../src/membership/local-health.js'

const QUIET_MS = 10_000

describe('local health', () => {
  it('starts healthy: penalty 0, the usual silence', () => {
    const health = new LocalHealth(QUIET_MS)
    expect(health.score).toBe(0)
    expect(health.factor).toBe(1)
  })

  it('adds one per alert proved wrong, up to the cap', () => {
    const health = new LocalHealth(QUIET_MS)
    for (let wrong = 1; wrong <= MAX_HEALTH_PENALTY + 2; wrong++) {
      health.provedWrong(wrong)
      expect(health.score).toBe(Math.min(wrong, MAX_HEALTH_PENALTY))
      expect(health.factor).toBe(1 + health.score)
    }
  })

  it('takes one off per quiet period counted from the last move, never below 0', () => {
    const health = new LocalHealth(QUIET_MS)
    health.provedWrong(1_000)
    health.provedWrong(2_000)
    health.recover(2_000 + QUIET_MS - 1)
    expect(health.score, 'a period not yet over').toBe(2)
    health.recover(2_000 + QUIET_MS)
    expect(health.score).toBe(1)
    health.recover(2_000 + QUIET_MS + 1)
    expect(health.score, 'the next period counts from the last recovery').toBe(1)
    health.recover(2_000 + 2 * QUIET_MS)
    expect(health.score).toBe(0)
    health.recover(2_000 + 5 * QUIET_MS)
    expect(health.score).toBe(0)
  })

  it('restarts the quiet period at each wrong alert', () => {
    const health = new LocalHealth(QUIET_MS)
    health.provedWrong(0)
    health.provedWrong(QUIET_MS - 1)
    health.recover(QUIET_MS)
    expect(health.score).toBe(2)
    health.recover(2 * QUIET_MS - 1)
    expect(health.score).toBe(1)
  })
})
