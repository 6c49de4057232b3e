/**
 * What `import('gossip-registry')` loads, in a fresh process: the registry's core only. The gateway's and the
 * CLI's packages (Fastify, prom-client, pino, commander, dns-packet) belong to their own entry points; libp2p
 * loads when the first node starts, and multicast-dns only for a node with mDNS on. Packages are seen through a
 * module resolve hook, so a static import added anywhere under src/index.ts shows up here.
 */
import { describe, expect, it } from 'vitest'
import { root, runBounded, tsxArgs } from '../support/processes.js'

const PROBE = `
import { registerHooks } from 'node:module'
const loaded = new Set()
registerHooks({
  resolve (specifier, context, next) {
    const resolved = next(specifier, context)
    const name = /\\/node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//.exec(resolved.url)?.[1]
    if (name !== undefined) loaded.add(name)
    return resolved
  }
})
const seen = () => [...loaded].sort()
const api = await import('./src/index.ts')
const atImport = seen()
const registry = await api.createRegistry({ ...api.PRESETS.test, mdns: false, listen: ['/ip4/127.0.0.1/tcp/0'] })
const atStart = seen()
await registry.stop()
await import('./src/gateway/index.ts')
const withGateway = seen()
console.log(JSON.stringify({ atImport, atStart, withGateway }))
`

interface Loaded { atImport: string[], atStart: string[], withGateway: string[] }

async function probe (): Promise<Loaded> {
  const { code, stdout, stderr } = await runBounded(process.execPath, [...tsxArgs, '--input-type=module', '--eval', PROBE], { cwd: root, timeoutMs: 45_000 })
  expect(code, stderr).toBe(0)
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Loaded
}

const GATEWAY_ONLY = ['fastify', '@fastify/swagger', '@fastify/ajv-compiler', 'prom-client', 'pino', 'commander', 'dns-packet']
const STACK = ['libp2p', '@chainsafe/libp2p-gossipsub', '@chainsafe/libp2p-noise', '@chainsafe/libp2p-yamux', '@libp2p/tcp', '@libp2p/identify']

describe("import('gossip-registry')", () => {
  it('loads the core only; libp2p with the first node; never the gateway, the CLI or mDNS unless used', async () => {
    const { atImport, atStart, withGateway } = await probe()
    for (const name of [...GATEWAY_ONLY, ...STACK, 'multicast-dns', '@libp2p/bootstrap', '@libp2p/pnet']) expect(atImport).not.toContain(name)
    expect(atStart).toEqual(expect.arrayContaining(STACK))
    for (const name of [...GATEWAY_ONLY, 'multicast-dns', '@libp2p/bootstrap', '@libp2p/pnet']) expect(atStart).not.toContain(name)
    // The probe sees CommonJS packages too: the gateway entry brings Fastify and prom-client.
    expect(withGateway).toEqual(expect.arrayContaining(['fastify', 'prom-client']))
  }, 60_000)
})
