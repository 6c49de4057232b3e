/**
 * The membership comparison on a tiny seeded cluster: every design must see a crash and a hang dead at every
 * live node, with no false death on a loss-free network, and the per-node cost must be flat in N for SWIM and
 * the observer rings while all-to-all beats grow with N.
 */
import { describe, expect, it } from 'vitest'
import { DESIGNS, markdownTable, runCompare } from '../../bench/membership/compare.js'
import { runScenario, type ScenarioResult } from '../../bench/membership/scenario.js'

function run (name: string, nodes: number, failures: number): ScenarioResult {
  const design = DESIGNS.find((d) => d.name === name)!
  return runScenario({
    design: name, factory: design.factory(nodes), nodes, loss: 0, seed: 3, warmupMs: 3_000, steadyMs: 3_000,
    crashes: failures, hangs: failures, detectWindowMs: design.detectWindowMs, slowMs: 0, maxWallMs: 10_000
  })
}

describe('membership comparison', () => {
  const small = new Map(DESIGNS.map((d) => [d.name, run(d.name, 20, 1)]))

  it.each(DESIGNS.map((d) => d.name))('%s marks a crashed and a hung member dead at every live node, with no false death', (name) => {
    const result = small.get(name)!
    expect(result.aborted).toBeNull()
    expect(result.crash!.samples).toBe(19)
    expect(result.hang!.samples).toBe(18)
    expect(result.crash!.missed).toBe(0)
    expect(result.hang!.missed).toBe(0)
    expect(result.falseDeaths).toBe(0)
  })

  it('detects within each design\'s own timings', () => {
    // Rings: a crash closes connections (observers alert at once); a hang needs the silence (1.5 s) plus gossip.
    expect(small.get('rings-k5h3-t1.5')!.crash!.max).toBeLessThan(50)
    expect(small.get('rings-k5h3-t1.5')!.hang!.max).toBeGreaterThan(1_000)
    expect(small.get('rings-k5h3-t1.5')!.hang!.max).toBeLessThan(1_600)
    expect(small.get('swim-fast')!.hang!.max).toBeLessThan(3_000)
    // All-to-all: dead after 10 s of silence, checked every quarter second.
    expect(small.get('all-to-all')!.crash!.max).toBeGreaterThanOrEqual(9_000)
    expect(small.get('all-to-all')!.crash!.max).toBeLessThan(11_500)
  })

  it('keeps SWIM and observer cost per node flat from N = 20 to N = 60, while all-to-all grows with N', () => {
    const ratio = (name: string): number => run(name, 60, 0).bytesPerNodePerSec! / small.get(name)!.bytesPerNodePerSec!
    for (const name of ['swim-lan', 'swim-fast', 'rings-k5h3-t1.5', 'rings-k8h5-t2.5']) {
      expect(ratio(name)).toBeLessThan(1.2)
      expect(ratio(name)).toBeGreaterThan(0.8)
    }
    expect(ratio('all-to-all')).toBeGreaterThan(2.5)
  })

  it('models a slow member: a 1 s stall every 10 s kills it under a 1.5 s silence, never under the pinged 2 s one', () => {
    const slow = (name: string): ScenarioResult => runScenario({
      design: name, factory: DESIGNS.find((d) => d.name === name)!.factory(20), nodes: 20, loss: 0, seed: 3, warmupMs: 3_000,
      steadyMs: 1_000, crashes: 0, hangs: 0, detectWindowMs: 0, slowMs: 30_000, maxWallMs: 10_000
    })
    expect(slow('rings-k5h3-t1.5').slow!.deaths).toBeGreaterThan(0)
    const pinged = slow('rings-k5h3-t2-ping').slow!
    expect(pinged.suspicions + pinged.deaths + pinged.othersSuspicions + pinged.othersDeaths).toBe(0)
  })

  it('runs the matrix and prints one table row per configuration', () => {
    const rows = runCompare({
      nodes: [20], losses: [0.05], designs: DESIGNS.filter((d) => d.name.startsWith('rings')), steadyMs: 2_000, slowMs: 2_000,
      crashes: 1, hangs: 0, seed: 1, flatNodes: 0, flatSteadyMs: 0, maxWallMs: 10_000
    })
    expect(rows).toHaveLength(4)
    const table = markdownTable(rows).split('\n')
    expect(table).toHaveLength(2 + 4)
    expect(table[2]).toMatch(/^\| rings-k5h3-t1\.5 \| 20 \| 20 \| 0\.05 \| /)
  })
})
