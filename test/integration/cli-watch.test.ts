/**
 * `gossip-registry watch` across a cut connection: the CLI talks to the agent through a TCP proxy the test closes
 * and opens again. It reconnects, resumes after its last event id, and prints every change once, those made while
 * it was cut off included; sent to another agent (another epoch), it re-reads the instances and prints the
 * difference.
 */
import { connect, createServer, type Server, type Socket } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createGateway } from '../../src/gateway/server.js'
import { createRegistry, PRESETS, type Registry } from '../../src/index.js'
import { spawnCli } from '../support/agents.js'

interface Agent { registry: Registry, app: FastifyInstance, port: number }

async function startAgent (prefix: string): Promise<Agent> {
  const registry = await createRegistry({ ...PRESETS.test, logPrefix: prefix })
  const app = await createGateway(registry, {})
  await app.listen({ host: '127.0.0.1', port: 0 })
  return { registry, app, port: (app.server.address() as { port: number }).port }
}

/** A TCP proxy to `upstream`; `cut()` drops every connection and refuses new ones until `mend()`. */
class Proxy {
  upstream: number
  port = 0
  refused = 0
  /** The head of each request it passed on. */
  readonly requests: string[] = []
  private isUp = true
  private readonly sockets = new Set<Socket>()
  private readonly server: Server

  constructor (upstream: number) {
    this.upstream = upstream
    this.server = createServer((client) => {
      if (!this.isUp) {
        this.refused++
        client.destroy()
        return
      }
      const agent = connect(this.upstream, '127.0.0.1')
      for (const socket of [client, agent]) {
        this.sockets.add(socket)
        socket.on('error', () => {})
        socket.once('close', () => { this.sockets.delete(socket); client.destroy(); agent.destroy() })
      }
      client.once('data', (head: Buffer) => { this.requests.push(head.toString('latin1')) })
      client.pipe(agent)
      agent.pipe(client)
    })
  }

  async listen (): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    this.port = (this.server.address() as { port: number }).port
  }

  cut (): void {
    this.isUp = false
    for (const socket of this.sockets) socket.destroy()
  }

  mend (): void {
    this.isUp = true
  }

  async close (): Promise<void> {
    this.cut()
    await new Promise((resolve) => this.server.close(resolve))
  }
}

let a: Agent
let b: Agent
let proxy: Proxy

beforeAll(async () => {
  [a, b] = await Promise.all([startAgent('wa'), startAgent('wb')])
  proxy = new Proxy(a.port)
  await proxy.listen()
})

afterAll(async () => {
  await proxy.close()
  for (const agent of [a, b]) {
    await agent.app.close()
    await agent.registry.stop()
  }
})

const line = (type: string, port: number): string => `${type} cut@1.0.0 10.3.0.${port}:${port} passing`
const times = (text: string, wanted: string): number => text.split('\n').filter((l) => l === wanted).length
const register = async (agent: Agent, port: number): Promise<string> =>
  (await agent.registry.register({ service: 'cut', version: '1.0.0', address: `10.3.0.${port}`, port })).id

describe('gossip-registry watch', () => {
  it('resumes after its connection is cut, and re-reads the instances when the agent cannot resume', async () => {
    const watcher = spawnCli(['watch', 'cut', '--agent', `http://127.0.0.1:${proxy.port}`])
    const printed = (wanted: string): number => times(watcher.output(), wanted)
    const waitFor = async (check: () => void): Promise<void> => { await vi.waitFor(check, { timeout: 15_000, interval: 50 }) }
    try {
      await waitFor(() => { expect(watcher.output()).toContain('watching cut') })
      const first = await register(a, 1)
      await register(a, 2)
      await waitFor(() => { expect([printed(line('up', 1)), printed(line('up', 2))]).toEqual([1, 1]) })

      // Cut off: changes made now reach the CLI only by its resuming.
      proxy.cut()
      const refusedBefore = proxy.refused
      await waitFor(() => { expect(proxy.refused).toBeGreaterThan(refusedBefore) })
      await register(a, 3)
      await a.registry.deregister(first)
      proxy.mend()
      await waitFor(() => { expect([printed(line('up', 3)), printed(line('down', 1))]).toEqual([1, 1]) })
      await register(a, 4)
      await waitFor(() => { expect(printed(line('up', 4))).toBe(1) })
      expect(watcher.output()).toMatch(/resuming after [0-9a-f]+-\d+/)
      expect(proxy.requests.at(-1)).toMatch(/last-event-id: [0-9a-f]+-\d+/i)

      // Another agent (as after a restart): its ids are unknown, so the CLI re-reads and prints the difference.
      await register(b, 5)
      proxy.cut()
      proxy.upstream = b.port
      proxy.mend()
      await waitFor(() => { expect([2, 3, 4].map((port) => printed(line('down', port))).concat(printed(line('up', 5)))).toEqual([1, 1, 1, 1]) })
      expect(watcher.output()).toContain('unknown-epoch')
      await register(b, 6)
      await waitFor(() => { expect(printed(line('up', 6))).toBe(1) })

      // Every change once, in order, and nothing else on the event lines.
      const events = watcher.output().split('\n').filter((l) => /^(up|down|changed) /.test(l))
      expect(events.slice(0, 5)).toEqual([line('up', 1), line('up', 2), line('up', 3), line('down', 1), line('up', 4)])
      expect(events.slice(5, 9).sort()).toEqual([line('down', 2), line('down', 3), line('down', 4), line('up', 5)].sort())
      expect(events.slice(9)).toEqual([line('up', 6)])
    } finally {
      watcher.child.kill('SIGINT')
      const timer = setTimeout(() => watcher.child.kill('SIGKILL'), 10_000)
      await watcher.exited
      clearTimeout(timer)
    }
    expect(watcher.child.exitCode).toBe(0)
  }, 90_000)
})
