/**
 * Two agents joined by --bootstrap on loopback. Agent A's Consul health API lists, with `?passing`, a service
 * registered on agent B, and a query blocked on A wakes when B deregisters it. Real Prometheus (Debian's package)
 * discovers services through A, once with `http_sd_configs` on A's `/v1/sd/prometheus` and once with
 * `consul_sd_configs`: a service registered on B appears in Prometheus' targets, and disappears after deregistration.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { startAgent, type Agent } from '../support/agents.js'
import { prometheusMissing, sdUnsupported, startPrometheus, type Prometheus } from '../support/prometheus.js'

const missing = prometheusMissing()
// Debian's build leaves Consul SD out (see sdUnsupported): the test then checks that this is why, and runs the
// real discovery wherever Prometheus has it.
const noConsulSd = missing ?? await sdUnsupported('consul_sd_configs')

let a: Agent
let b: Agent
let bPeer: string

/** Registers a service on B through its Consul API; returns the deregistration. */
async function registerOnB (id: string, port: number): Promise<() => Promise<void>> {
  const answer = await fetch(`${b.url}/v1/agent/service/register`, {
    method: 'PUT',
    body: JSON.stringify({ Name: 'promtest', ID: id, Address: '127.0.0.1', Port: port, Tags: ['blue'], Meta: { version: '1.4.0' } })
  })
  expect(answer.status).toBe(200)
  return async () => { expect((await fetch(`${b.url}/v1/agent/service/deregister/${id}`, { method: 'PUT' })).status).toBe(200) }
}

/** Runs `body` against a Prometheus with one job, stopping it whatever happens; its log joins any failure. */
async function withPrometheus (job: string, block: string, body: (prometheus: Prometheus) => Promise<void>): Promise<void> {
  // Short refresh intervals so that each change shows within seconds; scrapes do not matter (a target is listed
  // whether or not it answers), so they are rare.
  const prometheus = await startPrometheus(`global:\n  scrape_interval: 1m\nscrape_configs:\n  - job_name: ${job}\n    ${block}\n`)
  try {
    await body(prometheus)
  } catch (err) {
    throw new Error(`${(err as Error).message}\n--- prometheus output ---\n${prometheus.output().slice(-4_000)}`)
  } finally {
    await prometheus.stop()
  }
}

beforeAll(async () => {
  a = await startAgent()
  b = await startAgent(['--bootstrap', a.multiaddr])
  bPeer = (await (await fetch(`${b.url}/v1/self`)).json() as { peerId: string }).peerId
})

afterAll(async () => {
  await b?.stop()
  await a?.stop()
})

describe('Consul health across agents', () => {
  it('A lists with ?passing what B registered, and a query blocked on A wakes when B deregisters it', async () => {
    const deregister = await registerOnB('pt-health', 18_080)
    type Entry = { Node: { Node: string }, Service: { ID: string, Port: number } }
    let index = '0'
    await vi.waitFor(async () => {
      const answer = await fetch(`${a.url}/v1/health/service/promtest?passing`)
      index = answer.headers.get('x-consul-index')!
      expect((await answer.json() as Entry[]).map((e) => `${e.Node.Node}/${e.Service.ID}:${e.Service.Port}`)).toEqual([`${bPeer}/pt-health:18080`])
    }, { timeout: 20_000, interval: 100 })
    const blocked = fetch(`${a.url}/v1/health/service/promtest?index=${index}&wait=30s`, { signal: AbortSignal.timeout(40_000) })
    const started = performance.now()
    await deregister()
    const woken = await blocked
    expect(performance.now() - started).toBeLessThan(20_000)
    expect(Number(woken.headers.get('x-consul-index'))).toBeGreaterThan(Number(index))
    expect(await woken.json()).toEqual([])
  }, 60_000)
})

describe('Prometheus service discovery through the agent', () => {
  it('http_sd_configs: a service of another agent comes and goes', async () => {
    expect(missing, 'these tests need Prometheus').toBeUndefined()
    await withPrometheus('httpsd', `http_sd_configs:\n      - url: ${a.url}/v1/sd/prometheus?service=promtest\n        refresh_interval: 1s`, async (prometheus) => {
      const deregister = await registerOnB('pt-http', 19_998)
      await vi.waitFor(async () => {
        expect(await prometheus.targets('httpsd')).toEqual([expect.objectContaining({
          __address__: '127.0.0.1:19998', __meta_gossip_registry_service: 'promtest', __meta_gossip_registry_instance_id: 'pt-http',
          __meta_gossip_registry_owner: bPeer, __meta_gossip_registry_version: '1.4.0', __meta_gossip_registry_tags: ',blue,'
        })])
      }, { timeout: 60_000, interval: 500 })
      await deregister()
      await vi.waitFor(async () => { expect(await prometheus.targets('httpsd')).toEqual([]) }, { timeout: 60_000, interval: 500 })
    })
  }, 180_000)

  it('consul_sd_configs: a service of another agent comes and goes (where the Prometheus build has Consul SD)', async () => {
    expect(missing, 'these tests need Prometheus').toBeUndefined()
    if (noConsulSd !== undefined) {
      // Debian's package is built without Consul SD: nothing here can run it, so make sure that is the only reason.
      expect(noConsulSd).toMatch(/field consul_sd_configs not found/)
      return
    }
    await withPrometheus('consul', `consul_sd_configs:\n      - server: ${new URL(a.url).host}\n        refresh_interval: 1s`, async (prometheus) => {
      const deregister = await registerOnB('pt-consul', 19_999)
      await vi.waitFor(async () => {
        expect(await prometheus.targets('consul')).toContainEqual(expect.objectContaining({
          __address__: '127.0.0.1:19999', __meta_consul_service: 'promtest', __meta_consul_service_id: 'pt-consul', __meta_consul_node: bPeer,
          __meta_consul_dc: 'default', __meta_consul_tags: ',blue,', __meta_consul_service_metadata_version: '1.4.0', __meta_consul_health: 'passing'
        }))
      }, { timeout: 60_000, interval: 500 })
      await deregister()
      await vi.waitFor(async () => {
        expect((await prometheus.targets('consul')).filter((t) => t.__meta_consul_service === 'promtest')).toEqual([])
      }, { timeout: 60_000, interval: 500 })
    })
  }, 180_000)
})
