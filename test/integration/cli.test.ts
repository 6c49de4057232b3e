/**
 * The command line as a user meets it, run as real processes through the bin: help, version, suggestions,
 * configuration from flags, environment and file, the Node.js version check, and start-up errors that name the
 * flag (bad addresses, ports in use) before any node starts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from '../support/agents.js'
import { SYSTEM_NODE, systemNodeMajor } from '../support/processes.js'

const PEER = '12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA'

describe('help, version and suggestions', () => {
  it('prints help and exits 0 without a command, never starting an agent', async () => {
    const bare = await runCli([])
    expect(bare.code).toBe(0)
    expect(bare.stdout).toMatch(/^Usage: gossip-registry \[options\] \[command\]/)
    expect(bare.stdout).toContain('renew [options] <id>')
    expect(bare.stdout).not.toContain('peer id')
  })

  it('prints the package version for --version and -v', async () => {
    const { version } = (await import('../../package.json', { with: { type: 'json' } })).default
    for (const flag of ['--version', '-v']) {
      const run = await runCli([flag])
      expect(run.code).toBe(0)
      expect(run.stdout.trim()).toBe(version)
    }
  })

  it('has per-command help through -h, --help and help <command>', async () => {
    const [short, long, word] = await Promise.all([runCli(['lookup', '-h']), runCli(['lookup', '--help']), runCli(['help', 'lookup'])])
    for (const run of [short, long, word]) {
      expect(run.code).toBe(0)
      expect(run.stdout).toContain('Usage: gossip-registry lookup [options] <service>')
      expect(run.stdout).toContain('--semver <range>')
    }
    const agent = await runCli(['agent', '--help'])
    expect(agent.stdout).toContain('--heartbeat-interval <ms>')
    expect(agent.stdout).toContain('--network-key-file <path>')
    expect(agent.stdout).toContain('GOSSIP_REGISTRY_HEARTBEAT_INTERVAL')
  })

  it('suggests the nearest command and option, exiting 2', async () => {
    const command = await runCli(['servces'])
    expect(command.code).toBe(2)
    expect(command.stderr).toContain("unknown command 'servces'")
    expect(command.stderr).toContain('Did you mean services?')
    const option = await runCli(['agent', '--no-mdns', '--heartbeat-intervl', '5'])
    expect(option.code).toBe(2)
    expect(option.stderr).toContain('Did you mean --heartbeat-interval?')
  })
})

describe('configuration', () => {
  let dir: string
  beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'gr-cli-')) })
  afterAll(() => { rmSync(dir, { recursive: true, force: true }) })

  it('merges flags over environment over file, and --print-config hides secrets', async () => {
    const config = join(dir, 'agent.json')
    writeFileSync(config, JSON.stringify({ http: '127.0.0.1:1111', heartbeatInterval: 700, namespace: 'filed', tokenFile: join(dir, 'token') }))
    writeFileSync(join(dir, 'token'), 'sekrit-from-file\n')
    const env = { GOSSIP_REGISTRY_HEARTBEAT_INTERVAL: '800', GOSSIP_REGISTRY_HTTP: '127.0.0.1:2222', GOSSIP_REGISTRY_NETWORK_KEY: 'cd'.repeat(32) }
    const run = await runCli(['agent', '--config', config, '--http', '127.0.0.1:3333', '--no-mdns', '--print-config'], { env })
    expect(run.code, run.stderr).toBe(0)
    const { options, from } = JSON.parse(run.stdout) as { options: Record<string, unknown>, from: Record<string, string> }
    expect(options).toMatchObject({ http: '127.0.0.1:3333', heartbeatInterval: 800, namespace: 'filed', mdns: false, token: '<hidden>', networkKey: '<hidden>' })
    expect(from).toMatchObject({ http: 'flag', heartbeatInterval: 'env', namespace: 'file', token: 'file', networkKey: 'env' })
    expect(run.stdout).not.toContain('sekrit')
    expect(run.stdout).not.toContain('cdcd')
  })
})

describe('the Node.js version check', () => {
  it('refuses an older Node in one line, before importing libp2p (faked version)', async () => {
    const fake = "data:text/javascript,Object.defineProperty(process.versions,'node',{value:'20.11.1'})"
    const run = await runCli(['--version'], { nodeArgs: ['--import', fake] })
    expect(run.code).toBe(1)
    expect(run.stderr.trim().split('\n')).toHaveLength(1)
    expect(run.stderr).toContain('gossip-registry needs Node.js >= 22 (found 20.11.1)')
  })

  it.runIf(systemNodeMajor > 0 && systemNodeMajor < 22)('refuses the system Node (older than 22) the same way', async () => {
    const run = await runCli(['agent', '--no-mdns'], { node: SYSTEM_NODE })
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/^gossip-registry needs Node\.js >= 22 \(found 2\d\./)
    expect(run.stderr).not.toContain('withResolvers')
  })
})

describe('start-up errors name the flag', () => {
  let held: Server
  let port: number
  beforeAll(async () => {
    held = createServer()
    await new Promise<void>((resolve) => held.listen({ host: '127.0.0.1', port: 0 }, resolve))
    port = (held.address() as { port: number }).port
  })
  afterAll(async () => { await new Promise((resolve) => held.close(resolve)) })

  it.each([
    ['an HTTP port in use', () => ['--http', `127.0.0.1:${port}`], () => `\`--http\` 127.0.0.1:${port}: port ${port} is already in use`],
    ['a p2p port in use', () => ['--listen', `/ip4/127.0.0.1/tcp/${port}`], () => `\`--listen\` /ip4/127.0.0.1/tcp/${port}: port ${port} is already in use`],
    ['a --listen that is not a multiaddr', () => ['--listen', '127.0.0.1:4001'], () => '`--listen` "127.0.0.1:4001" is not a multiaddr'],
    ['a --listen without TCP', () => ['--listen', '/ip4/127.0.0.1/udp/4001'], () => '`--listen` "/ip4/127.0.0.1/udp/4001" needs a host and a TCP port'],
    ['a malformed --bootstrap', () => ['--bootstrap', `/ip4/10.0.0.300/tcp/1/p2p/${PEER}`], () => '`--bootstrap` "/ip4/10.0.0.300/tcp/1/p2p/'],
    ['a bad value in the environment', () => [], () => '`GOSSIP_REGISTRY_SUSPECT_AFTER`: expected a number']
  ])('%s: one line, exit 1, before any node starts', async (_name, args, message) => {
    const run = await runCli(['agent', '--no-mdns', '--http', '127.0.0.1:0', '--listen', '/ip4/127.0.0.1/tcp/0', ...args()], { env: { GOSSIP_REGISTRY_SUSPECT_AFTER: _name.includes('environment') ? 'later' : '3000' } })
    expect(run.code).toBe(1)
    expect(run.stderr).toContain(message())
    expect(run.stderr.trim().split('\n')).toHaveLength(1)
    expect(run.stdout).not.toContain('peer id')
  })
})
