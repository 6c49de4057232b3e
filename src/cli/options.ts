/**
 * The agent's options, in one table: every registry option (RegistryOptions, src/config.ts) plus the agent's own.
 * Flag names (`--heartbeat-interval`), environment variables (`GOSSIP_REGISTRY_HEARTBEAT_INTERVAL`) and config-file
 * keys (`heartbeatInterval`) are all derived from the keys here, so no name is written twice. Defaults and their
 * reasons stay in config.ts (registry) and here (agent): the table only says how a value is spelt on a command line.
 */
import type { RegistryOptions } from '../config.js'
import { GATEWAY_DEFAULTS } from '../gateway/defaults.js'

/** How a value is written in a flag or an environment variable. Lists are repeated flags or comma-separated. */
export type OptionKind = 'string' | 'list' | 'number' | 'boolean'

/** One option as the agent's command line, environment and config file know it. */
export interface OptionSpec {
  readonly kind: OptionKind
  /** One line of help; the CLI appends the default from DEFAULTS or AGENT_DEFAULTS, and docs/options.md gives its reason. */
  readonly help: string
  /** Placeholder in help, e.g. `<ms>`. */
  readonly arg?: string
  /** Masked by --print-config; read from a file with `--<name>-file`. */
  readonly secret?: boolean
}

/**
 * `privateKey` and `clock` are objects a program passes in; an operator gives `--key-file` instead, and the agent
 * always runs on the system clock. Listing every other key is enforced by the type: a new registry option
 * fails to compile until it has a row here.
 */
type FlagOptions = Exclude<keyof RegistryOptions, 'privateKey' | 'clock'>

/** The registry's options. Defaults: DEFAULTS in src/config.ts. */
export const REGISTRY_FLAGS: { readonly [K in FlagOptions]-?: OptionSpec } = {
  listen: { kind: 'list', arg: '<multiaddr>', help: 'libp2p address to listen on, repeatable' },
  bootstrap: { kind: 'list', arg: '<multiaddr>', help: 'peer to dial at start and whenever it is out of reach, repeatable' },
  mdns: { kind: 'boolean', help: 'do not discover peers on the LAN by multicast DNS (mDNS is on by default)' },
  mdnsInterval: { kind: 'number', arg: '<ms>', help: 'interval between two mDNS queries' },
  mdnsInterface: { kind: 'string', arg: '<ipv4>', help: 'IPv4 address of the interface mDNS uses (unset: all)' },
  keyFile: { kind: 'string', arg: '<path>', help: "keep this node's identity in a file (created if missing)" },
  namespace: { kind: 'string', arg: '<name>', help: 'cluster name' },
  name: { kind: 'string', arg: '<name>', help: 'name of this node in member lists and logs (unset: the host name)' },
  networkKey: { kind: 'string', arg: '<hex>', secret: true, help: 'pre-shared key of a private network: 64 hex digits' },
  allowPeers: { kind: 'list', arg: '<peer id>', help: 'accept only these peers, repeatable (unset: every peer)' },
  heartbeatInterval: { kind: 'number', arg: '<ms>', help: 'interval between two heartbeats (each to the observers only)' },
  suspectAfter: { kind: 'number', arg: '<ms>', help: 'silence after which an observer alerts' },
  deadAfter: { kind: 'number', arg: '<ms>', help: 'how long an unconfirmed suspicion stands before it is a death' },
  observers: { kind: 'number', arg: '<n>', help: 'observers of each member' },
  observerQuorum: { kind: 'number', arg: '<n>', help: 'alerts of distinct observers that make a member dead' },
  antiEntropyInterval: { kind: 'number', arg: '<ms>', help: 'interval between two digest exchanges' },
  tombstoneTtl: { kind: 'number', arg: '<ms>', help: 'how long a deregistration is remembered' },
  maxRecordBytes: { kind: 'number', arg: '<bytes>', help: 'largest accepted signed record' },
  maxInstancesPerOwner: { kind: 'number', arg: '<n>', help: 'most instances one owner may hold' },
  maxRecords: { kind: 'number', arg: '<n>', help: 'most records this node stores' },
  maxClockDrift: { kind: 'number', arg: '<ms>', help: 'reject records stamped this far in the future' },
  targetPeers: { kind: 'number', arg: '<n>', help: 'connections to keep open' },
  heartbeatChainLength: { kind: 'number', arg: '<n>', help: 'heartbeats per signed hash chain' },
  selfPreservationThreshold: { kind: 'number', arg: '<0-1>', help: 'share of members silent at once that means "I am cut off"' },
  selfPreservationLimit: { kind: 'number', arg: '<ms>', help: 'longest silence self-preservation hides' },
  zone: { kind: 'string', arg: '<zone>', help: "this node's zone, preferred by locality balancing" },
  outlierFailures: { kind: 'number', arg: '<n>', help: 'consecutive failures that eject an instance' },
  outlierEjection: { kind: 'number', arg: '<ms>', help: 'first ejection of an outlier' },
  outlierMaxEjection: { kind: 'number', arg: '<ms>', help: 'longest ejection of an outlier' },
  dropGossipRate: { kind: 'number', arg: '<0-1>', help: 'share of gossiped records to drop, for fault drills' },
  logPrefix: { kind: 'string', arg: '<prefix>', help: 'prefix of debug log names' }
}

/** The agent's own options (not the registry's). */
export interface AgentOnlyOptions {
  /** HTTP API address. @default '127.0.0.1:8500': loopback, so an agent without a token is not open to the network. */
  http: string
  /**
   * DNS interface address (UDP), e.g. `127.0.0.1:8600`: A, AAAA and SRV answers for `<service>.service.<namespace>.gossip-registry`.
   * @default undefined (no DNS server: a DNS port is opt-in, and 53 would need privileges)
   */
  dns?: string
  /** Bearer token required on writes. @default undefined (no token: keep the HTTP API on loopback). */
  token?: string
  /** Lease of an HTTP registration without `ttl`, in ms. @default GATEWAY_DEFAULTS.leaseTtl (reason there) */
  leaseTtl: number
  /** How long an expired lease waits before deregistration, in ms. @default GATEWAY_DEFAULTS.leaseGrace */
  leaseGrace: number
  /** Log level. @default 'info': start-up progress and one line per member or instance change. */
  logLevel: string
  /** JSON log lines instead of text. @default false: people read the terminal; collectors set it. */
  logJson: boolean
}

export const AGENT_FLAGS: { readonly [K in keyof AgentOnlyOptions]-?: OptionSpec } = {
  http: { kind: 'string', arg: '<host:port>', help: 'HTTP API address' },
  dns: { kind: 'string', arg: '<host:port>', help: 'serve DNS (UDP) for healthy instances on this address, e.g. 127.0.0.1:8600 (unset: no DNS)' },
  token: { kind: 'string', arg: '<token>', secret: true, help: 'require "Authorization: Bearer <token>" on writes' },
  leaseTtl: { kind: 'number', arg: '<ms>', help: 'lease of an HTTP registration without ttl' },
  leaseGrace: { kind: 'number', arg: '<ms>', help: 'how long an expired lease waits before deregistration' },
  logLevel: { kind: 'string', arg: '<level>', help: 'trace, debug, info, warn, error or silent' },
  logJson: { kind: 'boolean', help: 'print JSON log lines instead of text' }
}

/** Defaults of the agent's own options (the registry's are DEFAULTS in config.ts). */
export const AGENT_DEFAULTS: Readonly<AgentOnlyOptions> = Object.freeze({
  http: '127.0.0.1:8500',
  leaseTtl: GATEWAY_DEFAULTS.leaseTtl,
  leaseGrace: GATEWAY_DEFAULTS.leaseGrace,
  logLevel: 'info',
  logJson: false
})

/** Every option the agent reads from flags, environment or a config file, by config-file key. */
export const ALL_FLAGS: Readonly<Record<string, OptionSpec>> = { ...REGISTRY_FLAGS, ...AGENT_FLAGS }

/** `heartbeatInterval` -> `heartbeat-interval`. */
export function flagName (key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)
}

/** `heartbeatInterval` -> `GOSSIP_REGISTRY_HEARTBEAT_INTERVAL`. */
export function envName (key: string): string {
  return `GOSSIP_REGISTRY_${flagName(key).replaceAll('-', '_').toUpperCase()}`
}

/** Where a secret can also be read from: `token` -> `tokenFile` (`--token-file`, `GOSSIP_REGISTRY_TOKEN_FILE`). */
export function fileKey (key: string): string {
  return `${key}File`
}

/** Keys of the secret options (`token`, `networkKey`). */
export const SECRET_KEYS: readonly string[] = Object.entries(ALL_FLAGS).filter(([, spec]) => spec.secret === true).map(([key]) => key)
