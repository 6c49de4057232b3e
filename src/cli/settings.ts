/**
 * Merges the agent's settings from their four sources: flags win over environment variables, which win over the
 * config file, which wins over the defaults. Reads `--token-file`/`--network-key-file`, validates everything once
 * (resolveConfig for the registry's options) and names the source of a bad value: the flag, the variable, or the
 * key and the file. No I/O besides reading the files it is given.
 */
import { readFileSync } from 'node:fs'
import { resolveConfig, type RegistryOptions, type ResolvedConfig } from '../config.js'
import { InvalidOptionError, describeValue } from '../errors.js'
import { closest } from './suggest.js'
import { AGENT_DEFAULTS, AGENT_FLAGS, ALL_FLAGS, REGISTRY_FLAGS, SECRET_KEYS, envName, fileKey, flagName, type AgentOnlyOptions, type OptionSpec } from './options.js'

/** Where a value came from, strongest first. */
export type Source = 'flag' | 'env' | 'file' | 'default'

/** Values of one source, by config-file key (`heartbeatInterval`, `tokenFile`). */
export type Values = Record<string, unknown>

/** The merged settings of an agent. */
export interface AgentSettings {
  readonly registry: ResolvedConfig
  readonly agent: Readonly<AgentOnlyOptions>
  /** The source of every option that is not a default. */
  readonly origins: Readonly<Record<string, Source>>
}

/** Inputs of `resolveAgentSettings`. */
export interface SettingSources {
  /** Values given on the command line (already typed by the parser, numbers still as text). */
  flags: Values
  /** The process environment. */
  env: Readonly<Record<string, string | undefined>>
  /** Reads a file as text; injected so tests need no files. @default readFileSync(path, 'utf8') */
  readFile?: (path: string) => string
}

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']

/** Every key a source may give: the options plus `tokenFile`, `networkKeyFile`. */
const KNOWN_KEYS = [...Object.keys(ALL_FLAGS), ...SECRET_KEYS.map(fileKey)]

/** How a key is spelt in a source, for error messages. */
export function describeOrigin (key: string, source: Source, configPath?: string): string {
  if (source === 'flag') return `\`--${flagName(key)}\``
  if (source === 'env') return `\`${envName(key)}\``
  if (source === 'file') return `\`${key}\` in ${configPath ?? 'the config file'}`
  return `\`${key}\``
}

/** Merges flags, environment, config file and defaults; validates; returns the settings. */
export function resolveAgentSettings ({ flags, env, readFile = (path) => readFileSync(path, 'utf8') }: SettingSources): AgentSettings {
  const configPath = (flags.config ?? env.GOSSIP_REGISTRY_CONFIG) as string | undefined
  const sources: Array<[Source, Values]> = [
    ['flag', typedFlags(flags)],
    ['env', readEnv(env)],
    ['file', configPath === undefined ? {} : readConfigFile(configPath, readFile)]
  ]
  const merged: Values = {}
  const origins: Record<string, Source> = {}
  for (const [source, raw] of sources.reverse()) {
    for (const [key, value] of Object.entries(readSecretFiles(raw, source, readFile, configPath))) {
      if (value === undefined) continue
      merged[key] = value
      origins[key] = source
    }
  }
  const blame = (key: string): string => describeOrigin(key, origins[key] ?? 'default', configPath)
  const registryOptions: RegistryOptions = {}
  for (const key of Object.keys(REGISTRY_FLAGS)) (registryOptions as Values)[key] = merged[key]
  let registry: ResolvedConfig
  try {
    registry = resolveConfig(registryOptions)
  } catch (err) {
    if (!(err instanceof InvalidOptionError)) throw err
    throw new InvalidOptionError(err.option, `${blame(err.option)}: ${err.message}`)
  }
  const agent = { ...AGENT_DEFAULTS } as AgentOnlyOptions & Values
  for (const key of Object.keys(AGENT_FLAGS)) if (merged[key] !== undefined) agent[key] = merged[key]
  checkAgentOptions(agent, blame)
  return { registry, agent: Object.freeze(agent), origins: Object.freeze(origins) }
}

/** The merged settings as `--print-config` shows them: every option with its value, secrets masked. */
export function printableSettings ({ registry, agent, origins }: AgentSettings): { options: Values, from: Values } {
  const options: Values = {}
  for (const key of Object.keys(ALL_FLAGS)) {
    const value = key in AGENT_FLAGS ? (agent as unknown as Values)[key] : (registry as unknown as Values)[key]
    options[key] = SECRET_KEYS.includes(key) && value !== undefined ? '<hidden>' : value ?? null
  }
  return { options, from: { ...origins } }
}

/** Flag values arrive as text (numbers) or typed (booleans, lists); the `config` flag is not an option. */
function typedFlags (flags: Values): Values {
  const typed: Values = {}
  for (const [key, value] of Object.entries(flags)) {
    if (key === 'config' || key === 'printConfig' || value === undefined) continue
    const spec = ALL_FLAGS[key]
    typed[key] = spec?.kind === 'number' && typeof value === 'string' ? parseText(key, value, spec, 'flag') : value
  }
  return typed
}

/** The `GOSSIP_REGISTRY_*` variables that name an option; an unknown one is an error with a suggestion. */
function readEnv (env: SettingSources['env']): Values {
  const byName = new Map(KNOWN_KEYS.map((key) => [envName(key), key]))
  const values: Values = {}
  for (const [name, text] of Object.entries(env)) {
    if (!name.startsWith('GOSSIP_REGISTRY_') || text === undefined || name === 'GOSSIP_REGISTRY_CONFIG') continue
    // The client's variable: an agent ignores it, so one shell can run both.
    if (name === 'GOSSIP_REGISTRY_AGENT') continue
    const key = byName.get(name)
    if (key === undefined) {
      const near = closest(name, [...byName.keys()])
      throw new InvalidOptionError(name, `Unknown environment variable \`${name}\`${near === undefined ? '' : `; did you mean \`${near}\`?`}`)
    }
    values[key] = parseText(key, text, ALL_FLAGS[key] ?? { kind: 'string', help: '' }, 'env')
  }
  return values
}

/** A JSON object of config-file keys; unknown keys are refused with a suggestion. */
function readConfigFile (path: string, readFile: (path: string) => string): Values {
  let parsed: unknown
  try {
    parsed = JSON.parse(readFile(path))
  } catch (err) {
    throw new InvalidOptionError('config', `\`--config\` ${path}: ${(err as Error).message}`)
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InvalidOptionError('config', `\`--config\` ${path}: expected a JSON object of options, got ${describeValue(parsed)}`)
  }
  for (const [key, value] of Object.entries(parsed)) {
    if (!KNOWN_KEYS.includes(key)) {
      const near = closest(key, KNOWN_KEYS)
      throw new InvalidOptionError(key, `Unknown option \`${key}\` in ${path}${near === undefined ? '' : `; did you mean \`${near}\`?`}`)
    }
    const spec = ALL_FLAGS[key]
    if (spec?.kind === 'list' && !(Array.isArray(value) && value.every((v) => typeof v === 'string'))) {
      throw new InvalidOptionError(key, `\`${key}\` in ${path}: expected an array of strings, got ${describeValue(value)}`)
    }
  }
  return parsed as Values
}

/** Replaces `tokenFile` by `token` (the file's text, trimmed); giving both in one source is an error. */
function readSecretFiles (values: Values, source: Source, readFile: (path: string) => string, configPath?: string): Values {
  const out = { ...values }
  for (const key of SECRET_KEYS) {
    const path = out[fileKey(key)]
    delete out[fileKey(key)]
    if (path === undefined) continue
    if (out[key] !== undefined) {
      throw new InvalidOptionError(key, `Give ${describeOrigin(key, source, configPath)} or ${describeOrigin(fileKey(key), source, configPath)}, not both`)
    }
    try {
      out[key] = readFile(String(path)).trim()
    } catch (err) {
      throw new InvalidOptionError(fileKey(key), `${describeOrigin(fileKey(key), source, configPath)}: cannot read ${String(path)}: ${(err as Error).message}`)
    }
  }
  return out
}

/** Text of a flag or variable as its kind: numbers, `true`/`false`, comma-separated lists. */
function parseText (key: string, text: string, spec: OptionSpec, source: Source): unknown {
  switch (spec.kind) {
    case 'string': return text
    case 'list': return text.split(',').map((part) => part.trim()).filter((part) => part !== '')
    case 'number': {
      const value = Number(text.replaceAll('_', ''))
      if (text.trim() === '' || !Number.isFinite(value)) throw new InvalidOptionError(key, `${describeOrigin(key, source)}: expected a number, got ${describeValue(text)}`)
      return value
    }
    case 'boolean': {
      if (/^(true|1|yes|on)$/i.test(text)) return true
      if (/^(false|0|no|off)$/i.test(text)) return false
      throw new InvalidOptionError(key, `${describeOrigin(key, source)}: expected true or false, got ${describeValue(text)}`)
    }
  }
}

function checkAgentOptions (agent: AgentOnlyOptions, blame: (key: string) => string): void {
  const fail = (key: string, expected: string, value: unknown): never => {
    throw new InvalidOptionError(key, `${blame(key)}: expected ${expected}, got ${describeValue(value)}`)
  }
  if (typeof agent.http !== 'string' || splitHostPort(agent.http) === undefined) fail('http', 'host:port, e.g. 127.0.0.1:8500', agent.http)
  if (agent.token !== undefined && (typeof agent.token !== 'string' || agent.token === '')) fail('token', 'a non-empty string', agent.token)
  for (const key of ['leaseTtl', 'leaseGrace'] as const) {
    const value = agent[key]
    if (!(Number.isInteger(value) && value >= 1_000)) fail(key, 'an integer number of ms >= 1000', value)
  }
  if (!LOG_LEVELS.includes(agent.logLevel)) fail('logLevel', `one of ${LOG_LEVELS.join(', ')}`, agent.logLevel)
  if (typeof agent.logJson !== 'boolean') fail('logJson', 'a boolean', agent.logJson)
}

/** `host:port` (IPv6 in brackets) as a host and a port, or undefined when it is not one. */
export function splitHostPort (text: string): { host: string, port: number } | undefined {
  const match = /^(.+):(\d{1,5})$/.exec(text)
  if (match === null || Number(match[2]) > 65_535) return undefined
  return { host: match[1]!.replace(/^\[(.*)\]$/, '$1'), port: Number(match[2]) }
}
