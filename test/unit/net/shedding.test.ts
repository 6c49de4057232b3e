/**
 * Which peers a crowded node hangs up on: only above twice targetPeers, a few a round, never the peers it keeps
 * (beat links, gossip mesh) or connections younger than the grace, peers that dialled it first.
 */
import { describe, expect, it } from 'vitest'
import { MAX_SHED_PER_ROUND, peersToShed, SHED_GRACE_MS, type ShedCandidate } from '../../../src/net/shedding.js'

const NOW = 1_000_000
const old = (peer: string, inbound = true): ShedCandidate => ({ peer, openedAtMs: NOW - SHED_GRACE_MS, inbound })
const young = (peer: string): ShedCandidate => ({ peer, openedAtMs: NOW - SHED_GRACE_MS + 1, inbound: true })
const peers = (count: number, prefix = 'p', inbound = true): ShedCandidate[] => Array.from({ length: count }, (_, i) => old(`${prefix}${i}`, inbound))

function shed (connections: ShedCandidate[], kept: string[] = [], seed = 1): string[] {
  let state = seed
  const random = (): number => { state = (state * 48_271) % 2_147_483_647; return state / 2_147_483_647 }
  return peersToShed({ connections, kept: new Set(kept), targetPeers: 4, nowMs: NOW, random })
}

describe('peersToShed', () => {
  it('sheds nobody at up to twice targetPeers, counting peers, not connections', () => {
    expect(shed(peers(8))).toEqual([])
    expect(shed([...peers(8), old('p0'), old('p1')])).toEqual([])
  })

  it('sheds the excess above twice targetPeers, at most MAX_SHED_PER_ROUND a round', () => {
    expect(shed(peers(9))).toHaveLength(1)
    const many = shed(peers(40))
    expect(many).toHaveLength(MAX_SHED_PER_ROUND)
    expect(new Set(many).size).toBe(MAX_SHED_PER_ROUND)
  })

  it('keeps the peers it is told to keep (beat links, gossip mesh) and connections younger than the grace, whatever the excess', () => {
    const kept = peers(10).map((c) => c.peer)
    expect(shed([...peers(10), ...Array.from({ length: 10 }, (_, i) => young(`y${i}`))], kept)).toEqual([])
    // A peer with one young connection among old ones stays too: all of its connections would go.
    expect(shed([...peers(8), young('p9'), old('p9')], peers(8).map((c) => c.peer))).toEqual([])
    expect(shed([...peers(8), old('p9'), old('p9')], peers(8).map((c) => c.peer))).toEqual(['p9'])
  })

  it('sheds peers that dialled it before peers it dialled', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const chosen = shed([...peers(9, 'out', false), old('in0'), old('in1', true)], [], seed)
      expect(chosen.sort()).toEqual(['in0', 'in1'])
    }
    expect(shed([...peers(9, 'out', false), old('in0')], [], 3)).toContain('in0')
    expect(shed(peers(11, 'out', false), [], 3)).toHaveLength(MAX_SHED_PER_ROUND)
  })

  it('spreads its choice over the candidates', () => {
    const chosen = new Set<string>()
    for (let seed = 1; seed <= 50; seed++) for (const peer of shed(peers(20), [], seed)) chosen.add(peer)
    expect(chosen.size).toBeGreaterThan(10)
  })
})
