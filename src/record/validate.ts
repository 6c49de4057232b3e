/**
 * Validation of instance fields and records. One set of field checks serves both callers: the public API
 * (which throws `InvalidRecordError` naming the field) and the network path (which returns a rejection). Pure.
 */
import semver from 'semver'
import { InvalidRecordError, describeValue } from '../errors.js'
import type { Rejection } from '../reject-reason.js'
import * as limits from './limits.js'
import type { InstanceFields, InstanceStatus, SignedRecord } from './types.js'

/** A failed check: the field (e.g. `tags[3]`, `metadata.zone`) and the whole message. */
interface Problem {
  readonly field: string
  readonly message: string
}

/** Returns what was expected, or undefined if the value is fine. */
type Check = (value: unknown) => string | undefined

const STATUSES: readonly InstanceStatus[] = ['passing', 'warning', 'critical']

const isInt = (v: unknown, min: number, max: number): boolean => typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max

const checkService: Check = (v) => typeof v === 'string' && v.length <= limits.MAX_SERVICE_LENGTH && limits.SERVICE_PATTERN.test(v)
  ? undefined
  : `a service name of 1-${limits.MAX_SERVICE_LENGTH} letters, digits, \`.\`, \`_\` or \`-\`, starting and ending with a letter or digit`
const checkVersion: Check = (v) => typeof v === 'string' && v.length <= limits.MAX_VERSION_LENGTH && semver.valid(v) === v
  ? undefined
  : 'a semantic version such as `2.1.0`'
const checkAddress: Check = (v) => typeof v === 'string' && (isHostname(v) || isIPv4(v) || isIPv6(v))
  ? undefined
  : 'a host name or an IPv4 or IPv6 address'
const checkPort: Check = (v) => isInt(v, 1, 65_535) ? undefined : 'an integer from 1 to 65535'
const checkWeight: Check = (v) => isInt(v, 0, limits.MAX_WEIGHT) ? undefined : `an integer from 0 to ${limits.MAX_WEIGHT}`
const checkStatus: Check = (v) => STATUSES.includes(v as InstanceStatus) ? undefined : 'one of `passing`, `warning`, `critical`'
const checkInstanceId: Check = (v) => typeof v === 'string' && limits.INSTANCE_ID_PATTERN.test(v) ? undefined : 'an id of 1-64 letters, digits, `_`, `.`, `:` or `-`'

/** Field checks of the instance fields, in the order errors are reported. */
const FIELD_CHECKS = {
  service: checkService,
  version: checkVersion,
  address: checkAddress,
  port: checkPort,
  tags: undefined,
  metadata: undefined,
  weight: checkWeight,
  status: checkStatus
} as const

function problem (field: string, expected: string, value: unknown): Problem {
  return { field, message: `Expected \`${field}\` to be ${expected}, got ${describeValue(value)}` }
}

function checkTags (tags: unknown): Problem | undefined {
  if (!Array.isArray(tags)) return problem('tags', 'an array of strings', tags)
  if (tags.length > limits.MAX_TAGS) return problem('tags', `at most ${limits.MAX_TAGS} tags`, tags)
  const seen = new Set<string>()
  for (const [i, tag] of tags.entries()) {
    if (typeof tag !== 'string' || tag.length > limits.MAX_TAG_LENGTH || !limits.TAG_PATTERN.test(tag)) {
      return problem(`tags[${i}]`, `a tag of 1-${limits.MAX_TAG_LENGTH} printable characters without spaces`, tag)
    }
    if (seen.has(tag)) return problem(`tags[${i}]`, 'a tag not already listed', tag)
    seen.add(tag)
  }
  return undefined
}

function checkMetadata (metadata: unknown): Problem | undefined {
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) return problem('metadata', 'an object of string values', metadata)
  const entries = metadata instanceof Map ? [...metadata.entries()] : Object.entries(metadata)
  if (entries.length > limits.MAX_METADATA_KEYS) return problem('metadata', `an object of at most ${limits.MAX_METADATA_KEYS} keys`, metadata)
  for (const [key, value] of entries) {
    if (typeof key !== 'string' || key.length > limits.MAX_METADATA_KEY_LENGTH || !limits.METADATA_KEY_PATTERN.test(key)) {
      return { field: 'metadata', message: `Expected every \`metadata\` key to be 1-${limits.MAX_METADATA_KEY_LENGTH} letters, digits, \`_\`, \`.\`, \`:\` or \`-\`, got ${describeValue(key)}` }
    }
    if (typeof value !== 'string' || value.length > limits.MAX_METADATA_VALUE_LENGTH) {
      return problem(`metadata.${key}`, `a string of at most ${limits.MAX_METADATA_VALUE_LENGTH} characters`, value)
    }
  }
  return undefined
}

/** Checks the given instance fields (only those present in `fields` unless `required`). */
function checkInstanceFields (fields: Record<string, unknown>, required: readonly string[]): Problem | undefined {
  for (const [field, check] of Object.entries(FIELD_CHECKS)) {
    const value = fields[field]
    if (value === undefined) {
      if (required.includes(field)) return { field, message: `Missing required field \`${field}\`` }
      continue
    }
    if (field === 'tags') {
      const found = checkTags(value)
      if (found !== undefined) return found
    } else if (field === 'metadata') {
      const found = checkMetadata(value)
      if (found !== undefined) return found
    } else {
      const expected = check!(value)
      if (expected !== undefined) return problem(field, expected, value)
    }
  }
  return undefined
}

function checkKnownKeys (input: Record<string, unknown>, known: readonly string[]): Problem | undefined {
  for (const key of Object.keys(input)) {
    if (!known.includes(key)) return { field: key, message: `Unknown field \`${key}\`; known fields: ${known.join(', ')}` }
  }
  return undefined
}

function fail (found: Problem | undefined): void {
  if (found !== undefined) throw new InvalidRecordError(found.field, found.message)
}

const REQUIRED = ['service', 'version', 'address', 'port'] as const
const PATCHABLE = ['status', 'metadata', 'weight', 'tags'] as const

/** Validates the fields of `register()`, applying defaults. Throws `InvalidRecordError` naming the field. */
export function validateInstanceFields (input: unknown): InstanceFields {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new InvalidRecordError('instance', `Expected the instance to be an object, got ${describeValue(input)}`)
  }
  const fields = input as Record<string, unknown>
  fail(checkKnownKeys(fields, Object.keys(FIELD_CHECKS)))
  fail(checkInstanceFields(fields, REQUIRED))
  return {
    service: fields.service as string,
    version: fields.version as string,
    address: fields.address as string,
    port: fields.port as number,
    tags: Object.freeze([...(fields.tags as string[] | undefined) ?? []]),
    metadata: Object.freeze({ ...(fields.metadata as Record<string, string> | undefined) ?? {} }),
    weight: (fields.weight as number | undefined) ?? limits.DEFAULT_WEIGHT,
    status: (fields.status as InstanceStatus | undefined) ?? 'passing'
  }
}

/** Validates the patch of `update()`. Throws `InvalidRecordError` naming the field. */
export function validatePatch (input: unknown): Partial<Pick<InstanceFields, 'status' | 'metadata' | 'weight' | 'tags'>> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new InvalidRecordError('patch', `Expected the patch to be an object, got ${describeValue(input)}`)
  }
  const patch = input as Record<string, unknown>
  fail(checkKnownKeys(patch, PATCHABLE))
  const given = PATCHABLE.filter((key) => patch[key] !== undefined)
  if (given.length === 0) throw new InvalidRecordError('patch', `Expected the patch to change at least one of ${PATCHABLE.join(', ')}`)
  fail(checkInstanceFields(patch, []))
  return {
    ...(patch.status !== undefined && { status: patch.status as InstanceStatus }),
    ...(patch.weight !== undefined && { weight: patch.weight as number }),
    ...(patch.tags !== undefined && { tags: Object.freeze([...patch.tags as string[]]) }),
    ...(patch.metadata !== undefined && { metadata: Object.freeze({ ...patch.metadata as Record<string, string> }) })
  }
}

/** Checks a record decoded from the network against every limit. */
export function checkRecord (record: SignedRecord): Rejection | undefined {
  const found = findRecordProblem(record)
  return found === undefined ? undefined : { reason: 'invalid-record', detail: found.message }
}

function findRecordProblem (record: SignedRecord): Problem | undefined {
  if (typeof record.namespace !== 'string' || record.namespace.length === 0 || record.namespace.length > limits.MAX_NAMESPACE_LENGTH) {
    return problem('namespace', `a name of 1-${limits.MAX_NAMESPACE_LENGTH} characters`, record.namespace)
  }
  if (!isInt(record.stamp.wall, 0, Number.MAX_SAFE_INTEGER)) return problem('stamp.wall', 'a non-negative safe integer', record.stamp.wall)
  if (!isInt(record.stamp.logical, 0, 0xffff_ffff)) return problem('stamp.logical', 'a 32-bit unsigned integer', record.stamp.logical)
  if (record.kind === 'member') {
    if (record.id !== '') return problem('id', 'empty in a member record', record.id)
    if ((record as { deleted: boolean }).deleted) return problem('deleted', 'false in a member record', true)
    if (record.addrs.length > limits.MAX_ADDRS) return problem('addrs', `at most ${limits.MAX_ADDRS} addresses`, record.addrs.length)
    for (const [i, addr] of record.addrs.entries()) {
      if (addr.length === 0 || addr.length > limits.MAX_ADDR_LENGTH) return problem(`addrs[${i}]`, `a multiaddr of 1-${limits.MAX_ADDR_LENGTH} characters`, addr)
    }
    if (record.chain.anchor.length !== limits.CHAIN_ANCHOR_BYTES) return problem('chain.anchor', `${limits.CHAIN_ANCHOR_BYTES} bytes`, record.chain.anchor.length)
    if (!isInt(record.chain.length, 1, limits.MAX_CHAIN_LENGTH)) return problem('chain.length', `an integer from 1 to ${limits.MAX_CHAIN_LENGTH}`, record.chain.length)
    if (!isInt(record.chain.chainId, 0, limits.MAX_CHAIN_ID)) return problem('chain.chainId', 'a 32-bit unsigned integer', record.chain.chainId)
    return undefined
  }
  const badId = checkInstanceId(record.id)
  if (badId !== undefined) return problem('id', badId, record.id)
  if (record.deleted) {
    const badService = checkService(record.service)
    return badService === undefined ? undefined : problem('service', badService, record.service)
  }
  return checkInstanceFields(record as unknown as Record<string, unknown>, REQUIRED)
}

function isHostname (value: string): boolean {
  if (value.length === 0 || value.length > limits.MAX_ADDRESS_LENGTH) return false
  const labels = value.split('.')
  // An all-numeric last label is a malformed IPv4 address, not a host name.
  if (/^\d+$/.test(labels.at(-1)!)) return false
  return labels.every((label) => /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i.test(label))
}

function isIPv4 (value: string): boolean {
  const parts = value.split('.')
  return parts.length === 4 && parts.every((part) => /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/.test(part))
}

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
