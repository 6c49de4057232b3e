/**
 * The convergence bench's harness on a tiny cluster with the test preset's timings: worker processes start,
 * every timed operation is seen by every node, the SIGKILLed worker is found dead by its observers' probes, before
 * silence alone would tell, the late joiner fetches the whole table, and every process is gone afterwards.
 */
import { describe, expect, it } from 'vitest'
import { runConvergence } from '../../bench/convergence/scenario.js'
import { PRESETS } from '../../src/index.js'

describe('convergence bench', () => {
  it('measures registrations, deregistrations, a late joiner and a SIGKILL on a 4-node cluster', async () => {
    const options = PRESETS.test
    const result = await runConvergence({ nodes: 4, ops: 3, steadySeconds: 1, options })
    expect(result.processes).toBe(3)
    expect(result.register.count).toBe(3)
    expect(result.deregister.count).toBe(3)
    expect(result.register.min).toBeGreaterThan(0)
    // A SIGKILL closes the victim's connections: its observers' dials are refused and they alert at once, well
    // before suspectAfter of silence would have made them.
    expect(result.detectionMs).toBeGreaterThan(0)
    expect(result.detectionMs).toBeLessThan(options.suspectAfter!)
    expect(result.joinTableMs).toBeGreaterThan(0)
    expect(result.steady.wireBytesPerNodePerSec).toBeGreaterThan(result.steady.payloadBytesOutPerNodePerSec)
    expect(result.steady.rssMbSingleNode).toBeGreaterThan(0)
  }, 120_000)
})
