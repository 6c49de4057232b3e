/**
 * The replica's rules, on a manual clock with unsigned entries (the replica trusts its caller to have verified
 * signatures): ownership of own records, clock drift, caps, ageing out, no resurrection, pulls.
 */
import { describe, expect, it } from 'vitest'
import { compareHlc, type Hlc } from '../../src/clock/hlc.js'
import { HashChain } from '../../src/membership/hash-chain.js'
import { Rings } from '../../src/membership/rings.js'
import type { InstanceRecord, InstanceTombstone, MemberRecord } from '../../src/record/types.js'
import { Replica, type ReplicaEffect } from '../../src/replica.js'
import type { TableEntry } from '../../src/table/entry.js'

const SELF = '12D3KooWSelfSelfSelfSelfSelfSelfSelfSelfSelfSelf'
const PEER = '12D3KooWPeerPeerPeerPeerPeerPeerPeerPeerPeerPeer'
const T0 = 1_700_000_000_000

const options = {
  self: SELF,
  namespace: 'default',
  maxInstancesPerOwner: 2,
  maxRecords: 10_000,
  maxClockDrift: 60_000,
  tombstoneTtl: 86_400_000,
  suspectAfter: 3_000,
  deadAfter: 10_000,
  maxChainSteps: 100,
  selfPreservationThreshold: 0.5,
  selfPreservationLimit: 60_000,
  observers: 4,
  quorum: 3
}

let nextByte = 0
function entry (record: InstanceRecord | InstanceTombstone | MemberRecord): TableEntry {
  // Distinct fake envelope bytes per entry: the replica never verifies, the table only compares them.
  return { record, envelope: Uint8Array.from([nextByte++ & 0xff, record.stamp.logical]) }
}

function instance (owner: string, id: string, stamp: Hlc, fields: Partial<InstanceRecord> = {}): TableEntry {
  return entry({
    kind: 'instance', deleted: false, owner, id, namespace: 'default', stamp,
    service: 'orders', version: '1.0.0', address: '10.0.0.1', port: 80, tags: [], metadata: {}, weight: 1, status: 'passing',
    ...fields
  })
}

function tombstone (owner: string, id: string, stamp: Hlc): TableEntry {
  return entry({ kind: 'instance', deleted: true, owner, id, namespace: 'default', stamp, service: 'orders' })
}

function member (owner: string, stamp: Hlc, chain: HashChain, leaving = false): TableEntry {
  return entry({
    kind: 'member', deleted: false, owner, id: '', namespace: 'default', stamp, addrs: ['/ip4/127.0.0.1/tcp/1'],
    chain: { chainId: 7, anchor: chain.anchor, length: chain.length }, leaving
  })
}

const at = (wall: number, logical = 0): Hlc => ({ wall, logical })

/** A replica that has published its own member record, so it takes its place on the observer rings. */
function joined (overrides: Partial<typeof options> = {}): Replica {
  const replica = new Replica({ ...options, ...overrides })
  replica.ingestLocal(member(SELF, at(T0), HashChain.create(new Uint8Array(32).fill(99), 50)), T0)
  return replica
}
const kinds = (effects: readonly ReplicaEffect[]): string[] => effects.map((e) =>
  e.kind === 'change' ? `change:${e.change.type}` : e.kind === 'member' ? `member:${e.change.member.state}` : e.kind)

describe('Replica', () => {
  it('applies a peer instance: the member is first heard, then the instance is up', () => {
    const replica = new Replica(options)
    const result = replica.ingest(member(PEER, at(T0), HashChain.create(new Uint8Array(32).fill(3), 50)), T0)
    expect(kinds(result.effects)).toEqual(['member:alive'])
    const up = replica.ingest(instance(PEER, 'a', at(T0 + 1)), T0)
    expect(up.outcome).toBe('applied')
    expect(kinds(up.effects)).toEqual(['change:up'])
    expect(replica.lookup('orders')).toMatchObject([{ id: 'a', owner: PEER, memberState: 'alive' }])
  })

  it('announces a member first heard through an instance once its member record comes, with its addresses', () => {
    const replica = new Replica(options)
    const result = replica.ingest(instance(PEER, 'a', at(T0 + 1)), T0)
    expect(kinds(result.effects)).toEqual(['change:up'])
    expect(replica.members(T0).map((m) => m.peerId)).toContain(PEER)
    const announced = replica.ingest(member(PEER, at(T0), HashChain.create(new Uint8Array(32).fill(3), 50)), T0)
    expect(announced.effects).toMatchObject([{ kind: 'member', change: { from: 'unknown', member: { peerId: PEER, state: 'alive', addrs: ['/ip4/127.0.0.1/tcp/1'] } } }])
    // Once only.
    expect(kinds(replica.ingest(member(PEER, at(T0 + 2), HashChain.create(new Uint8Array(32).fill(3), 50)), T0).effects)).toEqual([])
  })

  it('reports an update as changed and a tombstone as down, and ignores what is older', () => {
    const replica = new Replica(options)
    replica.ingest(instance(PEER, 'a', at(T0)), T0)
    expect(kinds(replica.ingest(instance(PEER, 'a', at(T0 + 1), { status: 'warning' }), T0).effects)).toEqual(['change:changed'])
    expect(replica.ingest(instance(PEER, 'a', at(T0)), T0).outcome).toBe('stale')
    const down = replica.ingest(tombstone(PEER, 'a', at(T0 + 2)), T0)
    expect(down.effects).toMatchObject([{ kind: 'change', change: { type: 'down', reason: 'deregistered' } }])
    expect(replica.ingest(instance(PEER, 'a', at(T0 + 1)), T0).outcome).toBe('stale')
    expect(replica.lookup('orders')).toEqual([])
  })

  it('hides critical instances unless asked', () => {
    const replica = new Replica(options)
    replica.ingest(instance(PEER, 'a', at(T0), { status: 'critical' }), T0)
    expect(replica.lookup('orders')).toEqual([])
    expect(replica.lookup('orders', { includeUnhealthy: true })).toHaveLength(1)
  })

  it('rejects records stamped beyond maxClockDrift', () => {
    const replica = new Replica(options)
    const result = replica.ingest(instance(PEER, 'a', at(T0 + 60_001)), T0)
    expect(result).toMatchObject({ outcome: 'rejected', rejection: { reason: 'future-stamp' } })
    expect(replica.table.size).toBe(0)
  })

  it('rejects instances beyond maxInstancesPerOwner but accepts updates of existing ones', () => {
    const replica = new Replica(options)
    replica.ingest(instance(PEER, 'a', at(T0)), T0)
    replica.ingest(instance(PEER, 'b', at(T0)), T0)
    expect(replica.ingest(instance(PEER, 'c', at(T0)), T0)).toMatchObject({ outcome: 'rejected', rejection: { reason: 'too-many-instances' } })
    expect(replica.ingest(instance(PEER, 'b', at(T0 + 1), { weight: 3 }), T0).outcome).toBe('applied')
  })

  it('notes an owner that signed two different records with one stamp, whichever arrives first', () => {
    for (const order of [[0, 1], [1, 0]]) {
      const replica = new Replica(options)
      const versions = [instance(PEER, 'a', at(T0), { weight: 1 }), instance(PEER, 'a', at(T0), { weight: 2 })]
      expect(kinds(replica.ingest(versions[order[0]!]!, T0).effects)).not.toContain('equivocation')
      expect(kinds(replica.ingest(versions[order[1]!]!, T0).effects)).toContain('equivocation')
    }
  })

  it('asks to supersede its own records from an earlier run, and witnesses their stamps', () => {
    const replica = new Replica(options)
    const old = instance(SELF, 'ghost', at(T0 + 5_000))
    const result = replica.ingest(old, T0)
    expect(result.outcome).toBe('stale')
    expect(result.effects).toMatchObject([{ kind: 'supersede', record: { id: 'ghost' } }])
    expect(replica.stamp(T0).wall).toBeGreaterThanOrEqual(T0 + 5_000)
  })

  it('ages a silent member out, drops its instances, and refuses its old records afterwards', () => {
    const replica = joined()
    const chain = HashChain.create(new Uint8Array(32).fill(1), 50)
    replica.ingest(member(PEER, at(T0), chain), T0)
    replica.ingest(instance(PEER, 'a', at(T0 + 1)), T0)
    replica.ingestBeat({ owner: PEER, chainId: 7, seq: 1, proof: chain.reveal(1), recordsStamp: at(T0 + 1) }, T0)
    // Two members: this node is the peer's only observer, so its own alert is the quorum.
    expect(kinds(replica.tick(T0 + 2_999))).toEqual([])
    const dead = replica.tick(T0 + 3_000)
    expect(kinds(dead)).toEqual(['alert', 'member:dead', 'change:down'])
    expect(dead[0]).toMatchObject({ kind: 'alert', subject: PEER, incarnation: at(T0) })
    expect(dead[2]).toMatchObject({ change: { reason: 'member-dead' } })
    expect(replica.lookup('orders')).toEqual([])

    // The same old record relayed by a peer that has not noticed yet does not resurrect the member.
    expect(replica.ingest(instance(PEER, 'a', at(T0 + 1)), T0 + 10_500)).toMatchObject({ outcome: 'rejected', rejection: { reason: 'dead-member' } })
    expect(replica.stateOf(PEER)).toBe('dead')

    // A newer record from the member itself does.
    const revived = replica.ingest(instance(PEER, 'b', at(T0 + 11_000)), T0 + 11_000)
    expect(kinds(revived.effects)).toEqual(['member:alive', 'change:up'])
  })

  it('revives a dead member on a fresh beat of its chain, and asks to pull its records', () => {
    const replica = new Replica(options)
    const chain = HashChain.create(new Uint8Array(32).fill(2), 50)
    replica.ingest(member(PEER, at(T0), chain), T0)
    replica.tick(T0 + 10_000)
    expect(replica.stateOf(PEER)).toBe('dead')
    const beat = { owner: PEER, chainId: 7, seq: 3, proof: chain.reveal(3), recordsStamp: at(T0) }
    const result = replica.ingestBeat(beat, T0 + 12_000)
    expect(result.outcome).toBe('fresh')
    expect(kinds(result.effects)).toEqual(['member:alive', 'pull'])
    expect(replica.ingestBeat(beat, T0 + 12_001).outcome).toBe('old')
  })

  it('rejects a beat whose proof does not hash to the anchor', () => {
    const replica = new Replica(options)
    const chain = HashChain.create(new Uint8Array(32).fill(3), 50)
    replica.ingest(member(PEER, at(T0), chain), T0)
    const forged = { owner: PEER, chainId: 7, seq: 2, proof: new Uint8Array(16).fill(9), recordsStamp: at(T0) }
    expect(replica.ingestBeat(forged, T0 + 1)).toMatchObject({ outcome: 'rejected', rejection: { reason: 'bad-proof' } })
  })

  it('asks to pull when a beat announces records newer than it holds', () => {
    const replica = new Replica(options)
    const chain = HashChain.create(new Uint8Array(32).fill(4), 50)
    replica.ingest(member(PEER, at(T0), chain), T0)
    const beat = { owner: PEER, chainId: 7, seq: 1, proof: chain.reveal(1), recordsStamp: at(T0 + 5) }
    expect(kinds(replica.ingestBeat(beat, T0 + 1).effects)).toEqual(['pull'])
  })

  it('drops a leaving member at once', () => {
    const replica = new Replica(options)
    const chain = HashChain.create(new Uint8Array(32).fill(5), 50)
    replica.ingest(member(PEER, at(T0), chain), T0)
    replica.ingest(instance(PEER, 'a', at(T0 + 1)), T0)
    const result = replica.ingest(member(PEER, at(T0 + 2), chain, true), T0 + 2)
    expect(kinds(result.effects)).toEqual(['member:left', 'change:down'])
    expect(result.effects[1]).toMatchObject({ change: { reason: 'member-left' } })
  })

  it('leaves instances of members kept by self-preservation out of lookups unless asked', () => {
    const replica = new Replica(options)
    const peers = ['12D3KooWA', '12D3KooWB', '12D3KooWC']
    for (const [i, peer] of peers.entries()) {
      replica.ingest(member(peer, at(T0), HashChain.create(new Uint8Array(32).fill(20 + i), 50)), T0)
      replica.ingest(instance(peer, 'a', at(T0 + 1)), T0)
    }
    // Nothing heard from anyone: this node is the one cut off. It alerts on its subjects, but holds every death.
    expect(kinds(replica.tick(T0 + 10_000)).filter((kind) => kind !== 'alert')).toEqual(['member:suspect', 'member:suspect', 'member:suspect'])
    expect(replica.lookup('orders')).toEqual([])
    expect(replica.lookup('orders', { includeStale: true })).toHaveLength(3)
    expect(replica.members(T0).filter((m) => m.stale)).toHaveLength(3)
  })
})

describe('Replica lookup cache', () => {
  const chain = HashChain.create(new Uint8Array(32).fill(9), 50)

  function withPeer (): Replica {
    const replica = joined({ maxInstancesPerOwner: 10 })
    replica.ingest(member(PEER, at(T0), chain), T0)
    replica.ingest(instance(PEER, 'a', at(T0 + 1), { version: '1.2.0', tags: ['eu'] }), T0)
    replica.ingest(instance(PEER, 'b', at(T0 + 2), { version: '2.0.0' }), T0)
    return replica
  }

  it('returns the same frozen array while nothing changes', () => {
    const replica = withPeer()
    const first = replica.lookup('orders')
    expect(first.map((i) => i.id)).toEqual(['a', 'b'])
    expect(replica.lookup('orders')).toBe(first)
    expect(Object.isFrozen(first)).toBe(true)
    expect(replica.lookup('unknown')).toBe(replica.lookup('unknown'))
  })

  it('computes a new result when a record of the service changes', () => {
    const replica = withPeer()
    const before = replica.lookup('orders')
    replica.ingest(instance(PEER, 'c', at(T0 + 3)), T0)
    expect(replica.lookup('orders').map((i) => i.id)).toEqual(['a', 'b', 'c'])
    replica.ingest(tombstone(PEER, 'a', at(T0 + 4)), T0)
    expect(replica.lookup('orders').map((i) => i.id)).toEqual(['b', 'c'])
    expect(before.map((i) => i.id)).toEqual(['a', 'b'])
  })

  it('follows the owner\'s state: suspect shows in the instances, death removes them', () => {
    const replica = withPeer()
    // More members, so that PEER has observers other than this node: their alerts make it suspect, then dead.
    const others = ['12D3KooWA', '12D3KooWB', '12D3KooWC', '12D3KooWD', '12D3KooWE', '12D3KooWF']
    for (const [i, peer] of others.entries()) replica.ingest(member(peer, at(T0), HashChain.create(new Uint8Array(32).fill(40 + i), 50)), T0)
    const rings = new Rings(options.observers)
    rings.update([SELF, PEER, ...others])
    const observers = rings.observersOf(PEER).filter((observer) => observer !== SELF)
    expect(observers.length).toBeGreaterThanOrEqual(2)
    expect(replica.lookup('orders')[0]!.memberState).toBe('alive')
    const accuse = (observer: string): void => { replica.ingestAlert({ kind: 'alert', deleted: false, owner: observer, id: '', namespace: 'default', stamp: at(T0 + 5), subject: PEER, incarnation: at(T0) }, T0 + 10) }
    accuse(observers[0]!)
    expect(replica.lookup('orders').map((i) => i.memberState)).toEqual(['suspect', 'suspect'])
    for (const observer of observers.slice(1)) accuse(observer)
    // If this node observes PEER too, its own alert (PEER never beat here: after deadAfter) completes the quorum.
    if (rings.observersOf(PEER).includes(SELF)) replica.tick(T0 + options.deadAfter)
    expect(replica.lookup('orders')).toEqual([])
  })

  it('refutes an alert against its own current incarnation once, with a newer member record', () => {
    const replica = new Replica(options)
    replica.ingestLocal(member(SELF, at(T0), HashChain.create(new Uint8Array(32).fill(60), 50)), T0)
    const alert = (incarnation: Hlc): ReturnType<Replica['ingestAlert']> => replica.ingestAlert({ kind: 'alert', deleted: false, owner: PEER, id: '', namespace: 'default', stamp: at(T0 + 1), subject: SELF, incarnation }, T0 + 1)
    expect(alert(at(T0 - 1)).effects).toEqual([])
    expect(alert(at(T0))).toEqual({ outcome: 'counted', effects: [{ kind: 'refute' }] })
    expect(alert(at(T0)).effects).toEqual([])
  })

  it('stamps its refutation past a death its peers hold from an earlier run, but never past the drift it admits', () => {
    const replica = new Replica(options)
    replica.ingestLocal(member(SELF, at(T0), HashChain.create(new Uint8Array(32).fill(61), 50)), T0)
    const notice = (incarnation: Hlc): ReturnType<Replica['ingestAlert']> => replica.ingestAlert({ kind: 'alert', deleted: false, owner: PEER, id: '', namespace: 'default', stamp: at(T0), subject: SELF, incarnation }, T0)
    // A notice naming a stamp a year ahead is no honest node's: not refuted, and the clock stays.
    expect(notice(at(T0 + 365 * 86_400_000)).effects).toEqual([])
    expect(replica.stamp(T0).wall).toBe(T0)
    // A notice naming the earlier run's last stamp, 30 s ahead of this run's clock: the next stamp is past it.
    expect(notice(at(T0 + 30_000, 5)).effects).toEqual([{ kind: 'refute' }])
    expect(compareHlc(replica.stamp(T0), at(T0 + 30_000, 5))).toBeGreaterThan(0)
  })

  it('keeps filtered lookups apart from plain ones', () => {
    const replica = withPeer()
    expect(replica.lookup('orders', { version: '^1.0.0' }).map((i) => i.id)).toEqual(['a'])
    expect(replica.lookup('orders', { tags: ['eu'] }).map((i) => i.id)).toEqual(['a'])
    expect(replica.lookup('orders', { version: '^2.0.0' }).map((i) => i.id)).toEqual(['b'])
    expect(replica.lookup('orders').map((i) => i.id)).toEqual(['a', 'b'])
    replica.ingest(instance(PEER, 'b', at(T0 + 5), { version: '2.0.0', status: 'critical' }), T0)
    expect(replica.lookup('orders', { version: '^2.0.0' })).toEqual([])
    expect(replica.lookup('orders', { version: '^2.0.0', includeUnhealthy: true }).map((i) => i.status)).toEqual(['critical'])
  })

  it('stays correct past its bound on distinct filters', () => {
    const replica = withPeer()
    for (let i = 0; i < 3_000; i++) expect(replica.lookup('orders', { version: `>=0.0.${i}` })).toHaveLength(2)
    expect(replica.lookup('orders', { version: '>=2.0.0' }).map((i) => i.id)).toEqual(['b'])
  })
})

describe('Replica.memberAddrs', () => {
  const chain = HashChain.create(new Uint8Array(32).fill(5), 50)
  const OTHER = '12D3KooWOtherOtherOtherOtherOtherOtherOtherOthe'

  it('shares one frozen array until a member record, a state or the listing changes', () => {
    // Self-preservation off: both peers fall silent together and must die, not be held.
    const replica = joined({ selfPreservationThreshold: 1 })
    replica.ingest(member(PEER, at(T0), chain), T0)
    const first = replica.memberAddrs()
    expect(first).toEqual([{ peerId: PEER, state: 'alive', addrs: ['/ip4/127.0.0.1/tcp/1'] }])
    expect(Object.isFrozen(first)).toBe(true)
    // Instances, beats and ticks that change no state leave it as it is.
    replica.ingest(instance(PEER, 'a', at(T0 + 1)), T0)
    replica.ingestBeat({ owner: PEER, chainId: 7, seq: 1, proof: chain.reveal(1), recordsStamp: at(T0 + 1) }, T0)
    replica.tick(T0 + 100)
    expect(replica.memberAddrs()).toBe(first)

    // A newer member record with other addresses.
    const moved = member(PEER, at(T0 + 2), chain)
    replica.ingest({ ...moved, record: { ...moved.record, addrs: ['/ip4/10.0.0.2/tcp/1'] } as MemberRecord }, T0 + 200)
    const second = replica.memberAddrs()
    expect(second).toEqual([{ peerId: PEER, state: 'alive', addrs: ['/ip4/10.0.0.2/tcp/1'] }])

    // A new member.
    replica.ingest(member(OTHER, at(T0), HashChain.create(new Uint8Array(32).fill(6), 50)), T0 + 300)
    const third = replica.memberAddrs()
    expect(third.map((m) => m.peerId).sort()).toEqual([OTHER, PEER].sort())

    // A death, then the listing: pruned members are no longer there.
    replica.tick(T0 + 20_000)
    const fourth = replica.memberAddrs()
    expect(fourth).not.toBe(third)
    expect(fourth.map((m) => m.state)).toEqual(['dead', 'dead'])
    expect(replica.prune()).toBe(2)
    expect(replica.memberAddrs()).toEqual([])
  })
})

describe('Replica: what owners not yet established may make a node store', () => {
  const chain = HashChain.create(new Uint8Array(32).fill(5), 50)
  const owners = (prefix: string, count: number): string[] => Array.from({ length: count }, (_, i) => `12D3KooW${prefix}${i}`)
  // Past this node's own first deadAfter, members it meets are not established until they have been alive here that long.
  const LATER = T0 + options.deadAfter + 1

  it('caps the instances of fresh owners together at twice the per-owner cap, whatever their number', () => {
    const replica = joined()
    const established = owners('Old', 1)[0]!
    expect(replica.ingest(member(established, at(T0), chain), T0).outcome).toBe('applied')
    const outcomes = owners('Fresh', 3).flatMap((owner) => [0, 1].map((i) => replica.ingest(instance(owner, `f${i}`, at(LATER)), LATER)))
    // Twice maxInstancesPerOwner (2): four of the six.
    expect(outcomes.map((o) => o.outcome)).toEqual(['applied', 'applied', 'applied', 'applied', 'rejected', 'rejected'])
    expect(outcomes[4]).toMatchObject({ rejection: { reason: 'owner-budget' } })
    // Updates of what a fresh owner holds, and an established member's instances, are not held back.
    expect(replica.ingest(instance(owners('Fresh', 1)[0]!, 'f0', at(LATER + 1), { weight: 5 }), LATER).outcome).toBe('applied')
    expect(replica.ingest(instance(established, 'e0', at(LATER)), LATER).outcome).toBe('applied')
  })

  it('at maxRecords evicts a fresh owner for an established member, then refuses with table-full', () => {
    const replica = joined({ maxRecords: 6 })
    const [a, b] = owners('Old', 2) as [string, string]
    replica.ingest(member(a, at(T0), chain), T0)
    replica.ingest(member(b, at(T0), chain), T0)
    const fresh = owners('Fresh', 1)[0]!
    expect(replica.ingest(instance(fresh, 'f0', at(LATER)), LATER).outcome).toBe('applied')
    expect(replica.ingest(instance(a, 'a0', at(LATER)), LATER).outcome).toBe('applied')
    // Full: own member record, two members, a0, f0, and a1.
    expect(replica.ingest(instance(a, 'a1', at(LATER)), LATER).outcome).toBe('applied')
    expect(replica.table.size).toBe(6)
    // A fresh owner's new record is refused; an established member's evicts the fresh owner.
    expect(replica.ingest(instance(owners('Fresh', 2)[1]!, 'g0', at(LATER)), LATER)).toMatchObject({ outcome: 'rejected', rejection: { reason: 'owner-budget' } })
    const evicting = replica.ingest(instance(b, 'b0', at(LATER)), LATER)
    expect(evicting.outcome).toBe('applied')
    expect(kinds(evicting.effects)).toEqual(expect.arrayContaining(['change:down', 'evicted', 'change:up']))
    expect(evicting.effects.find((e) => e.kind === 'change' && e.change.type === 'down')).toMatchObject({ change: { reason: 'evicted', instance: { owner: fresh } } })
    expect(replica.lookup('orders').map((i) => i.owner)).not.toContain(fresh)
    // Nothing fresh is left to evict: established members are never evicted, the record is refused.
    expect(replica.ingest(instance(b, 'b1', at(LATER)), LATER)).toMatchObject({ outcome: 'rejected', rejection: { reason: 'table-full' } })
    // Updates of records held still go in.
    expect(replica.ingest(instance(b, 'b0', at(LATER + 1), { weight: 4 }), LATER).outcome).toBe('applied')
  })
})

describe('Replica: tombstones an owner may make a node keep', () => {
  // maxInstancesPerOwner is 2 here: each owner keeps its two newest tombstones.
  const deletedIds = (replica: Replica, owner: string): string[] =>
    replica.table.ownerEntries(owner).filter((e) => e.record.deleted).map((e) => e.record.id).sort()

  it('keeps the newest maxInstancesPerOwner tombstones of an owner, whatever order they come in', () => {
    for (const order of [[0, 1, 2, 3, 4], [4, 3, 2, 1, 0], [2, 4, 0, 3, 1]]) {
      const replica = new Replica(options)
      for (const i of order) expect(replica.ingest(tombstone(PEER, `t${i}`, at(T0 + i)), T0).outcome).toBe('applied')
      expect(deletedIds(replica, PEER)).toEqual(['t3', 't4'])
    }
  })

  it('counts them apart from live instances: an owner at its instance cap still deletes', () => {
    const replica = new Replica(options)
    replica.ingest(instance(PEER, 'a', at(T0)), T0)
    replica.ingest(instance(PEER, 'b', at(T0)), T0)
    for (let i = 0; i < 4; i++) replica.ingest(tombstone(PEER, `t${i}`, at(T0 + 10 + i)), T0)
    const result = replica.ingest(tombstone(PEER, 'a', at(T0 + 1)), T0)
    // Older than both tombstones kept: it is not kept, but it still deletes what it deletes.
    expect(kinds(result.effects)).toEqual(['change:down'])
    expect(replica.lookup('orders').map((i) => i.id)).toEqual(['b'])
    expect(deletedIds(replica, PEER)).toEqual(['t2', 't3'])
  })

  it('writes over a live copy of its own instance whose tombstone it no longer keeps', () => {
    const replica = joined()
    for (let i = 0; i < 3; i++) replica.ingestLocal(tombstone(SELF, `t${i}`, at(T0 + 10 + i)), T0)
    expect(deletedIds(replica, SELF)).toEqual(['t1', 't2'])
    // A peer cut off since before t0 was deleted hands its stale copy back.
    const result = replica.ingest(instance(SELF, 't0', at(T0 + 1)), T0 + 100)
    expect(result.effects).toMatchObject([{ kind: 'supersede', record: { id: 't0' } }])
  })
})
