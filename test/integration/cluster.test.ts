/**
 * Five real nodes on loopback (mDNS off, bootstrap to the first node, PRESETS.test timings): registration,
 * deregistration, graceful leave, crash detection, restart with the same key, late join, and repair by
 * anti-entropy when gossip is lost.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { PRESETS, type Change, type Registry } from '../../src/index.js'
import { Cluster, newKey } from '../support/cluster.js'

const { heartbeatInterval, deadAfter } = PRESETS.test
/** Loopback and a loaded 2-core CI machine add scheduling delay on top of the protocol's own bound. */
const SCHEDULING_SLACK_MS = 1_000

let cluster: Cluster

afterEach(async () => {
  await cluster.stopAll()
})

async function allSee (nodes: Registry[], service: string, count: number, timeout = 10_000): Promise<void> {
  await vi.waitFor(() => {
    for (const node of nodes) expect(node.lookup(service), `node ${node.peerId}`).toHaveLength(count)
  }, { timeout, interval: 25 })
}

async function fullyMeshedMembers (nodes: Registry[], timeout = 15_000): Promise<void> {
  await vi.waitFor(() => {
    for (const node of nodes) {
      const alive = node.members().filter((m) => m.state === 'alive').map((m) => m.peerId).sort()
      expect(alive).toEqual(nodes.map((n) => n.peerId).sort())
    }
  }, { timeout, interval: 50 })
}

describe('a five-node cluster', () => {
  it('shows a registration on every node, then removes it everywhere on deregistration', async () => {
    cluster = new Cluster()
    const nodes = await cluster.startMany(5)
    await fullyMeshedMembers(nodes)

    const instance = await nodes[2]!.register({ service: 'orders', version: '2.1.0', address: '10.0.0.7', port: 8080, tags: ['eu'] })
    await allSee(nodes, 'orders', 1)
    for (const node of nodes) {
      const [seen] = node.lookup('orders', { version: '^2.1', tags: ['eu'] })
      expect(seen).toMatchObject({ id: instance.id, owner: nodes[2]!.peerId, address: '10.0.0.7', port: 8080 })
      expect(node.lookup('orders', { version: '^3' })).toEqual([])
    }

    await nodes[2]!.deregister(instance.id)
    await allSee(nodes, 'orders', 0)
    for (const node of nodes) expect(node.services()).not.toContain('orders')
  })

  it('propagates status updates and hides critical instances unless asked', async () => {
    cluster = new Cluster()
    const nodes = await cluster.startMany(3)
    await fullyMeshedMembers(nodes)
    const instance = await nodes[0]!.register({ service: 'billing', version: '1.0.0', address: 'billing.local', port: 9000 })
    await allSee(nodes, 'billing', 1)

    await nodes[0]!.update(instance.id, { status: 'critical', metadata: { reason: 'db down' } })
    await allSee(nodes, 'billing', 0)
    for (const node of nodes) {
      expect(node.lookup('billing', { includeUnhealthy: true })).toMatchObject([{ status: 'critical', metadata: { reason: 'db down' } }])
    }
  })

  it('drops a gracefully stopped member and its instances by its leave notice, not by silence', async () => {
    cluster = new Cluster()
    const nodes = await cluster.startMany(5)
    await fullyMeshedMembers(nodes)
    const leaver = nodes[3]!
    await leaver.register({ service: 'cart', version: '1.0.0', address: '10.0.0.3', port: 80 })
    await allSee(nodes, 'cart', 1)

    const others = nodes.filter((n) => n !== leaver)
    const reasons: string[] = []
    for (const node of others) node.addEventListener('instance:down', (e) => { reasons.push(e.detail.reason) })
    await leaver.stop()
    // Every node drops the leaver because it said so ('member-left'), not because it fell silent ('member-dead').
    await allSee(others, 'cart', 0, 5_000)
    expect(reasons).toEqual(others.map(() => 'member-left'))
    for (const node of others) expect(node.members().find((m) => m.peerId === leaver.peerId)?.state).toBe('left')
  })

  it('marks a crashed member dead everywhere within deadAfter plus one heartbeat, suspect first where alerts come one by one', async () => {
    cluster = new Cluster()
    const nodes = await cluster.startMany(5)
    await fullyMeshedMembers(nodes)
    const victim = nodes[4]!
    await victim.register({ service: 'search', version: '3.0.0', address: '10.0.0.4', port: 7000 })
    await allSee(nodes, 'search', 1)

    const others = nodes.filter((n) => n !== victim)
    const seen = new Map<Registry, string[]>(others.map((n) => [n, []]))
    for (const node of others) {
      node.addEventListener('member:suspect', (e) => { if (e.detail.member.peerId === victim.peerId) seen.get(node)!.push('suspect') })
      node.addEventListener('member:dead', (e) => { if (e.detail.member.peerId === victim.peerId) seen.get(node)!.push('dead') })
    }
    const crashedAt = Date.now()
    await victim.stop({ leave: false })

    await allSee(others, 'search', 0, deadAfter + heartbeatInterval + SCHEDULING_SLACK_MS)
    const detectedAfter = Date.now() - crashedAt
    expect(detectedAfter).toBeLessThanOrEqual(deadAfter + heartbeatInterval + SCHEDULING_SLACK_MS)
    // Where the quorum takes more than one alert, the first makes it suspect; where one alert is the quorum (a
    // member with a single observer alive there), it goes straight to dead. Never back, never twice.
    for (const node of others) expect([['suspect', 'dead'], ['dead']]).toContainEqual(seen.get(node))
  })

  it('brings a member restarted with the same key back alive with its new records, and drops its old ones', async () => {
    cluster = new Cluster()
    const key = await newKey()
    const nodes = await cluster.startMany(3)
    const phoenix = await cluster.start({ privateKey: key })
    const all = [...nodes, phoenix]
    await fullyMeshedMembers(all)
    await phoenix.register({ service: 'auth', version: '1.0.0', address: '10.0.0.9', port: 1000 })
    await allSee(all, 'auth', 1)

    await phoenix.stop({ leave: false })
    await allSee(nodes, 'auth', 0, deadAfter + heartbeatInterval + SCHEDULING_SLACK_MS)

    const reborn = await cluster.start({ privateKey: key })
    expect(reborn.peerId).toBe(phoenix.peerId)
    const fresh = await reborn.register({ service: 'auth', version: '1.1.0', address: '10.0.0.9', port: 1001 })
    const everyone = [...nodes, reborn]
    await allSee(everyone, 'auth', 1)
    for (const node of everyone) {
      expect(node.lookup('auth')).toMatchObject([{ id: fresh.id, version: '1.1.0', port: 1001 }])
      expect(node.members().find((m) => m.peerId === reborn.peerId)?.state).toBe('alive')
    }
  })

  it('retires records of an earlier run that peers still hold when the owner restarts quickly', async () => {
    cluster = new Cluster()
    const key = await newKey()
    const nodes = await cluster.startMany(2)
    const first = await cluster.start({ privateKey: key })
    await fullyMeshedMembers([...nodes, first])
    await first.register({ service: 'mail', version: '1.0.0', address: '10.0.0.5', port: 25 })
    await allSee(nodes, 'mail', 1)

    // Restart before anyone notices the silence: peers still hold the old instance as alive.
    await first.stop({ leave: false })
    const second = await cluster.start({ privateKey: key })
    await allSee([...nodes, second], 'mail', 0)
  })

  it('gives a late joiner the whole table', async () => {
    cluster = new Cluster()
    const nodes = await cluster.startMany(4)
    await fullyMeshedMembers(nodes)
    for (const [i, node] of nodes.entries()) {
      await node.register({ service: `svc-${i}`, version: '1.0.0', address: `10.0.1.${i}`, port: 8000 + i })
    }
    await vi.waitFor(() => { for (const node of nodes) expect(node.services()).toHaveLength(4) }, { timeout: 10_000 })

    const late = await cluster.start()
    await vi.waitFor(() => {
      expect(late.services().sort()).toEqual(['svc-0', 'svc-1', 'svc-2', 'svc-3'])
    }, { timeout: 10_000, interval: 25 })
    await fullyMeshedMembers([...nodes, late])
  })

  it('converges through anti-entropy when every gossiped record is dropped', async () => {
    cluster = new Cluster()
    const nodes = await cluster.startMany(5, { dropGossipRate: 1 })
    await fullyMeshedMembers(nodes, 20_000)
    const roundsBefore = nodes.map((n) => n.stats.snapshot().syncRounds.targeted)
    const ids: string[] = []
    for (let i = 0; i < 10; i++) {
      const owner = nodes[i % nodes.length]!
      ids.push((await owner.register({ service: 'lossy', version: '1.0.0', address: '10.0.2.1', port: 9000 + i })).id)
    }
    await allSee(nodes, 'lossy', 10, 20_000)
    for (const node of nodes) expect(node.lookup('lossy').map((i) => i.id).sort()).toEqual([...ids].sort())
    // Gossiped records arrived and were all dropped: heartbeats announced newer records, and targeted
    // anti-entropy exchanges pulled them.
    expect(nodes.reduce((sum, n) => sum + n.stats.snapshot().messagesIn.gossip, 0)).toBeGreaterThan(0)
    expect(nodes.some((n, i) => n.stats.snapshot().syncRounds.targeted > roundsBefore[i]!)).toBe(true)
  })

  it('delivers changes to watchers and async iterators', async () => {
    cluster = new Cluster()
    const [a, b] = await cluster.startMany(2)
    await fullyMeshedMembers([a!, b!])
    const watched: Change['type'][] = []
    const unwatch = b!.watch('pay', (change) => { watched.push(change.type) })
    const controller = new AbortController()
    const iterated: Change['type'][] = []
    const consumer = (async () => {
      for await (const change of b!.changes('pay', { signal: controller.signal })) {
        iterated.push(change.type)
        if (iterated.length === 3) break
      }
    })()

    const instance = await a!.register({ service: 'pay', version: '1.0.0', address: '10.0.0.1', port: 1 })
    await vi.waitFor(() => { expect(watched).toEqual(['up']) }, { timeout: 5_000 })
    await a!.update(instance.id, { weight: 5 })
    await vi.waitFor(() => { expect(watched).toEqual(['up', 'changed']) }, { timeout: 5_000 })
    await a!.deregister(instance.id)
    await vi.waitFor(() => { expect(watched).toEqual(['up', 'changed', 'down']) }, { timeout: 5_000 })
    await consumer
    expect(iterated).toEqual(['up', 'changed', 'down'])
    unwatch()
    controller.abort()
  })
})

describe('a stopped registry', () => {
  it('ends its change iterators and refuses writes with a typed error', async () => {
    cluster = new Cluster()
    const node = await cluster.start()
    const instance = await node.register({ service: 'x', version: '1.0.0', address: 'x.local', port: 1 })
    const consumed = (async () => {
      const seen: string[] = []
      for await (const change of node.changes()) seen.push(change.type)
      return seen
    })()
    await node.stop()
    expect(await consumed).toEqual([])
    await expect(node.register({ service: 'x', version: '1.0.0', address: 'x.local', port: 2 })).rejects.toMatchObject({ code: 'ERR_STOPPED' })
    await expect(node.update(instance.id, { weight: 2 })).rejects.toMatchObject({ code: 'ERR_STOPPED' })
    await expect(node.deregister(instance.id)).rejects.toMatchObject({ code: 'ERR_STOPPED' })
  })

  it('fails fast on bad arguments, naming them', async () => {
    cluster = new Cluster()
    const node = await cluster.start()
    expect(() => node.lookup('')).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT', argument: 'service' }))
    expect(() => node.lookup('x', { version: 'not a range' })).toThrow(expect.objectContaining({ argument: 'version' }))
    expect(() => node.lookup('x', { tags: 'eu' as never })).toThrow(expect.objectContaining({ argument: 'tags' }))
    await expect(node.register({ service: 'x', version: '1', address: 'h', port: 1 })).rejects.toMatchObject({ code: 'ERR_INVALID_RECORD', field: 'version' })
    await expect(node.register({ service: 'x', version: '1.0.0', address: 'h', port: 1, id: 'bad id' })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT', argument: 'id' })
    await expect(node.update('nope', { weight: 1 })).rejects.toMatchObject({ code: 'ERR_UNKNOWN_INSTANCE' })
    await expect(node.deregister('nope')).rejects.toMatchObject({ code: 'ERR_UNKNOWN_INSTANCE' })
    expect(node.services()).toEqual([])
  })

  it('refuses a record over maxRecordBytes before anything is published', async () => {
    cluster = new Cluster()
    const node = await cluster.start()
    const metadata = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, 'v'.repeat(500)]))
    await expect(node.register({ service: 'big', version: '1.0.0', address: 'h', port: 1, metadata })).rejects.toMatchObject({ code: 'ERR_INVALID_RECORD', message: expect.stringContaining('maxRecordBytes') })
    expect(node.services()).toEqual([])
  })

  it('caps the instances one node owns', async () => {
    cluster = new Cluster()
    const node = await cluster.start({ maxInstancesPerOwner: 2 })
    await node.register({ service: 'x', version: '1.0.0', address: 'h', port: 1 })
    const second = await node.register({ service: 'x', version: '1.0.0', address: 'h', port: 2 })
    await expect(node.register({ service: 'x', version: '1.0.0', address: 'h', port: 3 })).rejects.toMatchObject({ code: 'ERR_TOO_MANY_INSTANCES', limit: 2 })
    await node.register({ service: 'x', version: '1.0.1', address: 'h', port: 2, id: second.id })
    expect(node.lookup('x').map((i) => i.version).sort()).toEqual(['1.0.0', '1.0.1'])
  })
})

describe('namespaces', () => {
  it('keep clusters apart even when their nodes are connected', async () => {
    cluster = new Cluster()
    const staging = await cluster.start({ namespace: 'staging' })
    // Production's first node is connected to staging's (bootstrap), its colleague to both.
    const production = await cluster.start({ namespace: 'production' })
    const colleague = await cluster.start({ namespace: 'production', bootstrap: [production.multiaddrs[0]!, staging.multiaddrs[0]!] })
    await staging.register({ service: 'orders', version: '1.0.0', address: 'staging.local', port: 1 })
    await production.register({ service: 'orders', version: '1.0.0', address: 'prod.local', port: 1 })
    await vi.waitFor(() => { expect(colleague.lookup('orders')).toMatchObject([{ address: 'prod.local' }]) }, { timeout: 10_000 })
    expect(staging.lookup('orders')).toMatchObject([{ address: 'staging.local' }])
    expect(production.lookup('orders')).toHaveLength(1)
    expect(staging.members().map((m) => m.peerId)).toEqual([staging.peerId])
  })
})

describe('observers that are not neighbours', () => {
  it('beat to observers they were never connected to, so a chain of bootstraps stays alive, and a crash dies everywhere', async () => {
    cluster = new Cluster()
    // Each node bootstraps to the one before it only: most observers are members a node never dialled, reached
    // at the addresses their member records advertise.
    const nodes: Registry[] = []
    for (let i = 0; i < 12; i++) nodes.push(await cluster.start(i === 0 ? {} : { bootstrap: [nodes[i - 1]!.multiaddrs[0]!] }))
    await fullyMeshedMembers(nodes, 30_000)
    // Stays so: no observer goes without beats from a subject it was assigned (which would make it suspect).
    const deadline = Date.now() + 2 * PRESETS.test.suspectAfter
    while (Date.now() < deadline) {
      for (const node of nodes) expect(node.members().filter((m) => m.state !== 'alive').map((m) => m.peerId)).toEqual([])
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    const victim = nodes[5]!
    await victim.stop({ leave: false })
    const others = nodes.filter((n) => n !== victim)
    await vi.waitFor(() => {
      for (const node of others) expect(node.members().find((m) => m.peerId === victim.peerId)?.state).toBe('dead')
    }, { timeout: PRESETS.test.suspectAfter + 5_000, interval: 50 })
  }, 60_000)
})

describe('heartbeat chains', () => {
  it('keep members alive across many chain renewals', async () => {
    cluster = new Cluster()
    // Five beats per chain at 200 ms: a new signed anchor every second.
    const nodes = await cluster.startMany(3, { heartbeatChainLength: 5 })
    await fullyMeshedMembers(nodes)
    const suspicions: string[] = []
    for (const node of nodes) node.addEventListener('member:suspect', (e) => { suspicions.push(e.detail.member.peerId) })
    const renewalsBefore = nodes[0]!.stats.snapshot().messagesOut.gossip
    await vi.waitFor(() => { expect(nodes[0]!.stats.snapshot().messagesOut.gossip - renewalsBefore).toBeGreaterThanOrEqual(4) }, { timeout: 10_000, interval: 100 })
    await fullyMeshedMembers(nodes)
    expect(suspicions).toEqual([])
    expect(nodes[0]!.stats.snapshot().rejected['bad-proof'] ?? 0).toBe(0)
  })
})
