/**
 * Member names in the replica's view, and the operator's prune and force-leave: they act on this node's listing
 * only, refuse a member alive or suspect here, and keep the death mark, so stale copies of a pruned member's
 * records relayed by others do not bring it back while something newer from the member itself does.
 */
import { describe, expect, it } from 'vitest'
import type { Hlc } from '../../src/clock/hlc.js'
import { HashChain } from '../../src/membership/hash-chain.js'
import type { InstanceRecord, MemberRecord } from '../../src/record/types.js'
import { Replica, type ReplicaEffect } from '../../src/replica.js'
import type { TableEntry } from '../../src/table/entry.js'

const SELF = '12D3KooWSelfSelfSelfSelfSelfSelfSelfSelfSelfSelf'
const PEER = '12D3KooWPeerPeerPeerPeerPeerPeerPeerPeerPeerPeer'
const OTHER = '12D3KooWOtherOtherOtherOtherOtherOtherOtherOthe'
const T0 = 1_700_000_000_000

const options = {
  self: SELF, namespace: 'default', maxInstancesPerOwner: 2, maxRecords: 10_000, maxClockDrift: 60_000, tombstoneTtl: 86_400_000,
  suspectAfter: 3_000, deadAfter: 10_000, maxChainSteps: 100, selfPreservationThreshold: 0.5, selfPreservationLimit: 60_000, observers: 4, quorum: 3
}

const at = (wall: number): Hlc => ({ wall, logical: 0 })
let nextByte = 0
const entry = (record: InstanceRecord | MemberRecord): TableEntry => ({ record, envelope: Uint8Array.from([nextByte++ & 0xff, 1]) })

function member (owner: string, stamp: Hlc, chain: HashChain, fields: Partial<MemberRecord> = {}): TableEntry {
  return entry({
    kind: 'member', deleted: false, owner, id: '', namespace: 'default', stamp, addrs: ['/ip4/127.0.0.1/tcp/1'],
    chain: { chainId: 7, anchor: chain.anchor, length: chain.length }, leaving: false, ...fields
  })
}

function instance (owner: string, id: string, stamp: Hlc): TableEntry {
  return entry({
    kind: 'instance', deleted: false, owner, id, namespace: 'default', stamp,
    service: 'orders', version: '1.0.0', address: '10.0.0.1', port: 80, tags: [], metadata: {}, weight: 1, status: 'passing'
  })
}

const kinds = (effects: readonly ReplicaEffect[]): string[] => effects.map((e) => e.kind === 'member' ? `member:${e.change.from}->${e.change.member.state}` : e.kind)

/** This node (named `self-node`) and PEER (named `web-1`, with an instance) beating; PEER then falls silent and dies. */
function withDeadPeer (): { replica: Replica, chain: HashChain } {
  const replica = new Replica(options)
  replica.ingestLocal(member(SELF, at(T0), HashChain.create(new Uint8Array(32).fill(99), 50), { name: 'self-node' }), T0)
  const chain = HashChain.create(new Uint8Array(32).fill(1), 50)
  replica.ingest(member(PEER, at(T0), chain, { name: 'web-1' }), T0)
  replica.ingest(instance(PEER, 'a', at(T0 + 1)), T0)
  replica.ingestBeat({ owner: PEER, chainId: 7, seq: 1, proof: chain.reveal(1), recordsStamp: at(T0 + 1) }, T0)
  // Two members: this node is PEER's only observer, so its own alert is the quorum.
  replica.tick(T0 + 3_000)
  expect(replica.stateOf(PEER)).toBe('dead')
  return { replica, chain }
}

const listed = (replica: Replica, nowMs: number): string[] => replica.members(nowMs).map((m) => `${m.name}:${m.state}`)

describe('member names', () => {
  it('lists each member with the name of its newest member record, itself included, and keeps it after a death', () => {
    const { replica } = withDeadPeer()
    expect(listed(replica, T0 + 3_000)).toEqual(['self-node:alive', 'web-1:dead'])
  })

  it('takes a renamed member record only when it is newer, and lists a member without a name as ``', () => {
    const replica = new Replica(options)
    const chain = HashChain.create(new Uint8Array(32).fill(2), 50)
    replica.ingest(member(PEER, at(T0 + 10), chain, { name: 'new-name' }), T0)
    replica.ingest(member(PEER, at(T0 + 5), chain, { name: 'old-name' }), T0)
    replica.ingest(member(OTHER, at(T0), chain), T0)
    expect(replica.members(T0).map((m) => [m.peerId, m.name])).toEqual([[SELF, ''], [OTHER, ''], [PEER, 'new-name']])
  })
})

describe('prune', () => {
  it('forgets dead members from the listing only, and returns how many; alive ones stay', () => {
    const { replica } = withDeadPeer()
    const chain = HashChain.create(new Uint8Array(32).fill(3), 50)
    replica.ingest(member(OTHER, at(T0 + 3_000), chain, { name: 'db-1' }), T0 + 3_000)
    expect(replica.prune()).toBe(1)
    expect(listed(replica, T0 + 3_001)).toEqual(['self-node:alive', 'db-1:alive'])
    expect(replica.prune()).toBe(0)
  })

  it('keeps the death mark: stale copies of a pruned member records relayed later do not bring it back', () => {
    const { replica } = withDeadPeer()
    replica.prune()
    // What a node cut off since before the death still holds and relays: the member's own, older, records.
    expect(replica.ingest(instance(PEER, 'a', at(T0 + 1)), T0 + 10_000)).toMatchObject({ outcome: 'rejected', rejection: { reason: 'dead-member' } })
    expect(replica.ingest(member(PEER, at(T0), HashChain.create(new Uint8Array(32).fill(1), 50), { name: 'web-1' }), T0 + 10_000))
      .toMatchObject({ outcome: 'rejected', rejection: { reason: 'dead-member' } })
    expect(replica.lookup('orders')).toEqual([])
    expect(replica.members(T0 + 10_000).map((m) => m.peerId)).toEqual([SELF])
    expect(replica.stateOf(PEER)).toBe('dead')
  })

  it('lists a pruned member again when something newer comes from the member itself', () => {
    const { replica } = withDeadPeer()
    replica.prune()
    const back = replica.ingest(instance(PEER, 'b', at(T0 + 20_000)), T0 + 20_000)
    expect(kinds(back.effects)).toEqual(['member:dead->alive', 'change'])
    expect(listed(replica, T0 + 20_000)).toEqual(['self-node:alive', 'web-1:alive'])
  })

  it('forgets left members too', () => {
    const replica = new Replica(options)
    const chain = HashChain.create(new Uint8Array(32).fill(4), 50)
    replica.ingest(member(PEER, at(T0), chain, { name: 'web-1' }), T0)
    replica.ingest(member(PEER, at(T0 + 1), chain, { name: 'web-1', leaving: true }), T0 + 1)
    expect(listed(replica, T0 + 1)).toEqual([':alive', 'web-1:left'])
    expect(replica.prune()).toBe(1)
    expect(listed(replica, T0 + 2)).toEqual([':alive'])
  })
})

describe('forceLeave', () => {
  it('turns a dead member into left, announces it, and forgets it; the death mark stays', () => {
    const { replica } = withDeadPeer()
    const result = replica.forceLeave(PEER, T0 + 4_000)
    expect(result.kind).toBe('forced')
    expect(result.kind === 'forced' && kinds(result.effects)).toEqual(['member:dead->left'])
    expect(replica.stateOf(PEER)).toBe('left')
    expect(replica.members(T0 + 4_000).map((m) => m.peerId)).toEqual([SELF])
    expect(replica.ingest(instance(PEER, 'a', at(T0 + 1)), T0 + 5_000)).toMatchObject({ outcome: 'rejected', rejection: { reason: 'dead-member' } })
    // A forced leave is not a death any more: this node no longer tells the member it is dead here.
    expect(replica.detector.disputeDeath(PEER, T0 + 50_000)).toBeUndefined()
  })

  it('refuses a member alive or suspect here, and this node itself, changing nothing', () => {
    const replica = new Replica(options)
    const chain = HashChain.create(new Uint8Array(32).fill(5), 50)
    replica.ingest(member(PEER, at(T0), chain, { name: 'web-1' }), T0)
    expect(replica.forceLeave(PEER, T0 + 1)).toEqual({ kind: 'not-gone', state: 'alive' })
    expect(replica.forceLeave(SELF, T0 + 1)).toEqual({ kind: 'not-gone', state: 'alive' })
    // Silent past suspectAfter: suspect here, not dead; still refused.
    replica.tick(T0 + 3_500)
    expect(replica.stateOf(PEER)).toBe('suspect')
    expect(replica.forceLeave(PEER, T0 + 3_500)).toEqual({ kind: 'not-gone', state: 'suspect' })
    expect(listed(replica, T0 + 3_500)).toEqual([':alive', 'web-1:suspect'])
  })

  it('answers unknown for a member never heard of, or already pruned', () => {
    const { replica } = withDeadPeer()
    expect(replica.forceLeave(OTHER, T0 + 4_000)).toEqual({ kind: 'unknown' })
    replica.prune()
    expect(replica.forceLeave(PEER, T0 + 4_000)).toEqual({ kind: 'unknown' })
  })
})

describe('findMember', () => {
  it('finds a listed member by peer id first, then by a name only one member has', () => {
    const replica = new Replica(options)
    const chain = HashChain.create(new Uint8Array(32).fill(6), 50)
    replica.ingest(member(PEER, at(T0), chain, { name: 'web' }), T0)
    replica.ingest(member(OTHER, at(T0), chain, { name: PEER }), T0)
    expect(replica.findMember(PEER, T0)).toMatchObject({ kind: 'found', member: { peerId: PEER } })
    expect(replica.findMember('web', T0)).toMatchObject({ kind: 'found', member: { peerId: PEER } })
    expect(replica.findMember('nobody', T0)).toEqual({ kind: 'unknown' })
    expect(replica.findMember('', T0)).toEqual({ kind: 'unknown' })
  })

  it('answers ambiguous, with the peer ids, for a name several members have', () => {
    const replica = new Replica(options)
    const chain = HashChain.create(new Uint8Array(32).fill(7), 50)
    replica.ingest(member(PEER, at(T0), chain, { name: 'web' }), T0)
    replica.ingest(member(OTHER, at(T0), chain, { name: 'web' }), T0)
    expect(replica.findMember('web', T0)).toEqual({ kind: 'ambiguous', peerIds: [OTHER, PEER] })
  })
})
