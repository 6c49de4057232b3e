/**
 * mDNS interop: on a LAN of two namespaces, a plain libp2p node discovering by the stock @libp2p/mdns (with our
 * service tag) and one of our registries find each other, in both directions. Needs root, like the rest of
 * test/netns; CI runs as root and must run it.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { canUseNetns, Lan, NsNode } from '../support/netns.js'
import { root, tsxArgs } from '../support/processes.js'

const usable = canUseNetns()
if (!usable) console.warn('test/netns: skipped, it needs root and `ip netns` to build its namespaces')

const script = fileURLToPath(new URL('./stock-mdns-node.ts', import.meta.url))
/** Written out, not built by our code: it is the contract a stock node is configured with (docs/internals.md). */
const serviceTag = (namespace: string): string => `_gossip-registry-${namespace}._udp.local`
const DISCOVER_MS = 15_000

/** The stock node of stock-mdns-node.ts in a namespace, with what it printed. */
class StockNode {
  readonly peerId: Promise<string>
  readonly exited: Promise<number | null>
  /** Peers reported by the stock mDNS module, with their addresses. */
  readonly mdnsPeers: Array<{ id: string, addrs: string[] }> = []
  /** Peers of libp2p's `peer:discovery` events. */
  readonly discovered: string[] = []
  readonly connections: Array<{ peer: string, direction: string }> = []
  private readonly child: ChildProcess
  private output = ''

  constructor (namespace: string, init: { serviceTag: string, listen: string }) {
    this.child = spawn('ip', ['netns', 'exec', namespace, process.execPath, ...tsxArgs, script, JSON.stringify(init)], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] })
    this.exited = new Promise((resolve) => this.child.once('exit', resolve))
    this.child.stderr!.on('data', (chunk: Buffer) => { this.output += chunk.toString() })
    this.peerId = new Promise((resolve, reject) => {
      void this.exited.then((code) => { reject(new Error(`stock node in ${namespace} exited (${code}): ${this.output}`)) })
      createInterface({ input: this.child.stdout! }).on('line', (line) => {
        const message = JSON.parse(line) as { ready?: string, mdns?: string, addrs?: string[], discovery?: string, connection?: string, direction?: string }
        if (message.ready !== undefined) resolve(message.ready)
        if (message.mdns !== undefined) this.mdnsPeers.push({ id: message.mdns, addrs: message.addrs ?? [] })
        if (message.discovery !== undefined) this.discovered.push(message.discovery)
        if (message.connection !== undefined) this.connections.push({ peer: message.connection, direction: message.direction! })
      })
    })
  }

  /** Ends the node by closing its stdin, or by SIGKILL if it does not exit in time. */
  async stop (): Promise<void> {
    if (this.child.exitCode !== null) return
    this.child.stdin!.end()
    const timer = setTimeout(() => { this.child.kill('SIGKILL') }, 5_000)
    await this.exited
    clearTimeout(timer)
  }
}

describe('netns prerequisites', () => {
  it('are met when running in CI (CI runs as root)', () => {
    if (process.env.CI === 'true') expect(usable, 'CI must run the namespace suite as root').toBe(true)
  })
})

describe.runIf(usable)('mDNS interop with the stock @libp2p/mdns', () => {
  const lan = new Lan(2, '10.86.0')
  let stock: StockNode | undefined
  let stray: StockNode | undefined
  let ours: NsNode | undefined
  let stockId = ''
  let oursId = ''

  beforeAll(async () => {
    lan.create()
    stock = new StockNode(lan.hosts[0]!, { serviceTag: serviceTag('interop'), listen: `/ip4/${lan.address(0)}/tcp/0` })
    // Beside it on the same host, a stock node of another namespace: the control that the tag scopes discovery.
    stray = new StockNode(lan.hosts[0]!, { serviceTag: serviceTag('elsewhere'), listen: `/ip4/${lan.address(0)}/tcp/0` })
    ours = new NsNode(lan.hosts[1]!, { namespace: 'interop', mdns: true, mdnsInterval: 500, mdnsInterface: lan.address(1), listen: [`/ip4/${lan.address(1)}/tcp/0`], logPrefix: 'ours' })
    ;[stockId, oursId] = await Promise.all([stock.peerId, ours.peerId, stray.peerId])
  }, 30_000)

  afterAll(async () => {
    try {
      await Promise.allSettled([stock?.stop(), stray?.stop(), ours?.stop()])
    } finally {
      lan.destroy()
    }
  }, 30_000)

  it('a stock node discovers ours through its own mDNS module, with our address on the LAN', async () => {
    await vi.waitFor(() => {
      const found = stock!.mdnsPeers.find((p) => p.id === oursId)
      expect(found?.addrs.some((a) => a.startsWith(`/ip4/${lan.address(1)}/tcp/`))).toBe(true)
      expect(stock!.discovered).toContain(oursId)
    }, { timeout: DISCOVER_MS, interval: 100 })
  })

  it('ours discovers a stock node and dials it', async () => {
    // The stock node never dials (libp2p 2 does not dial what it discovers) and ours has no bootstrap address,
    // so an inbound connection from ours at the stock node can only follow our mDNS finding it.
    await vi.waitFor(() => {
      expect(stock!.connections).toContainEqual({ peer: oursId, direction: 'inbound' })
    }, { timeout: DISCOVER_MS, interval: 100 })
    expect(stock!.connections.filter((c) => c.direction === 'outbound')).toEqual([])
  })

  it('leave a stock node with another namespace in its tag unaware of both', () => {
    // By now both positive checks passed, so several rounds of queries and answers crossed the LAN.
    expect(stray!.mdnsPeers.map((p) => p.id)).not.toContain(oursId)
    expect(stray!.mdnsPeers.map((p) => p.id)).not.toContain(stockId)
    expect(stray!.discovered).toEqual([])
  })
})
