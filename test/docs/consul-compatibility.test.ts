/**
 * Keeps docs/consul-compatibility.md and the gateway in step, both ways: every row's request gets the answer its
 * `support` column promises (2xx for supported and partly, 400 for not), in table order against one gateway; and
 * every Consul route the gateway serves has a row.
 */
import { readFileSync } from 'node:fs'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createGateway } from '../../src/gateway/server.js'
import { createRegistry, PRESETS, type Registry } from '../../src/index.js'

const doc = readFileSync(new URL('../../docs/consul-compatibility.md', import.meta.url), 'utf8')

interface Row { endpoint: string, support: string, request: string }

const rows: Row[] = doc.split('\n')
  .filter((line) => /^\| `(GET|PUT|\/v1)/.test(line))
  .map((line) => line.slice(1, -1).split('|').map((cell) => cell.trim()))
  .map((cells) => ({ endpoint: cells[0]!, support: cells[2]!, request: cells[4]!.replace(/^`|`$/g, '') }))

let registry: Registry
let app: FastifyInstance

beforeAll(async () => {
  registry = await createRegistry({ ...PRESETS.test, logPrefix: 'docs' })
  app = await createGateway(registry)
})

afterAll(async () => {
  await app.close()
  await registry.stop()
})

describe('docs/consul-compatibility.md', () => {
  it('has rows, each with a known support and a request', () => {
    expect(rows.length).toBeGreaterThan(40)
    for (const row of rows) {
      expect(['supported', 'partly', 'not'], row.endpoint).toContain(row.support)
      expect(row.request, row.endpoint).toMatch(/^(GET|PUT) \/v1\//)
    }
  })

  it('answers each row as it says: 2xx when supported or partly, 400 when not', async () => {
    for (const row of rows) {
      const [, method, url, body] = /^(GET|PUT) (\S+)(?: (.+))?$/.exec(row.request.replaceAll('SELF', registry.peerId))!
      const answer = await app.inject({ method: method as 'GET' | 'PUT', url: url!, ...(body !== undefined && { payload: body, headers: { 'content-type': 'application/json' } }) })
      const expected = row.support === 'not' ? '400' : '2xx'
      const got = answer.statusCode >= 200 && answer.statusCode < 300 ? '2xx' : String(answer.statusCode)
      // The answer's body joins a mismatch, so the failure says why.
      expect(`${row.request} -> ${got}${got === expected ? '' : ` ${answer.body}`}`).toBe(`${row.request} -> ${expected}`)
    }
  })

  it('has a row for every Consul route the gateway serves', async () => {
    const spec = (await app.inject({ url: '/openapi.json' })).json() as { paths: Record<string, Record<string, { tags?: string[] }>> }
    const documented = rows.flatMap((row) => [...row.endpoint.matchAll(/`(GET|PUT) ([^`]+)`/g)].map((m) => `${m[1]} ${normalise(m[2]!)}`))
    const served = Object.entries(spec.paths).flatMap(([path, methods]) =>
      Object.entries(methods).filter(([, operation]) => operation.tags?.includes('consul') === true).map(([method]) => `${method.toUpperCase()} ${normalise(path)}`))
    expect(served.length).toBeGreaterThan(10)
    expect(served.filter((route) => !documented.includes(route))).toEqual([])
  })
})

/** `/v1/agent/service/:service_id` and `/v1/agent/service/{id}` both become `/v1/agent/service/*`. */
function normalise (path: string): string {
  return path.replace(/[:{][A-Za-z_]+}?/g, '*')
}
