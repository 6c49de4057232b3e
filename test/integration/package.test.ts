/**
 * The published package as a user gets it: `npm pack` (which builds, prepack), the tarball installed into an
 * empty project, then an embedding script that starts and stops a node, the gateway and agent entry points, and
 * `npx gossip-registry --version`, two agents from the installed bin (a bundle) that gossip, and the bin's version
 * check under the system's older Node, all from that project. The install is offline: the project's lock file is the
 * repository's, less its dev dependencies, so npm takes every tarball from its cache and the test never needs the
 * network (a fresh resolution against the registry is what `npm publish` users get; the exact @libp2p/crypto
 * dependency is what keeps it on one copy there, see docs/api.md).
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { delimiter, dirname, join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { startAgent, type Agent } from '../support/agents.js'
import { root, runBounded, spawnNode, SYSTEM_NODE, systemNodeMajor, type Run, type Spawned } from '../support/processes.js'

/** Runs a command with a time bound, Node 22 first on PATH: the bin's `#!/usr/bin/env node` must not find the system's older node. */
async function run (command: string, args: readonly string[], cwd: string, timeoutMs: number): Promise<Run> {
  const env = { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH ?? ''}`, npm_config_update_notifier: 'false' }
  return runBounded(command, args, { cwd, env, timeoutMs })
}

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string, version: string, license: string, dependencies: Record<string, string>, engines: unknown, bin: unknown, exports: Record<string, { types?: string } | string> }
const tarball = `${pkg.name}-${pkg.version}.tgz`

/** The user's project: the tarball as its one dependency, locked to the repository's resolution of its tree. */
function writeProject (dir: string): void {
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean, link?: boolean }> }
  const packages: Record<string, unknown> = {
    '': { name: 'embedder', dependencies: { [pkg.name]: `file:${tarball}` } },
    [`node_modules/${pkg.name}`]: { version: pkg.version, resolved: `file:${tarball}`, license: pkg.license, dependencies: pkg.dependencies, engines: pkg.engines, bin: pkg.bin }
  }
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (path !== '' && entry.dev !== true && entry.link !== true) packages[path] = entry
  }
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'embedder', private: true, type: 'module', dependencies: { [pkg.name]: `file:${tarball}` } }))
  writeFileSync(join(dir, 'package-lock.json'), JSON.stringify({ name: 'embedder', lockfileVersion: 3, requires: true, packages }))
  writeFileSync(join(dir, 'embed.mjs'), EMBED)
}

/** What an embedding program does: a node with mDNS off on loopback, one registration, a lookup, a leave. */
const EMBED = `
import { createRegistry } from 'gossip-registry'
import { gatewayPlugin, metricsHandler } from 'gossip-registry/gateway'
import { runAgent } from 'gossip-registry/agent'
const registry = await createRegistry({ mdns: false, listen: ['/ip4/127.0.0.1/tcp/0'] })
await registry.register({ service: 'orders', version: '2.1.0', address: '127.0.0.1', port: 8080 })
const found = registry.lookup('orders').map((i) => i.address + ':' + i.port)
await registry.stop()
console.log(JSON.stringify({ found, entries: [typeof gatewayPlugin, typeof metricsHandler, typeof runAgent] }))
`

describe('the npm package', () => {
  let dir: string

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gossip-registry-package-'))
    const packed = await run('npm', ['pack', '--silent', '--pack-destination', dir], root, 240_000)
    expect(packed.code, packed.stderr).toBe(0)
    writeProject(dir)
    const installed = await run('npm', ['ci', '--offline', '--no-audit', '--no-fund'], dir, 180_000)
    expect(installed.code, installed.stderr).toBe(0)
  }, 450_000)

  afterAll(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
  })

  it('holds the build, its types for every entry point, the licence and no TypeScript sources', () => {
    const installed = join(dir, 'node_modules', pkg.name)
    expect(existsSync(join(installed, 'LICENSE'))).toBe(true)
    for (const entry of Object.values(pkg.exports)) {
      if (typeof entry === 'string') continue
      expect(existsSync(join(installed, entry.types!)), entry.types).toBe(true)
    }
    expect(existsSync(join(installed, 'src'))).toBe(false)
    // Source maps carry their sources (inlineSources): the .ts files they name are not in the package.
    const map = JSON.parse(readFileSync(join(installed, 'dist/src/index.js.map'), 'utf8')) as { sourcesContent?: string[] }
    expect(map.sourcesContent?.[0]).toContain('createRegistry')
  })

  it('runs an embedding script that starts a node and stops it', async () => {
    const result = await run(process.execPath, ['embed.mjs'], dir, 60_000)
    expect(result.code, result.stderr).toBe(0)
    expect(JSON.parse(result.stdout.trim())).toEqual({ found: ['127.0.0.1:8080'], entries: ['function', 'function', 'function'] })
  }, 90_000)

  it('runs `npx gossip-registry --version`', async () => {
    const result = await run('npx', ['--offline', 'gossip-registry', '--version'], dir, 60_000)
    expect(result.code, result.stderr).toBe(0)
    expect(result.stdout.trim()).toBe(pkg.version)
  }, 90_000)

  it('runs two agents from the installed bin (the bundle) that join and gossip a registration', async () => {
    const bin = join(dir, 'node_modules', pkg.name, 'dist/agent/bin.js')
    const launch = (args: string[], env: Record<string, string>): Spawned => spawnNode([bin, ...args], env, dir)
    const agents: Agent[] = []
    try {
      const first = await startAgent([], {}, launch)
      agents.push(first)
      const second = await startAgent(['--bootstrap', first.multiaddr], {}, launch)
      agents.push(second)
      const registered = await fetch(`${second.url}/v1/instances`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ service: 'bundled', version: '1.0.0', address: '10.9.8.7', port: 80 })
      })
      expect(registered.status, await registered.clone().text()).toBe(201)
      await vi.waitFor(async () => {
        const { instances } = await (await fetch(`${first.url}/v1/services/bundled/instances`)).json() as { instances: Array<{ address: string }> }
        expect(instances.map((i) => i.address)).toEqual(['10.9.8.7'])
      }, { timeout: 15_000, interval: 100 })
    } finally {
      await Promise.allSettled(agents.map(async (agent) => agent.stop()))
    }
  }, 60_000)

  it.runIf(systemNodeMajor > 0 && systemNodeMajor < 22)('refuses the system Node (older than 22) from the installed bin in one line', async () => {
    const result = await run(SYSTEM_NODE, [join(dir, 'node_modules', pkg.name, 'dist/agent/bin.js'), '--version'], dir, 30_000)
    expect(result.code).toBe(1)
    expect(result.stderr.trim()).toMatch(/^gossip-registry needs Node\.js >= 22 \(found 2\d\.[^\n]*$/)
  })

  it('leaves no tarball behind in the repository', () => {
    expect(readdirSync(root).filter((name) => name.endsWith('.tgz'))).toEqual([])
  })
})
