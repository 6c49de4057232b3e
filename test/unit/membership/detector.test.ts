/**
 * The failure detector on a manual clock: thresholds, revival, no resurrection, leave, chains, forgetting.
 */
import { describe, expect, it } from 'vitest'
import { FailureDetector } from '../../../src/membership/detector.js'
import { HashChain } from '../../../src/membership/hash-chain.js'
import type { InstanceRecord, MemberRecord } from '../../../src/record/types.js'

const PEER = '12D3KooWPeer'
const options = { suspectAfter: 3_000, deadAfter: 10_000, forgetAfter: 60_000, maxChainSteps: 100, selfPreservationThreshold: 1, selfPreservationLimit: 30_000 }
const chain = HashChain.create(new Uint8Array(32).fill(1), 100)

function member (wall: number, overrides: Partial<MemberRecord> = {}): MemberRecord {
  return {
    kind: 'member', deleted: false, owner: PEER, id: '', namespace: 'default', stamp: { wall, logical: 0 },
    addrs: [], chain: { chainId: 1, anchor: chain.anchor, length: chain.length }, leaving: false, ...overrides
  }
}

function instance (wall: number): InstanceRecord {
  return {
    kind: 'instance', deleted: false, owner: PEER, id: 'i', namespace: 'default', stamp: { wall, logical: 0 },
    service: 's', version: '1.0.0', address: 'h', port: 1, tags: [], metadata: {}, weight: 1, status: 'passing'
  }
}

function started (): FailureDetector {
  const detector = new FailureDetector(options)
  expect(detector.observeRecord(member(100), 0)).toEqual({ peerId: PEER, from: 'unknown', to: 'alive', reason: 'first-heard' })
  return detector
}

describe('FailureDetector', () => {
  it.each([
    [2_999, 'alive'],
    [3_000, 'suspect'],
    [9_999, 'suspect'],
    [10_000, 'dead']
  ])('after %i ms of silence a member is %s', (silentMs, state) => {
    const detector = started()
    detector.tick(Math.min(silentMs, 3_000))
    detector.tick(silentMs)
    expect(detector.get(PEER)?.state).toBe(state)
  })

  it('goes straight to dead when the first tick comes after deadAfter', () => {
    const detector = started()
    expect(detector.tick(10_000)).toEqual([{ peerId: PEER, from: 'alive', to: 'dead', reason: 'silence' }])
  })

  it('keeps a member that beats more often than suspectAfter alive', () => {
    const detector = started()
    for (let seq = 1; seq <= 20; seq++) {
      expect(detector.observeBeat(PEER, 1, seq, chain.reveal(seq), seq * 2_900).kind).toBe('fresh')
      expect(detector.tick(seq * 2_900 + 2_899)).toEqual([])
    }
  })

  it('revives a suspect or dead member on a fresh beat', () => {
    const detector = started()
    detector.tick(3_000)
    expect(detector.observeBeat(PEER, 1, 1, chain.reveal(1), 3_100)).toEqual({ kind: 'fresh', transition: { peerId: PEER, from: 'suspect', to: 'alive', reason: 'heartbeat' } })
    detector.tick(20_000)
    expect(detector.get(PEER)?.state).toBe('dead')
    expect(detector.observeBeat(PEER, 1, 5, chain.reveal(5), 21_000)).toMatchObject({ kind: 'fresh', transition: { from: 'dead', to: 'alive' } })
  })

  it('does not revive a dead member on an old beat, a forged beat, or an old record', () => {
    const detector = started()
    detector.observeBeat(PEER, 1, 3, chain.reveal(3), 100)
    detector.observeRecord(instance(200), 100)
    detector.tick(10_100)
    expect(detector.observeBeat(PEER, 1, 3, chain.reveal(3), 10_200)).toEqual({ kind: 'old' })
    expect(detector.observeBeat(PEER, 1, 4, new Uint8Array(16), 10_200)).toMatchObject({ kind: 'rejected', rejection: { reason: 'bad-proof' } })
    expect(detector.admits(PEER, { wall: 200, logical: 0 })).toBe(false)
    expect(detector.admits(PEER, { wall: 150, logical: 0 })).toBe(false)
    expect(detector.observeRecord(instance(200), 10_200)).toBeUndefined()
    expect(detector.get(PEER)?.state).toBe('dead')
    expect(detector.admits(PEER, { wall: 201, logical: 0 })).toBe(true)
    expect(detector.observeRecord(instance(201), 10_300)).toEqual({ peerId: PEER, from: 'dead', to: 'alive', reason: 'record' })
  })

  it('does not refresh a member on a relayed record', () => {
    const detector = started()
    detector.observeRecord(instance(5_000), 2_000)
    expect(detector.tick(3_000)).toMatchObject([{ to: 'suspect' }])
  })

  it('marks a leaving member dead at once, and its beats still in flight do not bring it back', () => {
    const detector = started()
    expect(detector.observeRecord(member(200, { leaving: true }), 50)).toEqual({ peerId: PEER, from: 'alive', to: 'dead', reason: 'leave' })
    expect(detector.observeBeat(PEER, 1, 7, chain.reveal(7), 60)).toEqual({ kind: 'old' })
    expect(detector.get(PEER)?.state).toBe('dead')
  })

  it('reports unknown members and chains, and starts over on a new chain', () => {
    const detector = new FailureDetector(options)
    expect(detector.observeBeat(PEER, 1, 1, chain.reveal(1), 0)).toEqual({ kind: 'unknown-member' })
    detector.observeRecord(member(100), 0)
    expect(detector.observeBeat(PEER, 2, 1, chain.reveal(1), 0)).toEqual({ kind: 'unknown-chain' })
    const next = HashChain.create(new Uint8Array(32).fill(2), 100)
    detector.observeBeat(PEER, 1, 50, chain.reveal(50), 0)
    detector.observeRecord(member(200, { chain: { chainId: 2, anchor: next.anchor, length: next.length } }), 0)
    expect(detector.observeBeat(PEER, 2, 1, next.reveal(1), 1).kind).toBe('fresh')
  })

  it('refuses a beat past the end of its chain', () => {
    const detector = started()
    expect(detector.observeBeat(PEER, 1, 101, new Uint8Array(16), 1)).toMatchObject({ kind: 'rejected' })
  })

  it('forgets a member dead for forgetAfter', () => {
    const detector = started()
    detector.tick(10_000)
    detector.tick(69_999)
    expect(detector.get(PEER)).toBeDefined()
    detector.tick(70_000)
    expect(detector.get(PEER)).toBeUndefined()
  })
})

describe('self-preservation', () => {
  const preserving = { ...options, selfPreservationThreshold: 0.5, selfPreservationLimit: 30_000 }
  const peers = ['p1', 'p2', 'p3', 'p4', 'p5']
  const chains = new Map(peers.map((p, i) => [p, HashChain.create(new Uint8Array(32).fill(10 + i), 100)]))

  function cluster (): FailureDetector {
    const detector = new FailureDetector(preserving)
    for (const peer of peers) {
      const c = chains.get(peer)!
      detector.observeRecord({ ...member(100), owner: peer, chain: { chainId: 1, anchor: c.anchor, length: c.length } }, 0)
    }
    return detector
  }

  function beat (detector: FailureDetector, peer: string, seq: number, nowMs: number): void {
    expect(detector.observeBeat(peer, 1, seq, chains.get(peer)!.reveal(seq), nowMs).kind).toBe('fresh')
  }

  it('lets a single silent member die', () => {
    const detector = cluster()
    for (let t = 1; t <= 10; t++) for (const peer of peers.slice(1)) beat(detector, peer, t, t * 1_000)
    detector.tick(10_000)
    expect(detector.get('p1')?.state).toBe('dead')
  })

  it('keeps members suspect and stale when most fall silent at once, until the limit', () => {
    const detector = cluster()
    for (let t = 1; t <= 10; t++) beat(detector, 'p5', t, t * 1_000)
    detector.tick(5_000)
    expect(detector.tick(10_000)).toEqual([])
    for (const peer of peers.slice(0, 4)) expect(detector.get(peer)).toMatchObject({ state: 'suspect', stale: true })
    expect(detector.get('p5')).toMatchObject({ state: 'alive', stale: false })
    detector.tick(29_999)
    expect(detector.get('p1')?.state).toBe('suspect')
    expect(detector.tick(30_000).map((t) => t.to)).toEqual(['dead', 'dead', 'dead', 'dead'])
  })

  it('revives a stale member on a fresh beat', () => {
    const detector = cluster()
    detector.tick(12_000)
    expect(detector.get('p2')).toMatchObject({ state: 'suspect', stale: true })
    beat(detector, 'p2', 1, 12_500)
    expect(detector.get('p2')).toMatchObject({ state: 'alive', stale: false })
  })

  it('lets the stale ones die once this node hears most of the cluster again', () => {
    const detector = cluster()
    detector.tick(12_000)
    for (const peer of ['p1', 'p2', 'p3']) beat(detector, peer, 1, 12_100)
    const transitions = detector.tick(12_200)
    expect(transitions.filter((t) => t.to === 'dead').map((t) => t.peerId)).toEqual(['p4', 'p5'])
  })
})
