/**
 * Protocol-level limits of a record. Every node must agree on them (a record valid at one node must be valid at
 * all, or replicas would diverge), so they are constants, not options. Only ever loosen them. Pure.
 */
import { MAX_LOGICAL } from '../clock/hlc.js'
import type { InstanceStatus } from './types.js'

/** Longest service name: a DNS label is 63, and names appear in URLs, metric labels and DNS-SD names. */
export const MAX_SERVICE_LENGTH = 64
/** Service names are DNS-label-like (plus `.` and `_`), so they need no escaping in URLs or metric labels. */
export const SERVICE_PATTERN = /^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$/i

/** Longest version string: any real semver, pre-release and build parts included, fits in 64 characters. */
export const MAX_VERSION_LENGTH = 64

/** Longest address: RFC 1123 host names are at most 253 characters (IPv6 literals at most 45). */
export const MAX_ADDRESS_LENGTH = 253
/** One host-name label (RFC 1123): 1-63 letters, digits or hyphens, not starting or ending with a hyphen. */
export const HOST_LABEL_PATTERN = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i

/** Lowest port: port 0 means "any port" to the OS, so no one can be reached on it. */
export const MIN_PORT = 1
/** Highest port: ports are 16-bit in TCP and UDP. */
export const MAX_PORT = 65_535

/** Most tags per instance: enough to filter on, while bounding the size of every gossiped record. */
export const MAX_TAGS = 32
/** Longest tag: tags are short labels (`eu`, `canary`), not documents. */
export const MAX_TAG_LENGTH = 64
/** Tags are printable ASCII without spaces, so they print, log and go in query strings unambiguously. */
export const TAG_PATTERN = /^[\x21-\x7e]+$/

/** Most metadata keys: metadata is a small string map (zone, git sha, protocol), not a document store. */
export const MAX_METADATA_KEYS = 32
/** Longest metadata key: keys are identifiers such as `zone` or `k8s.pod`. */
export const MAX_METADATA_KEY_LENGTH = 64
/** Metadata keys are identifier-like, so they can become labels, headers or environment names unescaped. */
export const METADATA_KEY_PATTERN = /^[A-Za-z0-9_.:-]+$/
/** Longest metadata value: room for a URL or a short JSON blob, no more. */
export const MAX_METADATA_VALUE_LENGTH = 512

/** Lowest weight: 0 keeps an instance registered but out of weighted picks (draining). */
export const MIN_WEIGHT = 0
/** Highest weight: weights are relative, and 10 000 gives weighted balancing four digits of precision. */
export const MAX_WEIGHT = 10_000
/** Weight when none is given: every instance equal. */
export const DEFAULT_WEIGHT = 1

/** Statuses an owner may publish, in order of health. Append only: they are wire enum values too. */
export const INSTANCE_STATUSES: readonly InstanceStatus[] = Object.freeze(['passing', 'warning', 'critical'])
/** Status when none is given: a registered instance is assumed to serve until a check says otherwise. */
export const DEFAULT_STATUS: InstanceStatus = 'passing'

/** Longest maintenance reason: a sentence for an operator (`deploying 2.4`, a ticket URL), not a log. */
export const MAX_MAINTENANCE_REASON_LENGTH = 256

/** Longest instance id: a UUID (36) fits, and so do the ids other registries use. */
export const MAX_INSTANCE_ID_LENGTH = 64
/** Instance ids are identifier-like (no `/`), so `owner/id` is unambiguous and safe in URLs. */
export const INSTANCE_ID_PATTERN = /^[A-Za-z0-9_.:-]+$/

/** Longest namespace, as the `namespace` option allows. */
export const MAX_NAMESPACE_LENGTH = 64

/** Largest logical part of a stamp: it travels as a uint32 (the clock carries past it, see clock/hlc.ts). */
export const MAX_STAMP_LOGICAL = MAX_LOGICAL

/** Most addresses a member advertises: a host has a few interfaces, each with a few transports. */
export const MAX_ADDRS = 16
/** Longest advertised multiaddr: room for DNS names, certificates hashes and a `/p2p/` suffix. */
export const MAX_ADDR_LENGTH = 256

/** Bytes of a heartbeat chain anchor: SHA-256 truncated to 128 bits (see membership/hash-chain.ts). */
export const CHAIN_ANCHOR_BYTES = 16
/** Shortest chain: a chain must prove at least one beat. */
export const MIN_CHAIN_LENGTH = 1
/** Longest chain: a million beats is 11 days at 1 s, far past any real chain (its owner keeps 16 bytes per beat). */
export const MAX_CHAIN_LENGTH = 1_000_000
/** Largest chain id: it travels as a uint32. */
export const MAX_CHAIN_ID = 0xffff_ffff

/**
 * Longest member name: 64 is Linux's HOST_NAME_MAX, so the default (the host name) always fits, and a name stays
 * short enough for a table column and a log line.
 */
export const MAX_NODE_NAME_LENGTH = 64
/**
 * Member names are ASCII letters and digits, then also `.`, `_`, `:`, `@` or `-`: what host names use, plus a few
 * separators. A name comes from the network and is printed in terminals, logs and the dashboard, so no control
 * characters (terminal escape sequences), no spaces (table columns, command arguments) and no non-ASCII (names
 * that look alike but differ). It starts with a letter or digit, so it never reads as a CLI flag.
 */
export const NODE_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:@-]*$/

/** Longest peer id an alert may name: an Ed25519 peer id is 52 base58 characters; room for other key types. */
export const MAX_PEER_ID_LENGTH = 128
/** Peer ids in records are base58btc text (no 0, O, I, l). */
export const PEER_ID_PATTERN = /^[1-9A-HJ-NP-Za-km-z]+$/
