/**
 * Protocol-level limits of a record. Every node must agree on them (a record valid at one node must be valid at
 * all, or replicas would diverge), so they are constants, not options. Pure.
 */

/** Service names: DNS-label-like, so they fit in URLs, metrics labels and DNS-SD names unescaped. */
export const SERVICE_PATTERN = /^[a-z0-9]([a-z0-9._-]*[a-z0-9])?$/i
export const MAX_SERVICE_LENGTH = 64

/** Versions are semver; 64 characters hold any real one with pre-release and build parts. */
export const MAX_VERSION_LENGTH = 64

/** Host names follow RFC 1123 (253 characters, labels of 63). */
export const MAX_ADDRESS_LENGTH = 253

/** Tags filter lookups; 32 of 64 printable characters cover real use while bounding every record's size. */
export const MAX_TAGS = 32
export const MAX_TAG_LENGTH = 64
export const TAG_PATTERN = /^[\x21-\x7e]+$/

/** Metadata: small string maps (zone, git sha, protocol), not a document store. */
export const MAX_METADATA_KEYS = 32
export const MAX_METADATA_KEY_LENGTH = 64
export const METADATA_KEY_PATTERN = /^[A-Za-z0-9_.:-]+$/
export const MAX_METADATA_VALUE_LENGTH = 512

/** Weights are relative; 10 000 gives four digits of precision to weighted balancing. */
export const MAX_WEIGHT = 10_000
export const DEFAULT_WEIGHT = 1

/** Instance ids: a UUID fits, and so do most ids other registries use. */
export const INSTANCE_ID_PATTERN = /^[A-Za-z0-9_.:-]{1,64}$/

/** Namespaces, as in the `namespace` option. */
export const MAX_NAMESPACE_LENGTH = 64

/** A member advertises at most 16 addresses of at most 256 characters. */
export const MAX_ADDRS = 16
export const MAX_ADDR_LENGTH = 256

/** Heartbeat chains: a 16-byte anchor, at most a million beats (11 days at 1 s), a 32-bit id. */
export const CHAIN_ANCHOR_BYTES = 16
export const MAX_CHAIN_LENGTH = 1_000_000
export const MAX_CHAIN_ID = 0xffff_ffff
