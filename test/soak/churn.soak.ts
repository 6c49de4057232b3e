/**
 * Churn soak (`npm run test:soak`, also run by CI): 20 nodes as processes on loopback, 100 register and
 * deregister operations a second for 60 s, then the checker: every live node holds exactly the expected set.
 * Reports the lag from each acknowledgement to visibility at every node (p50/p99/max), the suspicions and deaths
 * the load caused (every node stays up) and the longest event-loop stall, as one JSON line in
 * test-artifacts/soak.json: measurements, not assertions.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { PRESETS } from '../../src/index.js'
import { Checker } from '../support/checker.js'
import { CHURN_TIMING, churn, propagation, startChurnCluster, viewOf, type ChurnNode } from '../support/churn.js'

const NODES = Number(process.env.SOAK_NODES ?? 20)
const OPS_PER_SECOND = Number(process.env.SOAK_OPS ?? 100)
const SECONDS = Number(process.env.SOAK_SECONDS ?? 60)
const nodes: ChurnNode[] = []
const QUIESCENCE_TIMEOUT_MS = 240_000

afterAll(async () => {
  await Promise.allSettled(nodes.map(async (n) => n.node.stop()))
}, 60_000)

describe('churn soak', () => {
  it(`${NODES} nodes, ${OPS_PER_SECOND} ops/s for ${SECONDS} s: the checker passes`, async () => {
    await startChurnCluster(nodes, NODES, { ...PRESETS.test, ...CHURN_TIMING }, 120_000)

    // Reading the stats starts a new event-loop delay window: start-up stalls do not count as churn's.
    await Promise.all(nodes.map(async (n) => n.node.call('stats')))
    const checker = new Checker()
    const ops = await churn(nodes, checker, { opsPerSecond: OPS_PER_SECOND, durationMs: SECONDS * 1_000, service: 'soak' })
    // Two cores carry 20 processes at full churn, so the backlog takes a while to drain: the bound is generous,
    // and a failure says how far each node got and what it thought of its peers.
    try {
      await vi.waitFor(async () => {
        for (const n of nodes) expect(checker.check(await viewOf(n.node, 'soak'))).toEqual({ lost: [], resurrected: [], duplicated: [] })
      }, { timeout: QUIESCENCE_TIMEOUT_MS, interval: 1_000 })
    } catch (err) {
      for (const [i, n] of nodes.entries()) {
        const anomalies = checker.check(await viewOf(n.node, 'soak'))
        const states = new Map<string, number>()
        for (const m of await n.node.call<Array<{ state: string, stale: boolean }>>('members')) {
          const state = m.stale ? 'stale' : m.state
          states.set(state, (states.get(state) ?? 0) + 1)
        }
        console.error(`s${i}: lost ${anomalies.lost.length}, resurrected ${anomalies.resurrected.length}, duplicated ${anomalies.duplicated.length}; members ${JSON.stringify(Object.fromEntries(states))}`)
      }
      throw err
    }

    const lag = propagation(checker, nodes)
    // Every node stayed up, so each suspicion and death is a false one: the load, not a failure, caused it.
    const stats = await Promise.all(nodes.map(async (n) => n.node.call<{ memberChanges: Record<string, number>, loop: { maxMs: number } }>('stats')))
    const falseSuspicions = stats.reduce((sum, s) => sum + (s.memberChanges['member:suspect'] ?? 0), 0)
    const falseDeaths = stats.reduce((sum, s) => sum + (s.memberChanges['member:dead'] ?? 0), 0)
    const loopDelayMaxMs = Math.round(Math.max(...stats.map((s) => s.loop.maxMs)))
    const report = { bench: 'churn-soak', nodes: NODES, opsPerSecond: OPS_PER_SECOND, seconds: SECONDS, ops, ...lag, falseSuspicions, falseDeaths, loopDelayMaxMs }
    mkdirSync('test-artifacts', { recursive: true })
    writeFileSync('test-artifacts/soak.json', `${JSON.stringify(report)}\n`)
    console.log(JSON.stringify(report))
    expect(ops).toBeGreaterThan(OPS_PER_SECOND * SECONDS * 0.9)
  }, SECONDS * 1_000 + QUIESCENCE_TIMEOUT_MS + 300_000)
})
