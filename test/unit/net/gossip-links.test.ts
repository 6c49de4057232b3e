/**
 * Which connections get reconnected for want of gossip: one that lost its streams at once, one that never got them
 * after the grace, each peer once, and none that gossips.
 */
import { describe, expect, it } from 'vitest'
import { GOSSIP_STREAMS_GRACE_MS, GossipLinks } from '../../../src/net/gossip-links.js'

const a = { id: 'c1', peer: 'A' }
const b = { id: 'c2', peer: 'B' }

describe('GossipLinks', () => {
  it('reconnects a connection that lost its gossip streams at the next round', () => {
    const links = new GossipLinks()
    const gossiping = new Set(['A', 'B'])
    expect(links.check([a, b], (peer) => gossiping.has(peer), 0)).toEqual([])
    gossiping.delete('A')
    expect(links.check([a, b], (peer) => gossiping.has(peer), 100)).toEqual(['A'])
  })

  it('gives a new connection the grace to open its streams, then reconnects it', () => {
    const links = new GossipLinks()
    const none = (): boolean => false
    expect(links.check([a], none, 1_000)).toEqual([])
    expect(links.check([a], none, 1_000 + GOSSIP_STREAMS_GRACE_MS - 1)).toEqual([])
    expect(links.check([a], none, 1_000 + GOSSIP_STREAMS_GRACE_MS)).toEqual(['A'])
  })

  it('counts the grace from the round a connection was first seen without gossip, per connection', () => {
    const links = new GossipLinks()
    const none = (): boolean => false
    links.check([a], none, 0)
    // A new connection to the same peer (the old one closed) starts its own grace.
    const again = { id: 'c3', peer: 'A' }
    expect(links.check([again], none, GOSSIP_STREAMS_GRACE_MS - 1)).toEqual([])
    expect(links.check([again], none, 2 * GOSSIP_STREAMS_GRACE_MS - 2)).toEqual([])
    expect(links.check([again], none, 2 * GOSSIP_STREAMS_GRACE_MS - 1)).toEqual(['A'])
  })

  it('names a peer once when several of its connections lack gossip, and never one that gossips', () => {
    const links = new GossipLinks()
    const second = { id: 'c4', peer: 'A' }
    links.check([a, second, b], (peer) => peer === 'B', 0)
    expect(links.check([a, second, b], (peer) => peer === 'B', GOSSIP_STREAMS_GRACE_MS)).toEqual(['A'])
  })

  it('forgets a connection once gossip is up, so a later loss counts as a loss', () => {
    const links = new GossipLinks()
    let up = false
    links.check([a], () => up, 0)
    up = true
    expect(links.check([a], () => up, 5)).toEqual([])
    up = false
    expect(links.check([a], () => up, 10)).toEqual(['A'])
  })
})
