/**
 * Faults under churn, with nodes as real processes on loopback: a node SIGKILLed in the middle of churn and
 * restarted with the same key, and 5 % of gossiped records dropped. A Jepsen-style checker records every
 * acknowledged operation; at quiescence every live node must hold exactly the expected set: nothing lost,
 * nothing resurrected, nothing duplicated.
 */
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { PRESETS } from '../../src/index.js'
import { Checker } from '../support/checker.js'
import { churn, viewOf, type ChurnNode } from '../support/churn.js'
import { NsNode } from '../support/netns.js'

const timing = { ...PRESETS.test, antiEntropyInterval: 1_000 }
let nodes: ChurnNode[] = []
let dir: string | undefined

afterEach(async () => {
  await Promise.allSettled(nodes.map(async (n) => n.node.stop()))
  nodes = []
  if (dir !== undefined) await rm(dir, { recursive: true, force: true })
})

async function start (options: Record<string, unknown>, bootstrap?: string): Promise<ChurnNode> {
  const node = new NsNode(undefined, { ...timing, ...options, ...(bootstrap !== undefined && { bootstrap: [bootstrap] }) })
  return { node, peerId: await node.peerId, owned: [], alive: true }
}

async function addrOf (node: ChurnNode): Promise<string> {
  const self = (await node.node.call<Array<{ self: boolean, addrs: string[] }>>('members')).find((m) => m.self)!
  return self.addrs.find((a) => a.includes('/127.0.0.1/'))!
}

/** Waits (bounded) until every live node's view passes the checker, and returns the last anomalies seen. */
async function quiesce (checker: Checker, service: string, timeout: number): Promise<void> {
  await vi.waitFor(async () => {
    for (const n of nodes.filter((x) => x.alive)) {
      expect(checker.check(await viewOf(n.node, service)), `view of ${n.peerId}`).toEqual({ lost: [], resurrected: [], duplicated: [] })
    }
  }, { timeout, interval: 250 })
}

describe('faults under churn', () => {
  it('survives a SIGKILL mid-churn and a restart with the same key: nothing lost, resurrected or duplicated', async () => {
    dir = await mkdtemp(join(tmpdir(), 'gossip-registry-faults-'))
    const checker = new Checker()
    const first = await start({ logPrefix: 'f0' })
    const seed = await addrOf(first)
    nodes = [first]
    for (let i = 1; i < 5; i++) nodes.push(await start({ logPrefix: `f${i}`, ...(i === 3 && { keyFile: join(dir, 'victim.key') }) }, seed))
    const victim = nodes[3]!

    const running = churn(nodes, checker, { opsPerSecond: 20, durationMs: 6_000, service: 'churn' })
    await new Promise((resolve) => setTimeout(resolve, 2_000))
    victim.alive = false
    await victim.node.kill()
    checker.crashed(victim.peerId)
    await new Promise((resolve) => setTimeout(resolve, 1_500))
    const reborn = await start({ logPrefix: 'f3b', keyFile: join(dir, 'victim.key') }, seed)
    expect(reborn.peerId).toBe(victim.peerId)
    nodes[3] = reborn
    expect(await running).toBeGreaterThan(50)

    await quiesce(checker, 'churn', 30_000)
    expect(checker.expected().size).toBeGreaterThan(0)
  }, 90_000)

  it('converges exactly with 5 % of gossiped records dropped', async () => {
    const checker = new Checker()
    const first = await start({ logPrefix: 'd0', dropGossipRate: 0.05 })
    const seed = await addrOf(first)
    nodes = [first]
    for (let i = 1; i < 5; i++) nodes.push(await start({ logPrefix: `d${i}`, dropGossipRate: 0.05 }, seed))
    expect(await churn(nodes, checker, { opsPerSecond: 20, durationMs: 5_000, service: 'lossy' })).toBeGreaterThan(50)
    await quiesce(checker, 'lossy', 30_000)
  }, 90_000)
})
