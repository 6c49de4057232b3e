/**
 * Every option of a registry node, with its default and the reason for it, in one place. `resolveConfig`
 * merges user options over the defaults, rejects unknown keys and broken invariants, and freezes the result.
 */
import { hostname } from 'node:os'
import type { PrivateKey } from '@libp2p/interface'
import { InvalidOptionError, describeValue } from './errors.js'
import { MAX_NODE_NAME_LENGTH } from './record/limits.js'
import { isNodeName, NODE_NAME_RULE } from './record/validate.js'

/** Sources of time in milliseconds. Injected so tests can run the core on a manual clock. */
export interface Clock {
  /** Wall-clock time: for record stamps only, which must be comparable across nodes. */
  now: () => number
  /**
   * Monotonic time (any origin): for every duration (rates, strikes, bans), which a step of the wall clock (NTP,
   * a VM resumed) must neither stretch nor shrink. A manual clock may leave it out: `now` is used then.
   */
  elapsed?: () => number
}

/** A clock's monotonic reading (see `Clock.elapsed`). */
export function elapsedMs (clock: Clock): number {
  return clock.elapsed?.() ?? clock.now()
}

/** The real clock. */
export const systemClock: Clock = { now: () => Date.now(), elapsed: () => performance.now() }

/** Options of `createRegistry`. Every field is optional; `DEFAULTS` shows what an omitted field means. */
export interface RegistryOptions {
  /**
   * Multiaddrs to listen on.
   * @default ['/ip4/0.0.0.0/tcp/0']
   * Every interface on a random port: peers learn the real port from member records and mDNS, so no port
   * needs to be planned.
   */
  listen?: readonly string[]
  /**
   * Multiaddrs (with or without `/p2p/<peer id>`) of nodes to dial at start, and again (with back-off) whenever
   * one is neither connected nor alive here, so a node cut off from them finds its way back after a partition.
   * @default []
   * On a LAN mDNS finds peers by itself; across subnets give one or two long-lived nodes here.
   */
  bootstrap?: readonly string[]
  /**
   * Discover peers on the local network with multicast DNS.
   * @default true
   * Zero configuration on a LAN is the point of an embedded registry. Turn it off in tests on a shared host.
   */
  mdns?: boolean
  /**
   * Milliseconds between two mDNS queries. Peers also answer a new node's first query at once, so this only
   * bounds how soon a node finds peers again after losing them all.
   * @default 10_000
   * What libp2p's mDNS uses: a multicast packet every 10 s per node is negligible on any LAN.
   */
  mdnsInterval?: number
  /**
   * IPv4 address of the network interface mDNS uses, for hosts on several networks.
   * @default undefined (every interface)
   */
  mdnsInterface?: string
  /**
   * Path of a file holding this node's private key (libp2p protobuf encoding). Created if missing.
   * @default undefined (a new key, and so a new peer id, at every start)
   * A stable peer id lets a restarted process take over its own old records instead of waiting for them to
   * age out.
   */
  keyFile?: string
  /**
   * The node's key, for programs that manage keys themselves. Wins over `keyFile`.
   * @default undefined
   */
  privateKey?: PrivateKey
  /**
   * Cluster name. Nodes only exchange records within a namespace; topics and protocols are scoped by it.
   * @default 'default'
   * Lets staging and production share a LAN without merging.
   */
  namespace?: string
  /**
   * A name for people: it travels in this node's member record and is shown beside its peer id by `members()`,
   * `/v1/members`, the CLI, the agent's log and the dashboard. Not an identity (two nodes may share one; the peer
   * id tells them apart), so an operator can force out a dead member by name only while the name is unique.
   * 1-64 ASCII letters, digits, `.`, `_`, `:`, `@` or `-`, starting with a letter or digit.
   * @default undefined (the host name, `os.hostname()`)
   * One process per host is the common case, and the host name is what an operator already knows it by. A host
   * name outside the rule is cut to 64 characters, other characters replaced by `-`.
   */
  name?: string
  /**
   * Pre-shared key of a private network: 64 hex digits (32 bytes, e.g. `openssl rand -hex 32`). Nodes without
   * the same key cannot even complete a connection (libp2p private networks, XSalsa20 over every connection).
   * @default undefined (an open network: any node that finds this one may connect)
   * Signatures already stop forgery; the key also keeps strangers from reading the registry or joining it.
   */
  networkKey?: string
  /**
   * Peer ids whose records this node accepts and with which it connects; everyone else is refused.
   * @default undefined (every peer)
   * For closed clusters whose members are known in advance.
   */
  allowPeers?: readonly string[]
  /**
   * Milliseconds between two heartbeats of this node. A heartbeat goes straight to each of the node's
   * `observers` (a few members picked by hashing), never to the whole cluster, so its cost does not grow with N.
   * @default 500
   * Four beats fit in `suspectAfter`: an observer alerts only after four in a row are lost or late, which at
   * 5 % loss is one chance in 160 000 per window, and the quorum needs several observers to agree. Each beat is
   * about 70 bytes on the wire: with 4 observers, 560 B/s per node.
   */
  heartbeatInterval?: number
  /**
   * An observer that has not heard a member it watches for this long alerts (a signed verdict, gossiped); one
   * alert makes the member suspect everywhere, and `observerQuorum` alerts make it dead.
   * @default 2_000
   * What bounds failure detection: a crash or a hang is dead at every node about this long after it, plus a
   * gossip round (the 3 s target on a LAN); long enough that a 1 s event-loop stall is not a death.
   */
  suspectAfter?: number
  /**
   * A suspicion that no quorum confirms and the member does not refute within this long is a death; and a node
   * that hears nothing at all from the cluster (cut off) holds members dead after this much silence, unless
   * self-preservation keeps them.
   * @default 10_000
   * The slow path: a member whose observers died with it, or whose alerts were lost, still dies in seconds,
   * while an alive member refutes an alert within milliseconds, far inside it.
   */
  deadAfter?: number
  /**
   * Observers of each member: its successors on this many hash rings over the membership. Each watches it,
   * receives its beats and alerts when it falls silent.
   * @default 4
   * The per-node liveness cost is proportional to it (beats to 4 observers, from about 4 subjects); 4 leaves a
   * quorum of 3 that tolerates one observer that is slow, lossy or lying.
   */
  observers?: number
  /**
   * Alerts from distinct observers that make a member dead at once (capped at the observers still alive here,
   * never below one).
   * @default 3
   * More than one, so no single member can get another declared dead by its word alone; fewer than
   * `observers`, so one lost or slow observer does not delay a death.
   */
  observerQuorum?: number
  /**
   * Milliseconds between two anti-entropy (digest exchange) rounds with a random peer. Also runs on every
   * new connection, and whenever a heartbeat shows this node is behind.
   * @default 30_000
   * Gossip and heartbeat digests repair almost everything sooner; this is the backstop, and one round
   * costs a digest of a few bytes per member.
   */
  antiEntropyInterval?: number
  /**
   * How long a tombstone (a deregistration) is kept before it is reaped, measured from its stamp.
   * @default 86_400_000 (24 h)
   * Must be longer than any partition the cluster should survive: a side that rejoins later than this
   * could bring deregistered instances back.
   */
  tombstoneTtl?: number
  /**
   * Largest accepted signed record, in bytes.
   * @default 4_096
   * Records are gossiped to every node; 4 KiB holds generous metadata while bounding memory and bandwidth.
   */
  maxRecordBytes?: number
  /**
   * Most instances one owner may hold. `register` beyond it throws; records beyond it from peers are rejected.
   * @default 1_000
   * Bounds what one buggy or hostile node can make every other node store. Each owner also keeps at most this
   * many tombstones (its oldest dropped first). Owners not yet established here (members heard alive for less
   * than `deadAfter`, or never) share twice this between them: fresh keys cost nothing, so a per-owner cap alone
   * would bound nothing.
   */
  maxInstancesPerOwner?: number
  /**
   * Most records this node stores (instances, tombstones and member records of every owner). At the cap, records
   * of owners not yet established are evicted to make room for established members' (those never are), and
   * past that new records are refused (`table-full`).
   * @default 500_000
   * Five times a very large cluster (100 000 instances), at about 1 KB each in memory: a bound on what a swarm
   * of members, however many keys it holds, can make one node store.
   */
  maxRecords?: number
  /**
   * Records stamped further than this into the future (by this node's clock) are rejected.
   * @default 60_000
   * Real clocks under NTP drift by milliseconds; a stamp a minute ahead is a broken clock or an attack,
   * and accepting it would let it win every later write.
   */
  maxClockDrift?: number
  /**
   * Connections this node tries to keep open, dialling known members when below it.
   * @default 8
   * A random graph of degree 8 stays connected through many failures and spreads gossip in O(log N) hops,
   * without every node holding a connection to every other. A node that holds more than twice this many (a
   * bootstrap peer, dialled by everyone who joins) hangs up on a few at a time, never on its observers, subjects
   * or gossip mesh, so that newcomers always find room (src/net/shedding.ts).
   */
  targetPeers?: number
  /**
   * Heartbeats per hash chain. Beats are authenticated by revealing successive hash-chain preimages, and only
   * the chain's anchor is signed (in the member record); when the chain runs out a new one is signed.
   * @default 4_096
   * At 500 ms heartbeats that is one signature per 34 minutes instead of one per beat; the chain costs 64 KiB of
   * memory at its owner, and a receiver hashes at most this many times to verify a beat after a long silence.
   */
  heartbeatChainLength?: number
  /**
   * Self-preservation: when more than this share of the established members this node knows (alive here for
   * `deadAfter` at least) fall silent within one `deadAfter`, this node assumes it is the one cut off. It keeps them suspect (stale) instead of dead; lookups
   * leave stale instances out unless asked with `includeStale`. 1 turns it off.
   * @default 0.5
   * Half the cluster dying at once is far less likely than this node losing its network; Eureka makes the
   * same bet. A single member dying never triggers it, whatever the cluster size.
   */
  selfPreservationThreshold?: number
  /**
   * Longest silence (ms) self-preservation keeps a member from dying.
   * @default 300_000 (5 min)
   * Long enough to ride out a switch or VM host restart; after it the members die as usual, so a real mass
   * failure is not hidden for long.
   */
  selfPreservationLimit?: number
  /**
   * This node's zone (e.g. `eu-west-1a`). Balancers with `locality` prefer instances whose `metadata.zone` matches.
   * @default undefined
   */
  zone?: string
  /**
   * Consecutive failed `call()`s to one instance that eject it from this node's picks.
   * @default 5
   * Envoy's default for consecutive errors: one or two failures are noise, five in a row are a pattern.
   */
  outlierFailures?: number
  /**
   * First ejection of an outlier (ms); each further ejection of the same instance doubles it.
   * @default 30_000
   * Envoy's base ejection time: long enough for a restart, short enough to try again soon.
   */
  outlierEjection?: number
  /**
   * Longest ejection of an outlier (ms).
   * @default 300_000 (5 min)
   * An instance that keeps failing is still tried every few minutes, in case it recovered.
   */
  outlierMaxEjection?: number
  /**
   * Share of gossiped records to drop on receipt, 0-1. For fault drills and tests.
   * @default 0
   * Shows that anti-entropy repairs what gossip loses: with every gossiped record dropped, records still
   * arrive through heartbeat-triggered pulls and periodic digest exchanges.
   */
  dropGossipRate?: number
  /**
   * Prefix for this node's debug log names, e.g. `n3`, so several nodes in one process can be told apart.
   * @default ''
   */
  logPrefix?: string
  /**
   * Source of time: the wall clock for stamps, a monotonic one for durations.
   * @default systemClock
   */
  clock?: Clock
}

/** Options after defaults are applied. */
export type ResolvedConfig = Readonly<Required<Omit<RegistryOptions, 'keyFile' | 'privateKey' | 'zone' | 'mdnsInterface' | 'networkKey' | 'allowPeers' | 'name'>>> & {
  /** Set by `resolveConfig` (the host name when not given); undefined only in DEFAULTS, or when no host name fits. */
  readonly name: string | undefined
  readonly networkKey: string | undefined
  readonly allowPeers: readonly string[] | undefined
  readonly mdnsInterface: string | undefined
  readonly keyFile: string | undefined
  readonly privateKey: PrivateKey | undefined
  readonly zone: string | undefined
}

/** The default of every option. Each is explained on `RegistryOptions`. */
export const DEFAULTS: ResolvedConfig = Object.freeze({
  listen: Object.freeze(['/ip4/0.0.0.0/tcp/0']),
  bootstrap: Object.freeze([]),
  mdns: true,
  mdnsInterval: 10_000,
  mdnsInterface: undefined,
  keyFile: undefined,
  privateKey: undefined,
  namespace: 'default',
  name: undefined,
  networkKey: undefined,
  allowPeers: undefined,
  heartbeatInterval: 500,
  suspectAfter: 2_000,
  deadAfter: 10_000,
  observers: 4,
  observerQuorum: 3,
  antiEntropyInterval: 30_000,
  tombstoneTtl: 86_400_000,
  maxRecordBytes: 4_096,
  maxInstancesPerOwner: 1_000,
  maxRecords: 500_000,
  maxClockDrift: 60_000,
  targetPeers: 8,
  heartbeatChainLength: 4_096,
  selfPreservationThreshold: 0.5,
  selfPreservationLimit: 300_000,
  zone: undefined,
  outlierFailures: 5,
  outlierEjection: 30_000,
  outlierMaxEjection: 300_000,
  dropGossipRate: 0,
  logPrefix: '',
  clock: systemClock
})

/** Named sets of options that change a few fields, like memberlist's LAN/local profiles. */
export const PRESETS = Object.freeze({
  /** The defaults: a LAN with mDNS. */
  lan: Object.freeze({}) satisfies RegistryOptions,
  /** Fast timings on loopback for tests and demos on one machine: no mDNS, everything 5x quicker. */
  test: Object.freeze({
    listen: ['/ip4/127.0.0.1/tcp/0'],
    mdns: false,
    heartbeatInterval: 200,
    suspectAfter: 1_000,
    deadAfter: 2_500,
    antiEntropyInterval: 2_000,
    selfPreservationLimit: 10_000
  }) satisfies RegistryOptions
})

type Check = (value: unknown) => string | undefined

const positiveInt: Check = (v) => typeof v === 'number' && Number.isInteger(v) && v > 0 ? undefined : 'a positive integer'
const nonNegativeInt: Check = (v) => typeof v === 'number' && Number.isInteger(v) && v >= 0 ? undefined : 'a non-negative integer'
const bool: Check = (v) => typeof v === 'boolean' ? undefined : 'a boolean'
const str: Check = (v) => typeof v === 'string' ? undefined : 'a string'
const stringList: Check = (v) => Array.isArray(v) && v.every((s) => typeof s === 'string') ? undefined : 'an array of strings'
const rate: Check = (v) => typeof v === 'number' && v >= 0 && v <= 1 ? undefined : 'a number from 0 to 1'
const namespaceName: Check = (v) => typeof v === 'string' && /^[a-z0-9][a-z0-9_.-]{0,63}$/i.test(v) ? undefined : 'a name of 1-64 letters, digits, `.`, `_` or `-`, starting with a letter or digit'
const clock: Check = (v) => typeof v === 'object' && v !== null && typeof (v as Clock).now === 'function' ? undefined : 'an object with a now() method'
const privateKey: Check = (v) => typeof v === 'object' && v !== null && 'publicKey' in v && 'sign' in v ? undefined : 'a libp2p PrivateKey'

const CHECKS: Record<keyof RegistryOptions, Check> = {
  listen: stringList,
  bootstrap: stringList,
  mdns: bool,
  mdnsInterval: positiveInt,
  mdnsInterface: (v) => typeof v === 'string' && /^(\d{1,3}\.){3}\d{1,3}$/.test(v) ? undefined : 'an IPv4 address of this host',
  keyFile: str,
  privateKey,
  namespace: namespaceName,
  name: (v) => isNodeName(v) ? undefined : NODE_NAME_RULE,
  networkKey: (v) => typeof v === 'string' && /^[0-9a-f]{64}$/i.test(v) ? undefined : '64 hex digits (a 32-byte key)',
  allowPeers: stringList,
  heartbeatInterval: positiveInt,
  suspectAfter: positiveInt,
  deadAfter: positiveInt,
  observers: (v) => typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 16 ? undefined : 'an integer from 1 to 16',
  observerQuorum: (v) => typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 16 ? undefined : 'an integer from 1 to 16',
  antiEntropyInterval: positiveInt,
  tombstoneTtl: positiveInt,
  maxRecordBytes: positiveInt,
  maxInstancesPerOwner: positiveInt,
  maxRecords: positiveInt,
  maxClockDrift: nonNegativeInt,
  targetPeers: positiveInt,
  heartbeatChainLength: (v) => typeof v === 'number' && Number.isInteger(v) && v >= 2 && v <= 1_000_000 ? undefined : 'an integer from 2 to 1 000 000',
  selfPreservationThreshold: rate,
  selfPreservationLimit: positiveInt,
  zone: str,
  outlierFailures: positiveInt,
  outlierEjection: positiveInt,
  outlierMaxEjection: positiveInt,
  dropGossipRate: rate,
  logPrefix: str,
  clock
}

/**
 * Applies defaults, validates every option and the invariants between them, and freezes the result.
 * `undefined` values are treated as omitted. Throws `InvalidOptionError` naming the option.
 */
export function resolveConfig (options: RegistryOptions = {}): ResolvedConfig {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionError('options', `Expected options to be an object, got ${describeValue(options)}`)
  }
  const merged: Record<string, unknown> = { ...DEFAULTS }
  for (const [key, value] of Object.entries(options)) {
    if (!(key in CHECKS)) {
      throw new InvalidOptionError(key, `Unknown option \`${key}\`; known options: ${Object.keys(CHECKS).join(', ')}`)
    }
    if (value === undefined) continue
    const expected = CHECKS[key as keyof RegistryOptions](value)
    if (expected !== undefined) {
      throw new InvalidOptionError(key, `Expected \`${key}\` to be ${expected}, got ${describeValue(value)}`)
    }
    merged[key] = value
  }
  const config = merged as ResolvedConfig
  requireAbove(config, 'suspectAfter', 'heartbeatInterval')
  requireAbove(config, 'deadAfter', 'suspectAfter')
  requireAbove(config, 'selfPreservationLimit', 'deadAfter')
  requireAbove(config, 'outlierMaxEjection', 'outlierEjection', true)
  if (config.observerQuorum > config.observers) {
    throw new InvalidOptionError('observerQuorum', `Expected \`observerQuorum\` to be <= observers (${config.observers}), got \`${config.observerQuorum}\` (number)`)
  }
  return Object.freeze({
    ...config,
    name: config.name ?? defaultName(hostname()),
    listen: Object.freeze([...config.listen]),
    bootstrap: Object.freeze([...config.bootstrap]),
    allowPeers: config.allowPeers === undefined ? undefined : Object.freeze([...config.allowPeers])
  })
}

type Duration = 'heartbeatInterval' | 'suspectAfter' | 'deadAfter' | 'selfPreservationLimit' | 'outlierEjection' | 'outlierMaxEjection'

function requireAbove (config: ResolvedConfig, option: Duration, below: Duration, orEqual = false): void {
  if (orEqual ? config[option] < config[below] : config[option] <= config[below]) {
    throw new InvalidOptionError(option, `Expected \`${option}\` to be ${orEqual ? '>=' : '>'} ${below} (${config[below]}), got \`${config[option]}\` (number)`)
  }
}

/** The host name as a member name (see the `name` option): cut to the limit, other characters made `-`. */
export function defaultName (host: string): string | undefined {
  const name = host.slice(0, MAX_NODE_NAME_LENGTH).replace(/[^A-Za-z0-9._:@-]/g, '-').replace(/^[^A-Za-z0-9]+/, '')
  return isNodeName(name) ? name : undefined
}
