/**
 * Validation of instance fields and records against the limits in limits.ts. One set of field checkers serves
 * both callers: the public API (which throws `InvalidRecordError` naming the field) and the network path
 * (which returns an `invalid-record` rejection naming the field). Pure: no I/O, and never trusts a type.
 */
// semver's parser alone: the package entry loads all of semver (about 120 files).
import parseSemver from 'semver/functions/parse.js'
import { InvalidRecordError, describeValue } from '../errors.js'
import type { Hlc } from '../clock/hlc.js'
import type { Rejection } from '../reject-reason.js'
import * as limits from './limits.js'
import type { InstanceFields, InstanceStatus, Sealed } from './types.js'

/** A failed check: the field as the caller knows it (`port`, `tags[3]`, `metadata.zone`) and the message. */
interface Problem {
  readonly field: string
  readonly message: string
}

/** Checks one value, reported under `field`. Composite checkers report nested fields such as `tags[3]`. */
type Checker = (value: unknown, field: string) => Problem | undefined

/** The fields `update()` may change; the others identify the instance, so changing them is a new one. */
type PatchableField = 'status' | 'metadata' | 'weight' | 'tags'

/** The p-queue style message: the field, what was expected, what was received. */
function problem (field: string, expected: string, value: unknown, received = describeValue(value)): Problem {
  return { field, message: `Expected \`${field}\` to be ${expected}, got ${received}` }
}

/** A checker from a predicate and the phrase saying what it wants. */
function simple (expected: string, isValid: (value: unknown) => boolean): Checker {
  return (value, field) => isValid(value) ? undefined : problem(field, expected, value)
}

const isInt = (v: unknown, min: number, max: number): boolean => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max

const isString = (v: unknown, maxLength: number, pattern?: RegExp): v is string =>
  typeof v === 'string' && v.length >= 1 && v.length <= maxLength && (pattern === undefined || pattern.test(v))

const isPlainObject = (v: unknown): v is Record<string, unknown> => {
  if (typeof v !== 'object' || v === null) return false
  const proto: unknown = Object.getPrototypeOf(v)
  // A Map, Date or class instance would pass `typeof`, then lose its entries when copied: refuse it by name.
  return proto === Object.prototype || proto === null
}

/**
 * Semver in canonical form: what `semver` itself prints for it (no `v` prefix, no padding), build part included.
 * Every node then stores and compares the same string, whatever client registered it.
 */
function isCanonicalSemver (v: unknown): boolean {
  if (!isString(v, limits.MAX_VERSION_LENGTH)) return false
  const parsed = parseSemver(v)
  if (parsed === null) return false
  return parsed.version + (parsed.build.length > 0 ? `+${parsed.build.join('.')}` : '') === v
}

const checkService = simple(
  `a service name of 1-${limits.MAX_SERVICE_LENGTH} letters, digits, \`.\`, \`_\` or \`-\`, starting and ending with a letter or digit`,
  (v) => isString(v, limits.MAX_SERVICE_LENGTH, limits.SERVICE_PATTERN))

const checkVersion = simple(`a semantic version of at most ${limits.MAX_VERSION_LENGTH} characters such as \`2.1.0\``, isCanonicalSemver)

const checkAddress = simple(
  `a host name of at most ${limits.MAX_ADDRESS_LENGTH} characters or an IPv4 or IPv6 address`,
  (v) => typeof v === 'string' && (isIPv4(v) || isIPv6(v) || isHostname(v)))

const checkPort = simple(`an integer from ${limits.MIN_PORT} to ${limits.MAX_PORT}`, (v) => isInt(v, limits.MIN_PORT, limits.MAX_PORT))

const checkWeight = simple(`an integer from ${limits.MIN_WEIGHT} to ${limits.MAX_WEIGHT}`, (v) => isInt(v, limits.MIN_WEIGHT, limits.MAX_WEIGHT))

const checkStatus = simple(
  `one of ${limits.INSTANCE_STATUSES.map((s) => `\`${s}\``).join(', ')}`,
  (v) => limits.INSTANCE_STATUSES.includes(v as InstanceStatus))

const checkTags: Checker = (tags, field) => {
  if (!Array.isArray(tags)) return problem(field, `an array of at most ${limits.MAX_TAGS} tags`, tags)
  if (tags.length > limits.MAX_TAGS) return problem(field, `an array of at most ${limits.MAX_TAGS} tags`, tags, `${tags.length} tags`)
  const seen = new Set<string>()
  // An index loop, not entries(): holes in a sparse array must be checked (and refused) too.
  for (let i = 0; i < tags.length; i++) {
    const tag: unknown = tags[i]
    if (!isString(tag, limits.MAX_TAG_LENGTH, limits.TAG_PATTERN)) {
      return problem(`${field}[${i}]`, `a tag of 1-${limits.MAX_TAG_LENGTH} printable ASCII characters without spaces`, tag)
    }
    if (seen.has(tag)) return problem(`${field}[${i}]`, 'a tag not already listed', tag)
    seen.add(tag)
  }
  return undefined
}

const checkMetadata: Checker = (metadata, field) => {
  if (!isPlainObject(metadata)) return problem(field, 'a plain object of string values', metadata)
  const keys = Object.keys(metadata)
  if (keys.length > limits.MAX_METADATA_KEYS) {
    return problem(field, `an object of at most ${limits.MAX_METADATA_KEYS} keys`, metadata, `${keys.length} keys`)
  }
  for (const key of keys) {
    if (!isString(key, limits.MAX_METADATA_KEY_LENGTH, limits.METADATA_KEY_PATTERN)) {
      // The key itself is what is wrong, so the field is the map, and the message shows the key.
      return { field, message: `Expected every \`${field}\` key to be 1-${limits.MAX_METADATA_KEY_LENGTH} letters, digits, \`_\`, \`.\`, \`:\` or \`-\`, got ${describeValue(key)}` }
    }
    const value = metadata[key]
    if (typeof value !== 'string' || value.length > limits.MAX_METADATA_VALUE_LENGTH) {
      return problem(`${field}.${key}`, `a string of at most ${limits.MAX_METADATA_VALUE_LENGTH} characters`, value)
    }
  }
  return undefined
}

/** The checker of every instance field, in the order problems are reported. */
const INSTANCE_CHECKS: { readonly [K in keyof InstanceFields]: Checker } = {
  service: checkService,
  version: checkVersion,
  address: checkAddress,
  port: checkPort,
  tags: checkTags,
  metadata: checkMetadata,
  weight: checkWeight,
  status: checkStatus
}
const INSTANCE_KEYS = Object.keys(INSTANCE_CHECKS) as ReadonlyArray<keyof InstanceFields>
const REQUIRED: ReadonlyArray<keyof InstanceFields> = ['service', 'version', 'address', 'port']
const PATCHABLE: readonly PatchableField[] = ['status', 'metadata', 'weight', 'tags']

/** Absent, or `{ reason }` with a short reason: a record's maintenance switch (see `Maintenance`). */
const checkMaintenance: Checker = (value, field) => {
  if (value === undefined) return undefined
  if (!isPlainObject(value)) return problem(field, 'absent or an object `{ reason }`', value)
  const reason = value.reason
  if (typeof reason !== 'string' || reason.length > limits.MAX_MAINTENANCE_REASON_LENGTH) {
    return problem(`${field}.reason`, `a string of at most ${limits.MAX_MAINTENANCE_REASON_LENGTH} characters`, reason)
  }
  return undefined
}

const checkInstanceId = simple(
  `an id of 1-${limits.MAX_INSTANCE_ID_LENGTH} letters, digits, \`_\`, \`.\`, \`:\` or \`-\``,
  (v) => isString(v, limits.MAX_INSTANCE_ID_LENGTH, limits.INSTANCE_ID_PATTERN))
const checkMemberId = simple('empty in a member or alert record', (v) => v === '')
const checkNamespace = simple(`a name of 1-${limits.MAX_NAMESPACE_LENGTH} characters`, (v) => isString(v, limits.MAX_NAMESPACE_LENGTH))
// The wall part is compared as a JS number everywhere, so it must be exact: a safe integer.
const checkWall = simple('a non-negative safe integer', (v) => isInt(v, 0, Number.MAX_SAFE_INTEGER))
// The logical part travels as a uint32: anything larger would wrap silently on the wire.
const checkLogical = simple(`an integer from 0 to ${limits.MAX_STAMP_LOGICAL}`, (v) => isInt(v, 0, limits.MAX_STAMP_LOGICAL))
const STAMP_CHECKS = { wall: checkWall, logical: checkLogical }
const checkMemberDeleted = simple('false in a member or alert record', (v) => v === false)
/** What a member name must be, as the `Expected \`name\` to be ...` phrase of an option or a record. */
export const NODE_NAME_RULE = `a name of 1-${limits.MAX_NODE_NAME_LENGTH} ASCII letters, digits, \`.\`, \`_\`, \`:\`, \`@\` or \`-\`, starting with a letter or digit`

/** True if `value` is a valid member name (see `NODE_NAME_PATTERN`). The one test of the `name` option and field. */
export function isNodeName (value: unknown): value is string {
  return isString(value, limits.MAX_NODE_NAME_LENGTH, limits.NODE_NAME_PATTERN)
}

// Absent in a record means unnamed: older nodes send none.
const checkNodeName = simple(NODE_NAME_RULE, (v) => v === undefined || isNodeName(v))
const checkPeerId = simple(`a peer id of 1-${limits.MAX_PEER_ID_LENGTH} base58 characters`, (v) => isString(v, limits.MAX_PEER_ID_LENGTH, limits.PEER_ID_PATTERN))
const checkBoolean = simple('a boolean', (v) => typeof v === 'boolean')

const checkAddrs: Checker = (addrs, field) => {
  if (!Array.isArray(addrs) || addrs.length > limits.MAX_ADDRS) {
    return problem(field, `an array of at most ${limits.MAX_ADDRS} multiaddrs`, addrs, Array.isArray(addrs) ? `${addrs.length} multiaddrs` : undefined)
  }
  for (let i = 0; i < addrs.length; i++) {
    if (!isString(addrs[i], limits.MAX_ADDR_LENGTH)) return problem(`${field}[${i}]`, `a multiaddr of 1-${limits.MAX_ADDR_LENGTH} characters`, addrs[i])
  }
  return undefined
}

const checkAnchor: Checker = (anchor, field) => anchor instanceof Uint8Array && anchor.length === limits.CHAIN_ANCHOR_BYTES
  ? undefined
  : problem(field, `${limits.CHAIN_ANCHOR_BYTES} bytes`, anchor, anchor instanceof Uint8Array ? `${anchor.length} bytes` : undefined)

const checkChainLength = simple(`an integer from ${limits.MIN_CHAIN_LENGTH} to ${limits.MAX_CHAIN_LENGTH}`, (v) => isInt(v, limits.MIN_CHAIN_LENGTH, limits.MAX_CHAIN_LENGTH))
const checkChainId = simple(`an integer from 0 to ${limits.MAX_CHAIN_ID}`, (v) => isInt(v, 0, limits.MAX_CHAIN_ID))

/** Runs checkers over the named fields of `object`, field names prefixed by `prefix`; the first problem wins. */
function checkFields (object: Record<string, unknown>, checks: Readonly<Record<string, Checker>>, prefix = ''): Problem | undefined {
  for (const [key, check] of Object.entries(checks)) {
    const found = check(object[key], prefix + key)
    if (found !== undefined) return found
  }
  return undefined
}

/** Checks that `input` is a plain object with only `known` keys; `what` names it when it is not an object. */
function checkShape (input: unknown, what: string, known: readonly string[], describeUnknown: (key: string) => string): Problem | undefined {
  if (!isPlainObject(input)) return problem(what, 'a plain object', input)
  for (const key of Object.keys(input)) {
    if (!known.includes(key)) return { field: key, message: describeUnknown(key) }
  }
  return undefined
}

function throwIf (found: Problem | undefined): void {
  if (found !== undefined) throw new InvalidRecordError(found.field, found.message)
}

/**
 * Validates the fields given to `register()` and applies the defaults (`tags: []`, `metadata: {}`,
 * `weight: 1`, `status: 'passing'`). An explicit `undefined` counts as absent. Returns a frozen copy.
 *
 * @throws InvalidRecordError whose `field` names the first bad field (`port`, `tags[3]`, `metadata.zone`), or
 * the unknown key, or `instance` when the input is not a plain object.
 */
export function validateInstanceFields (input: unknown): InstanceFields {
  throwIf(checkShape(input, 'instance', INSTANCE_KEYS, (key) => `Unknown field \`${key}\`; known fields: ${INSTANCE_KEYS.join(', ')}`))
  const given = input as Record<string, unknown>
  const fields: Record<string, unknown> = {
    tags: [],
    metadata: {},
    weight: limits.DEFAULT_WEIGHT,
    status: limits.DEFAULT_STATUS,
    ...withoutUndefined(given)
  }
  // Required fields are simply checked like the others: `undefined` is not a valid port, and the message says so.
  for (const key of REQUIRED) if (!(key in fields)) fields[key] = undefined
  throwIf(checkFields(fields, INSTANCE_CHECKS))
  return freezeFields<InstanceFields>(fields)
}

/**
 * Validates the patch given to `update()`: any of `status`, `metadata`, `weight`, `tags`, at least one.
 * Returns a frozen copy of the fields given (an explicit `undefined` counts as absent).
 *
 * @throws InvalidRecordError naming the bad field, the unknown or unpatchable key, or `patch` when the input
 * is not a plain object or changes nothing.
 */
export function validatePatch (input: unknown): Partial<Pick<InstanceFields, PatchableField>> {
  throwIf(checkShape(input, 'patch', PATCHABLE, (key) => (INSTANCE_KEYS as readonly string[]).includes(key)
    ? `Field \`${key}\` cannot be updated: it identifies the instance, so register it again instead; updatable fields: ${PATCHABLE.join(', ')}`
    : `Unknown field \`${key}\`; updatable fields: ${PATCHABLE.join(', ')}`))
  const patch = withoutUndefined(input as Record<string, unknown>)
  if (Object.keys(patch).length === 0) {
    throw new InvalidRecordError('patch', `Expected \`patch\` to change at least one of ${PATCHABLE.join(', ')}, got ${describeValue(input)}`)
  }
  const checks = Object.fromEntries(PATCHABLE.filter((key) => key in patch).map((key) => [key, INSTANCE_CHECKS[key]]))
  throwIf(checkFields(patch, checks))
  return freezeFields(patch)
}

/**
 * Checks that a stamp can be encoded exactly: a wall part beyond 2^53 - 1 or a logical part beyond a uint32
 * would reach the wire as a different, lower stamp.
 *
 * @throws InvalidRecordError naming `stamp.wall` or `stamp.logical`.
 */
export function validateStamp (stamp: Hlc): void {
  throwIf(checkFields(isPlainObject(stamp) ? stamp : {}, STAMP_CHECKS, 'stamp.'))
}

/**
 * Checks a record decoded from the network (or about to be sealed) against every limit and rule: the header
 * (namespace, stamp, id), then the fields of its kind. Member records have the id `''` and are never deleted;
 * tombstones carry only their service.
 *
 * @returns undefined if the record is valid, else an `invalid-record` rejection whose detail names the field.
 */
export function checkRecord (record: Sealed): Rejection | undefined {
  const found = findRecordProblem(record as unknown as Record<string, unknown>)
  return found === undefined ? undefined : { reason: 'invalid-record', detail: found.message }
}

function findRecordProblem (record: Record<string, unknown>): Problem | undefined {
  const stamp = isPlainObject(record.stamp) ? record.stamp : {}
  const header = checkFields(record, { namespace: checkNamespace }) ?? checkFields(stamp, STAMP_CHECKS, 'stamp.')
  if (header !== undefined) return header
  if (record.kind === 'member') {
    const chain = isPlainObject(record.chain) ? record.chain : {}
    return checkFields(record, { id: checkMemberId, deleted: checkMemberDeleted, addrs: checkAddrs, leaving: checkBoolean, name: checkNodeName }) ??
      checkFields(chain, { anchor: checkAnchor, length: checkChainLength, chainId: checkChainId }, 'chain.')
  }
  if (record.kind === 'alert') {
    const incarnation = isPlainObject(record.incarnation) ? record.incarnation : {}
    return checkFields(record, { id: checkMemberId, deleted: checkMemberDeleted, subject: checkPeerId }) ??
      checkFields(incarnation, STAMP_CHECKS, 'incarnation.')
  }
  if (record.kind !== 'instance') return problem('kind', '`instance`, `member` or `alert`', record.kind)
  if (record.deleted === true) return checkFields(record, { id: checkInstanceId, service: checkService })
  const found = checkFields(record, { id: checkInstanceId, deleted: checkBoolean, ...INSTANCE_CHECKS, maintenance: checkMaintenance })
  // Lookups leave out critical instances and nothing else: an instance in maintenance must be one, at every node.
  if (found === undefined && record.maintenance !== undefined && record.status !== 'critical') return problem('status', '`critical` while in maintenance', record.status)
  return found
}

function withoutUndefined (object: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined))
}

/** Copies arrays and maps too, so a caller mutating what it passed in cannot change a registered record. */
function freezeFields<T> (fields: Record<string, unknown>): T {
  const copy: Record<string, unknown> = { ...fields }
  if (Array.isArray(copy.tags)) copy.tags = Object.freeze([...copy.tags as string[]])
  if (isPlainObject(copy.metadata)) copy.metadata = Object.freeze({ ...copy.metadata })
  return Object.freeze(copy) as T
}

/** RFC 1123 host name. An all-numeric last label is a malformed IPv4 address (`10.0.0.999`), not a name. */
function isHostname (value: string): boolean {
  if (value.length === 0 || value.length > limits.MAX_ADDRESS_LENGTH) return false
  const labels = value.split('.')
  if (/^\d+$/.test(labels.at(-1)!)) return false
  return labels.every((label) => limits.HOST_LABEL_PATTERN.test(label))
}

/** Dotted-quad IPv4 in decimal, no leading zeros (`010` is octal to some parsers and decimal to others). */
function isIPv4 (value: string): boolean {
  const parts = value.split('.')
  return parts.length === 4 && parts.every((part) => /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/.test(part))
}

/**
 * IPv6 text form (RFC 4291 2.2): eight groups of 1-4 hex digits, one `::` at most, an IPv4 tail allowed. Zone
 * ids (`%eth0`) are refused: they mean something only on the host that wrote them.
 */
function isIPv6 (value: string): boolean {
  if (value.length > 45 || !value.includes(':')) return false
  const halves = value.split('::')
  if (halves.length > 2) return false
  const groups = halves.flatMap((half) => half === '' ? [] : half.split(':'))
  const last = groups.at(-1)
  const hasV4 = last !== undefined && last.includes('.')
  if (hasV4 && !isIPv4(last)) return false
  const hex = hasV4 ? groups.slice(0, -1) : groups
  if (!hex.every((group) => /^[0-9a-f]{1,4}$/i.test(group))) return false
  const width = hex.length + (hasV4 ? 2 : 0)
  return halves.length === 2 ? width < 8 : width === 8
}
