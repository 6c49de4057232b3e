/**
 * The simulator runs the registry's own engines over an in-memory transport: on a small cluster, every operation
 * must reach every node, a silent member must die everywhere on the observers' schedule, liveness traffic must
 * follow the shape of the observer protocol (a beat to each observer, whatever N is), and sampling members must
 * not change what the traffic is estimated to be.
 */
import { describe, expect, it } from 'vitest'
import { runSimulation } from '../../bench/simulate/scenario.js'
import { FRAMING_BYTES, SIM_DEFAULTS } from '../../bench/simulate/world.js'

const beatsPerSecond = 1000 / SIM_DEFAULTS.heartbeatMs

describe('simulator', () => {
  it('converges every registration; a crash is dead everywhere about a heartbeat later, a hang one observer timeout later', async () => {
    const result = await runSimulation({ nodes: 30, ops: 5, steadySeconds: 2 })
    expect(result.traced).toBe(30)
    expect(result.register.count).toBe(5)
    expect(result.deregister.count).toBe(5)
    // A few LAN hops of ~0.5 ms each; a pull after a lost message would take a heartbeat or more.
    expect(result.register.max).toBeLessThan(SIM_DEFAULTS.heartbeatMs / 4)
    // A crash closes its connections: each observer dials it a heartbeat later (a leave notice would have come
    // by then), at its next tick; the dial is refused a hop later, it alerts, and the alerts cross the mesh in a
    // few hops of ~0.5 ms.
    expect(result.detectionMs).toBeGreaterThanOrEqual(SIM_DEFAULTS.heartbeatMs)
    expect(result.detectionMs).toBeLessThan(SIM_DEFAULTS.heartbeatMs * 1.25 + 50)
    // A hang keeps them open: observers alert after suspectAfter of silence since its last beat (ticks come a
    // quarter heartbeat apart), and a quorum of alerts kills.
    expect(result.hangDetectionMs).toBeGreaterThanOrEqual(SIM_DEFAULTS.suspectAfterMs - SIM_DEFAULTS.heartbeatMs)
    expect(result.hangDetectionMs).toBeLessThanOrEqual(SIM_DEFAULTS.suspectAfterMs + SIM_DEFAULTS.heartbeatMs)
    expect(result.falseSuspicions).toBe(0)
    expect(result.falseDeaths).toBe(0)
  })

  it('repeats exactly from its seed, lossy links included', async () => {
    const run = async (): Promise<unknown> => {
      const { wallSeconds: _wallSeconds, ...result } = await runSimulation({ nodes: 20, ops: 3, steadySeconds: 2, config: { loss: 0.2 } })
      return result
    }
    // Heartbeat chains were once drawn from node:crypto: their ids' varint lengths changed frame sizes, and the
    // same seed gave different suspicions from run to run.
    expect(await run()).toEqual(await run())
  })

  it('sends each beat straight to at most K observers, about 35 bytes of payload each', async () => {
    const result = await runSimulation({ nodes: 40, ops: 1, steadySeconds: 4 })
    const { messagesPerNodePerSec, bytesPerNodePerSec } = result.byChannel.beats
    // Up to K distinct observers (two rings can give the same successor); at least K - 1 on average.
    expect(messagesPerNodePerSec).toBeGreaterThan((SIM_DEFAULTS.observers - 1) * beatsPerSecond)
    expect(messagesPerNodePerSec).toBeLessThanOrEqual(SIM_DEFAULTS.observers * beatsPerSecond * 1.05)
    const payload = bytesPerNodePerSec / messagesPerNodePerSec - FRAMING_BYTES
    expect(payload).toBeGreaterThan(25)
    expect(payload).toBeLessThan(50)
  })

  it('keeps liveness traffic per node flat as the cluster grows', async () => {
    const small = await runSimulation({ nodes: 30, ops: 1, steadySeconds: 3 })
    const large = await runSimulation({ nodes: 120, ops: 1, steadySeconds: 3 })
    const ratio = large.byChannel.beats.bytesPerNodePerSec / small.byChannel.beats.bytesPerNodePerSec
    expect(ratio).toBeGreaterThan(0.85)
    expect(ratio).toBeLessThan(1.15)
  })

  it('estimates the same traffic from a sample of traced members', async () => {
    const full = await runSimulation({ nodes: 60, ops: 1, steadySeconds: 3 })
    const sampled = await runSimulation({ nodes: 60, ops: 1, steadySeconds: 3, traced: 15 })
    expect(sampled.traced).toBe(15)
    expect(sampled.byChannel.beats.bytesPerNodePerSec / full.byChannel.beats.bytesPerNodePerSec).toBeGreaterThan(0.85)
    expect(sampled.byChannel.beats.bytesPerNodePerSec / full.byChannel.beats.bytesPerNodePerSec).toBeLessThan(1.15)
  })

  it('scales only the per-owner part of anti-entropy frames: converged tables cost the same traced in full or sampled', async () => {
    // Frequent rounds between converged tables: a root each way and an empty summary, whatever N is.
    const config = { antiEntropyMs: 300 }
    const full = await runSimulation({ nodes: 60, ops: 1, steadySeconds: 3, config })
    const sampled = await runSimulation({ nodes: 60, ops: 1, steadySeconds: 3, traced: 3, config })
    const ratio = sampled.byChannel.sync.bytesPerNodePerSec / full.byChannel.sync.bytesPerNodePerSec
    expect(full.byChannel.sync.bytesPerNodePerSec).toBeGreaterThan(0)
    expect(ratio).toBeGreaterThan(0.8)
    expect(ratio).toBeLessThan(1.25)
  })

  it('still converges and detects with 20 % of gossip messages lost, through mesh redundancy, IHAVE and pulls', async () => {
    const result = await runSimulation({ nodes: 40, ops: 5, steadySeconds: 2, config: { loss: 0.2 } })
    expect(result.register.count).toBe(5)
    expect(result.deregister.count).toBe(5)
    expect(result.hangDetectionMs).toBeLessThanOrEqual(SIM_DEFAULTS.suspectAfterMs + 2 * SIM_DEFAULTS.heartbeatMs)
    expect(result.falseDeaths).toBe(0)
  })
})
