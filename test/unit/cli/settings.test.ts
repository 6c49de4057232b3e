/**
 * The agent's settings: flags win over the environment, which wins over the config file, which wins over the
 * defaults; secrets from files; every mistake names the flag, the variable or the file key. Pure: files are
 * injected.
 */
import { describe, expect, it } from 'vitest'
import { DEFAULTS } from '../../../src/config.js'
import { ALL_FLAGS, REGISTRY_FLAGS, envName, flagName } from '../../../src/cli/options.js'
import { printableSettings, resolveAgentSettings } from '../../../src/cli/settings.js'
import { nodeVersionProblem } from '../../../src/cli/node-version.js'

const KEY = 'ab'.repeat(32)
const files: Record<string, string> = {
  '/etc/gr.json': JSON.stringify({ http: '127.0.0.1:1111', heartbeatInterval: 700, namespace: 'from-file', bootstrap: ['/ip4/10.0.0.1/tcp/1'] }),
  '/run/token': 'file-token\n',
  '/run/psk': `${KEY}\n`,
  '/etc/typo.json': JSON.stringify({ hearbeatInterval: 5 })
}
const readFile = (path: string): string => {
  if (!(path in files)) throw new Error(`ENOENT: no such file, open '${path}'`)
  return files[path]!
}
const resolve = (flags: Record<string, unknown>, env: Record<string, string> = {}) => resolveAgentSettings({ flags, env, readFile })

describe('the option table', () => {
  it('covers every registry option but the two objects a program passes in', () => {
    expect(Object.keys(REGISTRY_FLAGS).sort()).toEqual(Object.keys(DEFAULTS).filter((k) => k !== 'privateKey' && k !== 'clock').sort())
  })

  it('derives flag and variable names', () => {
    expect(flagName('heartbeatInterval')).toBe('heartbeat-interval')
    expect(envName('networkKey')).toBe('GOSSIP_REGISTRY_NETWORK_KEY')
    expect(envName('http')).toBe('GOSSIP_REGISTRY_HTTP')
    expect(Object.keys(ALL_FLAGS)).toContain('token')
  })
})

describe('precedence', () => {
  it('is flags over environment over file over defaults', () => {
    const fileOnly = resolve({ config: '/etc/gr.json' })
    expect(fileOnly.agent.http).toBe('127.0.0.1:1111')
    expect(fileOnly.registry.heartbeatInterval).toBe(700)
    expect(fileOnly.registry.suspectAfter).toBe(DEFAULTS.suspectAfter)

    const env = { GOSSIP_REGISTRY_HTTP: '127.0.0.1:2222', GOSSIP_REGISTRY_HEARTBEAT_INTERVAL: '800', GOSSIP_REGISTRY_MDNS: 'false', GOSSIP_REGISTRY_CONFIG: '/etc/gr.json' }
    const withEnv = resolve({}, env)
    expect(withEnv.agent.http).toBe('127.0.0.1:2222')
    expect(withEnv.registry.heartbeatInterval).toBe(800)
    expect(withEnv.registry.namespace).toBe('from-file')
    expect(withEnv.registry.mdns).toBe(false)

    const withFlags = resolve({ http: '127.0.0.1:3333', heartbeatInterval: '900', bootstrap: ['/ip4/10.0.0.2/tcp/2'] }, env)
    expect(withFlags.agent.http).toBe('127.0.0.1:3333')
    expect(withFlags.registry.heartbeatInterval).toBe(900)
    expect(withFlags.registry.bootstrap).toEqual(['/ip4/10.0.0.2/tcp/2'])
    expect(withFlags.origins).toMatchObject({ http: 'flag', heartbeatInterval: 'flag', namespace: 'file', mdns: 'env' })
  })

  it('reads lists from comma-separated variables', () => {
    expect(resolve({}, { GOSSIP_REGISTRY_LISTEN: '/ip4/127.0.0.1/tcp/1, /ip4/127.0.0.1/tcp/2' }).registry.listen).toEqual(['/ip4/127.0.0.1/tcp/1', '/ip4/127.0.0.1/tcp/2'])
  })
})

describe('secrets', () => {
  it('come from --token-file and GOSSIP_REGISTRY_NETWORK_KEY_FILE, trimmed, and are hidden by --print-config', () => {
    const settings = resolve({ tokenFile: '/run/token' }, { GOSSIP_REGISTRY_NETWORK_KEY_FILE: '/run/psk' })
    expect(settings.agent.token).toBe('file-token')
    expect(settings.registry.networkKey).toBe(KEY)
    const printed = JSON.stringify(printableSettings(settings))
    expect(printed).not.toContain('file-token')
    expect(printed).not.toContain(KEY)
    expect(printableSettings(settings).options).toMatchObject({ token: '<hidden>', networkKey: '<hidden>' })
  })

  it('a flag beats a file given in the environment', () => {
    expect(resolve({ token: 'typed' }, { GOSSIP_REGISTRY_TOKEN_FILE: '/run/token' }).agent.token).toBe('typed')
  })

  it('refuse both forms from one source, and name an unreadable file', () => {
    expect(() => resolve({ token: 'a', tokenFile: '/run/token' })).toThrow('Give `--token` or `--token-file`, not both')
    expect(() => resolve({ tokenFile: '/nope' })).toThrow(/`--token-file`: cannot read \/nope: ENOENT/)
  })
})

describe('mistakes name their source', () => {
  it.each([
    [{ heartbeatInterval: 'soon' }, {}, '`--heartbeat-interval`: expected a number, got `"soon"` (string)'],
    [{}, { GOSSIP_REGISTRY_DEAD_AFTER: '100' }, '`GOSSIP_REGISTRY_DEAD_AFTER`: Expected `deadAfter` to be > suspectAfter (2000)'],
    [{}, { GOSSIP_REGISTRY_HEARTBEAT_INTERVA: '1' }, 'Unknown environment variable `GOSSIP_REGISTRY_HEARTBEAT_INTERVA`; did you mean `GOSSIP_REGISTRY_HEARTBEAT_INTERVAL`?'],
    [{ config: '/etc/typo.json' }, {}, 'Unknown option `hearbeatInterval` in /etc/typo.json; did you mean `heartbeatInterval`?'],
    [{ config: '/etc/none.json' }, {}, '`--config` /etc/none.json: ENOENT'],
    [{ networkKey: 'short' }, {}, '`--network-key`: Expected `networkKey` to be 64 hex digits'],
    [{ http: 'localhost' }, {}, '`--http`: expected host:port'],
    [{ logLevel: 'loud' }, {}, '`--log-level`: expected one of trace, debug, info'],
    [{}, { GOSSIP_REGISTRY_LOG_JSON: 'maybe' }, '`GOSSIP_REGISTRY_LOG_JSON`: expected true or false']
  ])('%j %j', (flags, env, message) => {
    expect(() => resolve(flags, env)).toThrow(message)
  })

  it('leaves the client variable GOSSIP_REGISTRY_AGENT to the client', () => {
    expect(resolve({}, { GOSSIP_REGISTRY_AGENT: 'http://127.0.0.1:1' }).agent.http).toBe('127.0.0.1:8500')
  })
})

describe('the Node.js version check', () => {
  it.each([['20.11.1', false], ['21.7.0', false], ['22.0.0', true], ['24.1.0', true]])('%s is accepted: %s', (version, ok) => {
    const problem = nodeVersionProblem(version)
    expect(problem === undefined).toBe(ok)
    if (!ok) expect(problem).toContain(`gossip-registry needs Node.js >= 22 (found ${version})`)
  })
})
