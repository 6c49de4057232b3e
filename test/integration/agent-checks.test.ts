/**
 * Health checks and maintenance of instances registered over HTTP, across two agents (real processes, loopback,
 * mDNS off): the agent that owns an instance runs its check, and the OTHER agent sees the result; maintenance
 * takes it out of the other agent's lookups while it stays registered, and brings it back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli, startAgent, type Agent } from '../support/agents.js'
import { startHttp, startTcp, type FakeService } from '../support/servers.js'

let a: Agent
let b: Agent
let web: FakeService

interface Listed { id: string, status: string, maintenance?: { reason: string } }

beforeAll(async () => {
  web = await startHttp(200)
  a = await startAgent()
  b = await startAgent(['--bootstrap', a.multiaddr])
}, 60_000)

afterAll(async () => {
  await Promise.allSettled([a?.stop(), b?.stop(), web?.close()])
})

/** The instances of `service` at `agent`: healthy ones, or every registered one. */
async function listed (agent: Agent, service: string, all = false): Promise<Listed[]> {
  const response = await fetch(`${agent.url}/v1/services/${service}/instances${all ? '?healthy=false' : ''}`)
  return ((await response.json()) as { instances: Listed[] }).instances
}

/** The status of the one instance of `service` at `agent`, as listed with unhealthy ones. */
async function statusAt (agent: Agent, service: string): Promise<string | undefined> {
  return (await listed(agent, service, true))[0]?.status
}

const poll = { timeout: 15_000, interval: 100 }

describe('an http check run by the owning agent', () => {
  it('turns the instance critical at the other agent when its server answers 500, and passing when it recovers', async () => {
    const response = await fetch(`${a.url}/v1/instances`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ service: 'web', version: '1.0.0', address: '127.0.0.1', port: web.port, check: { http: web.url, interval: '200ms', timeout: '150ms' } })
    })
    expect(response.status).toBe(201)
    await expect.poll(async () => statusAt(b, 'web'), poll).toBe('passing')
    web.status = 500
    await expect.poll(async () => statusAt(b, 'web'), poll).toBe('critical')
    expect(await listed(b, 'web')).toEqual([])
    web.status = 200
    await expect.poll(async () => statusAt(b, 'web'), poll).toBe('passing')
    expect(await listed(b, 'web')).toHaveLength(1)
  }, 60_000)
})

describe('a tcp check registered with the CLI', () => {
  it('passes at the other agent while the port accepts, and turns critical when it closes', async () => {
    const tcp = await startTcp()
    try {
      const registered = await runCli(['register', 'db', '1.0.0', '127.0.0.1', String(tcp.port), '--check-tcp', `127.0.0.1:${tcp.port}`, '--check-interval', '200ms', '--agent', a.url, '--json'])
      expect(registered.code, registered.stderr).toBe(0)
      expect(JSON.parse(registered.stdout).instance.status).toBe('critical')
      await expect.poll(async () => statusAt(b, 'db'), poll).toBe('passing')
    } finally {
      await tcp.close()
    }
    await expect.poll(async () => statusAt(b, 'db'), poll).toBe('critical')
  }, 60_000)

  it('refuses flags that do not fit together, before calling the agent', async () => {
    const both = await runCli(['register', 'db', '1.0.0', '127.0.0.1', '1', '--check-tcp', '127.0.0.1:1', '--ttl', '30s', '--agent', a.url])
    expect(both.code).toBe(1)
    expect(both.stderr).toContain('not both')
    const stray = await runCli(['register', 'db', '1.0.0', '127.0.0.1', '1', '--check-interval', '1s', '--agent', a.url])
    expect(stray.stderr).toContain('--check-interval needs --check-http or --check-tcp')
  }, 30_000)
})

describe('maintenance', () => {
  it('takes an instance out of lookups at the other agent, keeps it registered with its reason, and brings it back', async () => {
    await expect.poll(async () => listed(b, 'web'), poll).toHaveLength(1)
    const [{ id }] = await listed(a, 'web') as [Listed]
    const hits = web.hits

    const on = await runCli(['maintenance', id, 'on', '--reason', 'deploying 1.1', '--agent', a.url])
    expect(on.code, on.stderr).toBe(0)
    expect(on.stdout).toMatch(/on\s+deploying 1\.1/)
    await expect.poll(async () => listed(b, 'web'), poll).toEqual([])
    expect(await listed(b, 'web', true)).toEqual([expect.objectContaining({ id, status: 'critical', maintenance: { reason: 'deploying 1.1' } })])
    await expect.poll(async () => (await fetch(`${b.url}/metrics`).then(async (r) => r.text())).match(/gossip_registry_instances\{status="maintenance"\} (\d+)/)?.[1], poll).toBe('1')

    // The check keeps running (and passing) but cannot bring it back.
    await expect.poll(() => web.hits, poll).toBeGreaterThan(hits + 3)
    expect(await listed(b, 'web')).toEqual([])
    expect(await listed(a, 'web')).toEqual([])

    const off = await runCli(['maintenance', id, 'off', '--agent', a.url, '--json'])
    expect(off.code, off.stderr).toBe(0)
    await expect.poll(async () => (await listed(b, 'web')).map((i) => [i.id, i.status, i.maintenance]), poll).toEqual([[id, 'passing', undefined]])
  }, 60_000)

  it('answers an unknown id with 404 and a bad state with a message', async () => {
    const unknown = await runCli(['maintenance', 'no-such-id', 'on', '--agent', a.url])
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toContain('404 ERR_UNKNOWN_INSTANCE')
    const bad = await runCli(['maintenance', 'x', 'maybe', '--agent', a.url])
    expect(bad.code).toBe(1)
    expect(bad.stderr).toContain('expected `on` or `off`')
  }, 30_000)
})
