/**
 * Self-preservation with real nodes: when most of the cluster falls silent at once, the survivor assumes it
 * is the one cut off and keeps the others suspect (stale) instead of dead, until the limit. They fall silent as
 * hung processes do (connections open): a crash, whose refused dials are evidence of death, is not a silence.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { PRESETS } from '../../src/index.js'
import { Cluster, hang } from '../support/cluster.js'

let cluster: Cluster

afterEach(async () => {
  await cluster.stopAll()
})

describe('self-preservation', () => {
  it('keeps a mass-silent majority stale, out of default lookups, until the limit', async () => {
    cluster = new Cluster()
    const limit = PRESETS.test.deadAfter * 2
    const nodes = await cluster.startMany(4, { selfPreservationLimit: limit })
    const survivor = nodes[0]!
    for (const [i, node] of nodes.entries()) await node.register({ service: 'shop', version: '1.0.0', address: `10.0.0.${i}`, port: 80 })
    await vi.waitFor(() => { expect(survivor.lookup('shop')).toHaveLength(4) }, { timeout: 10_000 })

    await Promise.all(nodes.slice(1).map(async (node) => hang(node)))
    const others = nodes.slice(1).map((n) => n.peerId)

    // Past deadAfter they are suspect and stale, not dead; their instances are hidden unless asked for.
    await vi.waitFor(() => {
      const members = survivor.members().filter((m) => others.includes(m.peerId))
      expect(members).toHaveLength(others.length)
      for (const member of members) expect([member.state, member.stale]).toEqual(['suspect', true])
    }, { timeout: PRESETS.test.deadAfter + 2_000, interval: 50 })
    expect(survivor.lookup('shop')).toHaveLength(1)
    expect(survivor.lookup('shop', { includeStale: true })).toHaveLength(4)

    // At the limit they die as usual.
    await vi.waitFor(() => {
      expect(survivor.members().filter((m) => others.includes(m.peerId)).map((m) => m.state)).toEqual(others.map(() => 'dead'))
    }, { timeout: limit + 3_000, interval: 100 })
    expect(survivor.lookup('shop', { includeStale: true })).toHaveLength(1)
  }, 30_000)
})
