/**
 * Bootstrap-only discovery (mDNS off) across a partition that outlasts self-preservation: each side declares the
 * other dead and drops its records, addresses included, and their connections time out; when the network heals
 * the cluster must find itself again and converge. Four hosts on a bridged LAN of network namespaces.
 * Needs root; CI runs as root and must run it.
 */
import { execFileSync } from 'node:child_process'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { PRESETS, type Instance, type Member } from '../../src/index.js'
import { canUseNetns, Lan, NsNode } from '../support/netns.js'

const usable = canUseNetns()
if (!usable) console.warn('test/netns: skipped, it needs root and `ip netns` to build its namespaces')

const PORT = 7001
const timing = {
  heartbeatInterval: PRESETS.test.heartbeatInterval,
  suspectAfter: PRESETS.test.suspectAfter,
  deadAfter: PRESETS.test.deadAfter,
  antiEntropyInterval: 1_000,
  // Short, so the partition outlasts it quickly; its connections outlive it (they close once the member is dead).
  selfPreservationLimit: 4_000
}
/** A node closes its connections to a member it declares dead, at its next maintenance round after the death. */
const CONNECTIONS_GONE_MS = 40_000
/** A lost member is dialled again after a back-off that doubles up to 30 s. */
const HEAL_MS = 45_000

describe.runIf(usable)('a partition longer than self-preservation, with bootstrap addresses only', () => {
  const lan = new Lan(4, '10.87.0')
  const sides = [[0, 1], [2, 3]] as const
  let nodes: NsNode[] = []
  let ids: string[] = []

  const members = async (i: number): Promise<Member[]> => nodes[i]!.call<Member[]>('members')
  const stateOf = async (i: number, j: number): Promise<Member | undefined> => (await members(i)).find((m) => m.peerId === ids[j])
  const addresses = async (i: number, service: string): Promise<string[]> =>
    (await nodes[i]!.call<Instance[]>('lookup', service)).map((instance) => instance.address).sort()
  /** Remote addresses of host i's established TCP connections. */
  const tcpPeers = (i: number): string[] =>
    execFileSync('ip', ['netns', 'exec', lan.hosts[i]!, 'ss', '-Htn', 'state', 'established'], { encoding: 'utf8' })
      .split('\n').map((line) => line.trim().split(/\s+/).at(-1) ?? '').filter((peer) => peer !== '').map((peer) => peer.replace(/:\d+$/, ''))

  beforeAll(async () => {
    lan.create()
    const bootstrap = [`/ip4/${lan.address(0)}/tcp/${PORT}`]
    nodes = lan.hosts.map((ns, i) => new NsNode(ns, {
      ...timing,
      mdns: false,
      listen: [`/ip4/${lan.address(i)}/tcp/${PORT}`],
      bootstrap: i === 0 ? [] : bootstrap,
      logPrefix: `h${i + 1}`
    }))
    ids = await Promise.all(nodes.map(async (node) => node.peerId))
  }, 30_000)

  afterAll(async () => {
    try {
      await Promise.allSettled(nodes.map(async (node) => node.stop()))
    } finally {
      lan.destroy()
    }
  }, 30_000)

  it('re-converges after the partition heals', async () => {
    await vi.waitFor(async () => {
      for (const i of nodes.keys()) {
        expect((await members(i)).filter((m) => m.state === 'alive').map((m) => m.peerId).sort()).toEqual([...ids].sort())
      }
    }, { timeout: 15_000, interval: 200 })
    await Promise.all(nodes.map(async (node, i) => node.call('register', { service: 'before', version: '1.0.0', address: lan.address(i), port: 80 })))

    lan.split(sides[1])
    await nodes[0]!.call('register', { service: 'during', version: '1.0.0', address: lan.address(0), port: 81 })
    await nodes[2]!.call('register', { service: 'during', version: '1.0.0', address: lan.address(2), port: 81 })
    // Each side gives the other up, records and addresses with it, and their connections time out.
    await vi.waitFor(async () => {
      for (const [mine, theirs] of [[sides[0], sides[1]], [sides[1], sides[0]]] as const) {
        for (const i of mine) {
          for (const j of theirs) expect(await stateOf(i, j), `host ${j + 1} at host ${i + 1}`).toMatchObject({ state: 'dead', addrs: [] })
          const connected = tcpPeers(i)
          for (const j of theirs) expect(connected, `connections of host ${i + 1}`).not.toContain(lan.address(j))
        }
      }
    }, { timeout: CONNECTIONS_GONE_MS, interval: 500 })

    lan.heal()
    await vi.waitFor(async () => {
      for (const i of nodes.keys()) {
        expect((await members(i)).filter((m) => m.state === 'alive').map((m) => m.peerId).sort(), `alive at host ${i + 1}`).toEqual([...ids].sort())
        expect(await addresses(i, 'before')).toEqual(nodes.map((_, j) => lan.address(j)).sort())
        expect(await addresses(i, 'during')).toEqual([lan.address(0), lan.address(2)])
      }
    }, { timeout: HEAL_MS, interval: 500 })
  }, 30_000 + CONNECTIONS_GONE_MS + HEAL_MS)
})
