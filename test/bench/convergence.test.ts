/**
 * The convergence bench's harness on a tiny cluster with the test preset's timings: worker processes start,
 * every timed operation is seen by every node, the steady window counts no false alarm, the SIGSTOPped and the
 * SIGKILLed workers are found dead within the slow path's bound, the late joiner fetches the whole table, and
 * every process is gone afterwards.
 */
import { describe, expect, it } from 'vitest'
import { runConvergence } from '../../bench/convergence/scenario.js'
import { PRESETS } from '../../src/index.js'

describe('convergence bench', () => {
  it('measures registrations, deregistrations, a late joiner, a SIGSTOP and a SIGKILL on a 4-node cluster', async () => {
    const options = PRESETS.test
    const result = await runConvergence({ nodes: 4, ops: 3, steadySeconds: 1, options })
    // Two host processes, the one to be hung and the one to be killed.
    expect(result.processes).toBe(4)
    expect(result.register.count).toBe(3)
    expect(result.deregister.count).toBe(3)
    expect(result.register.min).toBeGreaterThan(0)
    // A SIGKILL closes the victim's connections: observers whose dial is then refused alert at once; one that
    // never had a beat from it since taking it on (views that differ around the late joiner) waits deadAfter.
    // Either way the death is bounded by the slow path.
    expect(result.detectionMs).toBeGreaterThan(0)
    expect(result.detectionMs).toBeLessThanOrEqual(options.deadAfter! + options.heartbeatInterval!)
    // A hang closes nothing: its observers alert after suspectAfter of silence (counted from its last beat, up to a
    // heartbeat before the SIGSTOP), and the alerts kill it.
    expect(result.hangDetectionMs).toBeGreaterThanOrEqual(options.suspectAfter! - options.heartbeatInterval!)
    expect(result.hangDetectionMs).toBeLessThanOrEqual(options.deadAfter! + options.heartbeatInterval!)
    // Suspicions may come and go on a loaded test machine; a death needs deadAfter of silence.
    expect(result.steady).toMatchObject({ seconds: 1, falseSuspicions: expect.any(Number), falseDeaths: 0 })
    expect(result.joinTableMs).toBeGreaterThan(0)
    expect(result.steady.wireBytesPerNodePerSec).toBeGreaterThan(result.steady.payloadBytesOutPerNodePerSec)
    expect(result.steady.rssMbSingleNode).toBeGreaterThan(0)
  }, 120_000)
})
