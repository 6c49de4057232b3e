/**
 * A member declared dead comes back with the same key while its wall clock runs behind the stamps of its earlier
 * run (it had witnessed a fast peer, or NTP stepped back): everything it writes is older than the death its peers
 * hold. It must be visible again within about one anti-entropy round all the same (issue 13, item 1).
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { PRESETS, type Registry } from '../../src/index.js'
import { Cluster, newKey } from '../support/cluster.js'

const { deadAfter, antiEntropyInterval } = PRESETS.test
/** Behind, but within the peers' `maxClockDrift` of them, so their records are still taken in. */
const BEHIND_MS = 30_000

let cluster: Cluster

afterEach(async () => {
  await cluster.stopAll()
})

const stateAt = (node: Registry, peer: string): string | undefined => node.members().find((m) => m.peerId === peer)?.state

describe('a member restarted with its clock behind its earlier run', () => {
  it('is visible again with its new records within a few anti-entropy rounds', async () => {
    cluster = new Cluster()
    const key = await newKey()
    const peers = await cluster.startMany(2)
    const first = await cluster.start({ privateKey: key })
    await first.register({ service: 'phoenix', version: '1.0.0', address: '10.0.0.7', port: 7 })
    await vi.waitFor(() => { for (const peer of peers) expect(peer.lookup('phoenix')).toHaveLength(1) }, { timeout: 10_000 })

    await first.stop({ leave: false })
    await vi.waitFor(() => { for (const peer of peers) expect(stateAt(peer, first.peerId)).toBe('dead') }, { timeout: deadAfter * 4 })

    const reborn = await cluster.start({ privateKey: key, clock: { now: () => Date.now() - BEHIND_MS } })
    const fresh = await reborn.register({ service: 'phoenix', version: '2.0.0', address: '10.0.0.7', port: 8 })
    // Its stamps are older than the death its peers hold: only a refutation stamped past that death brings it back.
    expect(fresh.stamp.wall).toBeLessThan(Date.now() - BEHIND_MS / 2)
    await vi.waitFor(() => {
      for (const peer of peers) {
        expect(stateAt(peer, reborn.peerId)).toBe('alive')
        expect(peer.lookup('phoenix')).toMatchObject([{ id: fresh.id, version: '2.0.0', port: 8 }])
      }
    }, { timeout: antiEntropyInterval * 5, interval: 50 })
  }, 60_000)
})
