/**
 * Three hosts on a bridged LAN of network namespaces, one node each, mDNS on and no bootstrap addresses:
 * discovery, propagation, a cut cable, its repair, and a partition with deregistrations during the split.
 * Needs root; CI runs as root and must run it.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { PRESETS, type Instance, type Member } from '../../src/index.js'
import { Checker } from '../support/checker.js'
import { churn, viewOf, type ChurnNode } from '../support/churn.js'
import { canUseNetns, Lan, NsNode } from '../support/netns.js'

const usable = canUseNetns()
if (!usable) console.warn('test/netns: skipped, it needs root and `ip netns` to build its namespaces')

const timing = { heartbeatInterval: PRESETS.test.heartbeatInterval, suspectAfter: PRESETS.test.suspectAfter, deadAfter: PRESETS.test.deadAfter, antiEntropyInterval: 1_000, mdnsInterval: 500 }
const CONVERGE_MS = 15_000

describe('netns prerequisites', () => {
  it('are met when running in CI (CI runs as root)', () => {
    if (process.env.CI === 'true') expect(usable, 'CI must run the namespace suite as root').toBe(true)
  })
})

describe.runIf(usable)('a LAN of three hosts with mDNS', () => {
  const lan = new Lan(3, '10.88.0')
  let nodes: NsNode[] = []
  let ids: string[] = []

  const alivePeers = async (node: NsNode): Promise<string[]> =>
    (await node.call<Member[]>('members')).filter((m) => m.state === 'alive').map((m) => m.peerId).sort()
  /** Resolves once `node` has seen every one of `peers` alive at every poll for `spanMs` in a row; throws after `timeoutMs`. */
  const aliveThroughout = async (node: NsNode, peers: readonly string[], spanMs: number, timeoutMs: number): Promise<void> => {
    const deadline = Date.now() + timeoutMs
    let since = Date.now()
    while (Date.now() - since < spanMs) {
      if (Date.now() > deadline) throw new Error(`members ${peers.join(', ')} were not alive for ${spanMs} ms in a row within ${timeoutMs} ms`)
      const alive = await alivePeers(node)
      if (!peers.every((peer) => alive.includes(peer))) since = Date.now()
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
  const addresses = async (node: NsNode, service: string): Promise<string[]> =>
    (await node.call<Instance[]>('lookup', service)).map((i) => i.address).sort()

  beforeAll(async () => {
    lan.create()
    nodes = lan.hosts.map((ns, i) => new NsNode(ns, { ...timing, mdns: true, listen: [`/ip4/${lan.address(i)}/tcp/0`], mdnsInterface: lan.address(i), logPrefix: `h${i + 1}` }))
    ids = await Promise.all(nodes.map(async (node) => node.peerId))
  }, 30_000)

  afterAll(async () => {
    try {
      await Promise.allSettled(nodes.map(async (node) => node.stop()))
    } finally {
      lan.destroy()
    }
  }, 30_000)

  it('discover each other with no address configured', async () => {
    await vi.waitFor(async () => {
      for (const node of nodes) expect(await alivePeers(node)).toEqual([...ids].sort())
    }, { timeout: CONVERGE_MS, interval: 200 })
  })

  it('show a registration on the first host at the third', async () => {
    await nodes[0]!.call('register', { service: 'web', version: '1.0.0', address: lan.address(0), port: 8080 })
    await vi.waitFor(async () => { expect(await addresses(nodes[2]!, 'web')).toEqual([lan.address(0)]) }, { timeout: CONVERGE_MS, interval: 100 })
  })

  it('age out a host whose cable is cut', async () => {
    lan.cut(2)
    await vi.waitFor(async () => {
      for (const node of nodes.slice(0, 2)) expect(await alivePeers(node)).toEqual([ids[0], ids[1]].sort())
      for (const node of nodes.slice(0, 2)) expect((await node.call<Member[]>('members')).find((m) => m.peerId === ids[2])?.state).toBe('dead')
    }, { timeout: timing.deadAfter + CONVERGE_MS, interval: 200 })
  }, 30_000)

  it('take it back when the cable is restored, and converge', async () => {
    await nodes[2]!.call('register', { service: 'cache', version: '1.0.0', address: lan.address(2), port: 6379 })
    lan.restore(2)
    await vi.waitFor(async () => {
      for (const node of nodes) expect(await alivePeers(node)).toEqual([...ids].sort())
      for (const node of nodes) expect(await addresses(node, 'cache')).toEqual([lan.address(2)])
      expect(await addresses(nodes[2]!, 'web')).toEqual([lan.address(0)])
    }, { timeout: 30_000, interval: 200 })
  }, 40_000)

  it('serve each side of a partition, then converge without resurrecting deregistered instances', async () => {
    const doomed = await nodes[2]!.call<Instance>('register', { service: 'jobs', version: '1.0.0', address: lan.address(2), port: 1 })
    await vi.waitFor(async () => { for (const node of nodes) expect(await addresses(node, 'jobs')).toEqual([lan.address(2)]) }, { timeout: CONVERGE_MS, interval: 100 })

    // Self-preservation holds only members established at the lone host (alive there for deadAfter without a
    // break): on a loaded machine the test timings make members flap during formation, and a member back from a
    // false death is new again. Wait until the lone host has held the others alive that long.
    await aliveThroughout(nodes[2]!, [ids[0]!, ids[1]!], timing.deadAfter + timing.heartbeatInterval, 30_000)
    lan.split([2])
    // Each side keeps serving: the majority registers and deregisters, the minority deregisters its own.
    await nodes[0]!.call('register', { service: 'jobs', version: '1.0.0', address: lan.address(0), port: 2 })
    await nodes[2]!.call('deregister', doomed.id)
    expect(await addresses(nodes[2]!, 'jobs')).toEqual([])
    await vi.waitFor(async () => { expect(await addresses(nodes[1]!, 'jobs')).toContain(lan.address(0)) }, { timeout: CONVERGE_MS, interval: 100 })
    // A split longer than deadAfter. The majority declares the lone host dead and drops its records; the lone
    // host, hearing no one, assumes it is the one cut off (self-preservation): the others stay suspect and
    // stale there, left out of its lookups.
    const memberOf = async (node: NsNode, peer: string): Promise<Member | undefined> => (await node.call<Member[]>('members')).find((m) => m.peerId === peer)
    await vi.waitFor(async () => {
      expect((await memberOf(nodes[0]!, ids[2]!))?.state).toBe('dead')
      expect((await memberOf(nodes[1]!, ids[2]!))?.state).toBe('dead')
      for (const peer of [ids[0]!, ids[1]!]) expect(await memberOf(nodes[2]!, peer)).toMatchObject({ state: 'suspect', stale: true })
    }, { timeout: timing.deadAfter + CONVERGE_MS, interval: 200 })
    expect(await addresses(nodes[0]!, 'web')).toEqual([lan.address(0)])
    expect(await addresses(nodes[0]!, 'cache')).toEqual([])
    expect(await addresses(nodes[2]!, 'cache')).toEqual([lan.address(2)])
    expect(await addresses(nodes[2]!, 'web')).toEqual([])

    lan.heal()
    await vi.waitFor(async () => {
      for (const node of nodes) expect(await alivePeers(node)).toEqual([...ids].sort())
      for (const node of nodes) expect(await addresses(node, 'jobs')).toEqual([lan.address(0)])
    }, { timeout: 30_000, interval: 200 })
  }, 45_000)

  it('pass the checker after churn across a partition and its healing', async () => {
    const checker = new Checker()
    const churning: ChurnNode[] = nodes.map((node, i) => ({ node, peerId: ids[i]!, owned: [], alive: true }))
    lan.split([2])
    // Both sides keep taking writes while split, long enough for each to give the other up.
    expect(await churn(churning, checker, { opsPerSecond: 20, durationMs: timing.deadAfter + 2_000, service: 'split-churn' })).toBeGreaterThan(50)
    lan.heal()
    await vi.waitFor(async () => {
      for (const node of nodes) expect(checker.check(await viewOf(node, 'split-churn'))).toEqual({ lost: [], resurrected: [], duplicated: [] })
    }, { timeout: 30_000, interval: 250 })
  }, 60_000)

  it('keep two clusters on the same LAN apart by namespace', async () => {
    const staging = [0, 1].map((i) => new NsNode(lan.hosts[i]!, { ...timing, namespace: 'staging', mdns: true, listen: [`/ip4/${lan.address(i)}/tcp/0`], logPrefix: `s${i + 1}` }))
    try {
      const stagingIds = await Promise.all(staging.map(async (node) => node.peerId))
      // Positive control: the two staging nodes find each other by mDNS...
      await vi.waitFor(async () => {
        for (const node of staging) expect(await alivePeers(node)).toEqual([...stagingIds].sort())
      }, { timeout: CONVERGE_MS, interval: 200 })
      // ...and by then neither cluster has learned of any member of the other.
      for (const node of nodes) {
        const known = (await node.call<Member[]>('members')).map((m) => m.peerId)
        for (const id of stagingIds) expect(known).not.toContain(id)
      }
      expect(await addresses(staging[0]!, 'web')).toEqual([])
    } finally {
      await Promise.allSettled(staging.map(async (node) => node.stop()))
    }
  }, 30_000)
})
