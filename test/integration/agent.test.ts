/**
 * Two agents as real processes on loopback: a registration over HTTP on one is returned by the other; the
 * CLI commands against a running agent (agent and token from the environment too); start-up and change logs;
 * a clean, graceful stop on SIGTERM (SIGINT in every other test) and on `gossip-registry leave`; process metrics on /metrics.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { runCli, spawnCli, startAgent, type Agent } from '../support/agents.js'

let a: Agent
let b: Agent

beforeAll(async () => {
  a = await startAgent()
  b = await startAgent(['--bootstrap', a.multiaddr])
}, 60_000)

afterAll(async () => {
  await Promise.allSettled([a?.stop(), b?.stop()])
})

describe('two agents', () => {
  it('return at one what was registered over HTTP at the other', async () => {
    const registered = await fetch(`${a.url}/payments/3.1.0/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ address: '10.1.2.3', port: 8443 }) })
    expect(await registered.json()).toMatchObject({ success: true, id: expect.any(String) })
    await vi.waitFor(async () => {
      const response = await fetch(`${b.url}/payments/3.1.0/getaddresses`)
      expect(await response.json()).toEqual({ addresses: ['10.1.2.3:8443'] })
    }, { timeout: 15_000, interval: 100 })
  })
})

describe('the agent\'s metrics', () => {
  it('include the process metrics, since the agent owns its process', async () => {
    const text = await (await fetch(`${a.url}/metrics`)).text()
    expect(text).toMatch(/^process_cpu_user_seconds_total \d/m)
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds \d/m)
    expect(text).toMatch(/^gossip_registry_/m)
  })
})

describe('the CLI against a running agent', () => {
  it('registers, looks up, lists and deregisters', async () => {
    const registered = await runCli(['register', 'search', '1.0.0', '10.9.9.9', '9200', '--tag', 'eu', '--agent', a.url, '--json'])
    expect(registered.code).toBe(0)
    const { instance } = JSON.parse(registered.stdout) as { instance: { id: string } }

    await vi.waitFor(async () => {
      const lookup = await runCli(['lookup', 'search', '--semver', '^1', '--tag', 'eu', '--agent', b.url])
      expect(lookup.stdout).toContain('10.9.9.9:9200')
      expect(lookup.stdout.split('\n')[0]).toMatch(/^id\s+version\s+address\s+status/)
    }, { timeout: 15_000, interval: 200 })

    const services = await runCli(['services', '--agent', b.url, '--json'])
    expect(JSON.parse(services.stdout).services).toContain('search')
    const members = await runCli(['members', '--agent', a.url])
    expect(members.stdout).toMatch(/\(agent\)\s+alive/)
    expect(members.stdout.trim().split('\n')).toHaveLength(3)

    expect((await runCli(['deregister', instance.id, '--agent', a.url])).code).toBe(0)
    await vi.waitFor(async () => {
      expect(JSON.parse((await runCli(['lookup', 'search', '--agent', b.url, '--json'])).stdout).instances).toEqual([])
    }, { timeout: 15_000, interval: 200 })
  }, 60_000)

  it('watches changes as they happen', async () => {
    const watcher = spawnCli(['watch', 'streamed', '--agent', b.url])
    try {
      await vi.waitFor(() => { expect(watcher.output()).toContain('watching streamed') }, { timeout: 15_000, interval: 50 })
      await fetch(`${a.url}/streamed/1.0.0/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ address: '10.7.7.7', port: 7 }) })
      await vi.waitFor(() => { expect(watcher.output()).toContain('up streamed@1.0.0 10.7.7.7:7 passing') }, { timeout: 15_000, interval: 50 })
    } finally {
      watcher.child.kill('SIGINT')
      await watcher.exited
    }
  }, 30_000)

  it('fails with a message and a non-zero code on bad input or no agent', async () => {
    const bad = await runCli(['register', 'search', '1.0', '10.9.9.9', '9200', '--agent', a.url])
    expect(bad.code).toBe(1)
    expect(bad.stderr).toContain('400')
    const gone = await runCli(['services', '--agent', 'http://127.0.0.1:9'])
    expect(gone.code).toBe(1)
    expect(gone.stderr).toContain('cannot reach the agent')
    expect((await runCli(['frobnicate'])).code).toBe(2)
  }, 30_000)

  it('renews a lease, taking the agent and its token from the environment', async () => {
    const secured = await startAgent(['--token-file', 'test/fixtures/token.txt'])
    try {
      const env = { GOSSIP_REGISTRY_AGENT: secured.url, GOSSIP_REGISTRY_TOKEN: 'from-a-file' }
      const registered = await runCli(['register', 'leased', '1.0.0', '10.4.4.4', '4444', '--ttl', '60000', '--json'], { env })
      expect(registered.code, registered.stderr).toBe(0)
      const { instance } = JSON.parse(registered.stdout) as { instance: { id: string } }
      const renewed = await runCli(['renew', instance.id], { env })
      expect(renewed.code, renewed.stderr).toBe(0)
      expect(renewed.stdout).toContain(instance.id)
      const unknown = await runCli(['renew', 'no-such-id'], { env })
      expect(unknown.code).toBe(1)
      expect(unknown.stderr).toContain('404 ERR_UNKNOWN_INSTANCE')
      const noToken = await runCli(['renew', instance.id, '--agent', secured.url])
      expect(noToken.stderr).toContain('401 ERR_UNAUTHORIZED')
    } finally {
      await secured.stop()
    }
  }, 60_000)
})

describe('the agent log', () => {
  it('reports start-up progress and one line per member and instance change', async () => {
    expect(a.output()).toMatch(/INFO  listening on \/ip4\/127\.0\.0\.1\/tcp\/\d+/)
    expect(b.output()).toContain(`dialling bootstrap ${a.multiaddr}`)
    await vi.waitFor(() => { expect(b.output()).toMatch(/INFO  joined: 2 members/) }, { timeout: 15_000, interval: 100 })
    expect(b.output()).toMatch(/INFO  member \S+ unknown -> alive \(\/ip4\/127\.0\.0\.1\/tcp\/\d+/)
    await fetch(`${a.url}/logged/1.0.0/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ address: '10.5.5.5', port: 5 }) })
    await vi.waitFor(() => { expect(b.output()).toMatch(/INFO  instance up logged@1\.0\.0 10\.5\.5\.5:5 passing id=h-\w+ owner=\S+/) }, { timeout: 15_000, interval: 100 })
  }, 30_000)

  it('prints JSON lines with --log-json, and warns when still alone with the reason', async () => {
    // Port 9 (discard) on loopback is closed here: the probe gets "connection refused".
    const lonely = await startAgent(['--log-json', '--bootstrap', '/ip4/127.0.0.1/tcp/9/p2p/12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA'])
    try {
      const first = JSON.parse(lonely.output().split('\n')[0]!) as Record<string, unknown>
      expect(first).toMatchObject({ level: 30, msg: expect.stringMatching(/^peer id /) })
      await vi.waitFor(() => {
        expect(lonely.output()).toMatch(/"level":40,.*"msg":"still alone after 10 s: bootstrap \/ip4\/127\.0\.0\.1\/tcp\/9\/p2p\/\w+ unreachable \(connection refused\)"/)
      }, { timeout: 25_000, interval: 200 })
    } finally {
      await lonely.stop()
    }
  }, 40_000)
})

describe('an agent process', () => {
  it('leaves gracefully on SIGTERM: exit code 0, and the cluster drops it at once', async () => {
    const c = await startAgent(['--bootstrap', a.multiaddr])
    const peerId = /peer id (\S+)/.exec(c.output())![1]!
    await vi.waitFor(async () => {
      const { members } = await (await fetch(`${a.url}/v1/members`)).json() as { members: Array<{ peerId: string, state: string }> }
      expect(members.find((m) => m.peerId === peerId)?.state).toBe('alive')
    }, { timeout: 15_000, interval: 100 })
    c.child.kill('SIGTERM')
    expect(await new Promise((resolve) => c.child.once('exit', resolve))).toBe(0)
    expect(c.output()).toContain('leaving the cluster')
    const { members } = await (await fetch(`${a.url}/v1/members`)).json() as { members: Array<{ peerId: string, state: string }> }
    expect(members.find((m) => m.peerId === peerId)?.state).toBe('left')
  }, 40_000)

  it('leaves gracefully on `gossip-registry leave`', async () => {
    const c = await startAgent(['--bootstrap', a.multiaddr])
    const left = await runCli(['leave', '--agent', c.url])
    expect(left.code, left.stderr).toBe(0)
    expect(await c.exited).toBe(0)
    expect(c.output()).toContain('leaving the cluster')
  }, 40_000)
})
