/**
 * A hang while a newcomer that will observe the victim joins: the seeds below were the slow ones at N = 10 while a
 * new observer that had never heard its subject waited deadAfter even when the others accused it (the newcomer
 * added a third observer and raised the quorum to three, so the hang died only by the slow path, after ~10 s).
 */
import { describe, expect, it } from 'vitest'
import { runJoinHang } from '../../bench/simulate/join-hang.js'
import { SIM_DEFAULTS } from '../../bench/simulate/world.js'

const SLOW_BEFORE = [74, 91, 117, 255]

describe('join-hang simulation', () => {
  it('kills a hang that a newcomer will observe by its observers\' alerts, not by the slow path', async () => {
    for (const seed of SLOW_BEFORE) {
      const { runs: [run] } = await runJoinHang({ nodes: 10, runs: 1, firstSeed: seed })
      expect(run!.change, `seed ${seed}`).toBe('added')
      // Observers alert after suspectAfter of silence (ticks a quarter heartbeat apart, the last beat up to a
      // heartbeat before the hang); a few LAN hops carry the alerts.
      expect(run!.detectionMs, `seed ${seed}: ${JSON.stringify(run)}`).toBeLessThanOrEqual(SIM_DEFAULTS.suspectAfterMs + SIM_DEFAULTS.heartbeatMs)
      expect(run!.falseSuspicions + run!.falseDeaths, `seed ${seed}`).toBe(0)
    }
  })
})
