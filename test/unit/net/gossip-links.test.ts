/**
 * Which connections get reconnected for want of gossip: one that lost its streams at once; after such a loss, the
 * new connection if it has no gossip after the grace, a bounded number of times; never one that never had gossip
 * and follows no loss, nor one that gossips; each peer once.
 */
import { describe, expect, it } from 'vitest'
import { GOSSIP_STREAMS_GRACE_MS, GossipLinks, MAX_RECONNECTS } from '../../../src/net/gossip-links.js'

const a = { id: 'c1', peer: 'A' }
const b = { id: 'c2', peer: 'B' }
const none = (): boolean => false

describe('GossipLinks', () => {
  it('reconnects a connection that lost its gossip streams at the next round', () => {
    const links = new GossipLinks()
    const gossiping = new Set(['A', 'B'])
    expect(links.check([a, b], (peer) => gossiping.has(peer), 0)).toEqual([])
    gossiping.delete('A')
    expect(links.check([a, b], (peer) => gossiping.has(peer), 100)).toEqual(['A'])
  })

  it('leaves alone a connection that never had gossip and follows no loss', () => {
    const links = new GossipLinks()
    for (let t = 0; t <= 10 * GOSSIP_STREAMS_GRACE_MS; t += 500) expect(links.check([a], none, t)).toEqual([])
  })

  it('reconnects again a peer whose new connection has no gossip after the grace, at most MAX_RECONNECTS times', () => {
    const links = new GossipLinks()
    links.check([a], () => true, 0)
    expect(links.check([a], none, 100)).toEqual(['A'])
    // The new connection opened while the old one closed: no gossip on it.
    let now = 100
    let reconnects = 1
    for (let round = 0; round < 10; round++) {
      const fresh = { id: `r${round}`, peer: 'A' }
      expect(links.check([fresh], none, now + GOSSIP_STREAMS_GRACE_MS - 1)).toEqual([])
      now += GOSSIP_STREAMS_GRACE_MS
      const again = links.check([fresh], none, now)
      reconnects += again.length
      if (again.length === 0) break
    }
    expect(reconnects).toBe(MAX_RECONNECTS)
  })

  it('stops watching a reconnected peer once it gossips, so a later loss starts over', () => {
    const links = new GossipLinks()
    links.check([a], () => true, 0)
    links.check([a], none, 100)
    const fresh = { id: 'c3', peer: 'A' }
    expect(links.check([fresh], () => true, 200)).toEqual([])
    expect(links.check([fresh], none, 300)).toEqual(['A'])
  })

  it('leaves a reconnected peer that is no longer connected to maintenance, and names a peer once', () => {
    const links = new GossipLinks()
    const second = { id: 'c4', peer: 'A' }
    links.check([a, second, b], () => true, 0)
    expect(links.check([a, second, b], (peer) => peer === 'B', 100)).toEqual(['A'])
    expect(links.check([b], (peer) => peer === 'B', 100 + GOSSIP_STREAMS_GRACE_MS)).toEqual([])
    expect(links.check([{ id: 'c5', peer: 'A' }, b], (peer) => peer === 'B', 100 + 3 * GOSSIP_STREAMS_GRACE_MS)).toEqual([])
  })
})
