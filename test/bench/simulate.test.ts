/**
 * The simulator runs the pure core over a modelled overlay: on a small cluster, every operation must reach
 * every node, a silent member must die everywhere on the detector's schedule, traffic must follow the shape of
 * the beat protocol, and sampling members must not change what the traffic is estimated to be.
 */
import { describe, expect, it } from 'vitest'
import { runSimulation } from '../../bench/simulate/scenario.js'
import { SIM_DEFAULTS } from '../../bench/simulate/world.js'

describe('simulator', () => {
  it('converges every registration, and detects a killed member between deadAfter - heartbeat and deadAfter + heartbeat', async () => {
    const result = await runSimulation({ nodes: 30, ops: 5, steadySeconds: 2 })
    expect(result.traced).toBe(30)
    expect(result.register.count).toBe(5)
    expect(result.deregister.count).toBe(5)
    // A few LAN hops of ~0.5 ms each; a pull after a lost message would take a quarter heartbeat or more.
    expect(result.register.max).toBeLessThan(SIM_DEFAULTS.heartbeatMs / 4)
    expect(result.detectionMs).toBeGreaterThanOrEqual(SIM_DEFAULTS.deadAfterMs - SIM_DEFAULTS.heartbeatMs)
    expect(result.detectionMs).toBeLessThanOrEqual(SIM_DEFAULTS.deadAfterMs + SIM_DEFAULTS.heartbeatMs)
    expect(result.falseDeaths).toBe(0)
  })

  it('sends beat batches fanout times per flush, and each beat about fanout times per heartbeat', async () => {
    const nodes = 40
    const result = await runSimulation({ nodes, ops: 1, steadySeconds: 4 })
    const flushesPerSecond = 4 * 1000 / SIM_DEFAULTS.heartbeatMs
    expect(result.byChannel.beats.messagesPerNodePerSec).toBeGreaterThan(flushesPerSecond * SIM_DEFAULTS.beatFanout * 0.9)
    expect(result.byChannel.beats.messagesPerNodePerSec).toBeLessThanOrEqual(flushesPerSecond * SIM_DEFAULTS.beatFanout)
    // Each member's beat reaches every node once fresh and is relayed to `fanout` neighbours by each.
    const beatBytes = (result.byChannel.beats.bytesPerNodePerSec - result.byChannel.beats.messagesPerNodePerSec * 32) / (nodes * SIM_DEFAULTS.beatFanout)
    expect(beatBytes).toBeGreaterThan(50)
    expect(beatBytes).toBeLessThan(100)
  })

  it('estimates the same traffic from a sample of traced members', async () => {
    const full = await runSimulation({ nodes: 60, ops: 1, steadySeconds: 3 })
    const sampled = await runSimulation({ nodes: 60, ops: 1, steadySeconds: 3, traced: 15 })
    expect(sampled.traced).toBe(15)
    expect(sampled.byChannel.beats.bytesPerNodePerSec / full.byChannel.beats.bytesPerNodePerSec).toBeGreaterThan(0.85)
    expect(sampled.byChannel.beats.bytesPerNodePerSec / full.byChannel.beats.bytesPerNodePerSec).toBeLessThan(1.15)
  })

  it('still converges with 20 % of gossip messages lost, through mesh redundancy, IHAVE and pulls', async () => {
    const result = await runSimulation({ nodes: 40, ops: 5, steadySeconds: 2, config: { loss: 0.2 } })
    expect(result.register.count).toBe(5)
    expect(result.deregister.count).toBe(5)
    expect(result.detectionMs).toBeLessThanOrEqual(SIM_DEFAULTS.deadAfterMs + SIM_DEFAULTS.heartbeatMs)
  })
})
