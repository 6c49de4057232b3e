/**
 * The wire form of a record's payload (record.proto, protons). The owner is not encoded: it is the key that
 * signed the envelope. Decoding is total over arbitrary bytes: it returns a record or throws an `Error`. Pure.
 */
import { MAX_ADDRS, MAX_METADATA_KEYS, MAX_TAGS } from './limits.js'
import { RecordPayload } from './record.pb.js'
import type { InstanceStatus, SignedRecord } from './types.js'

const STATUS_TO_WIRE: Record<InstanceStatus, RecordPayload.Status> = {
  passing: RecordPayload.Status.PASSING,
  warning: RecordPayload.Status.WARNING,
  critical: RecordPayload.Status.CRITICAL
}
const STATUS_FROM_WIRE: Partial<Record<string, InstanceStatus>> = {
  [RecordPayload.Status.PASSING]: 'passing',
  [RecordPayload.Status.WARNING]: 'warning',
  [RecordPayload.Status.CRITICAL]: 'critical'
}

/** Encodes a record's payload (everything but the owner). */
export function encodePayload (record: SignedRecord): Uint8Array {
  const payload: Partial<RecordPayload> = {
    kind: record.kind === 'member' ? RecordPayload.Kind.MEMBER : RecordPayload.Kind.INSTANCE,
    namespace: record.namespace,
    id: record.id,
    stampWall: BigInt(record.stamp.wall),
    stampLogical: record.stamp.logical,
    deleted: record.deleted
  }
  if (record.kind === 'member') {
    payload.addrs = [...record.addrs]
    payload.chainId = record.chain.chainId
    payload.chainAnchor = record.chain.anchor
    payload.chainLength = record.chain.length
    payload.leaving = record.leaving
  } else if (record.deleted) {
    payload.service = record.service
  } else {
    payload.service = record.service
    payload.version = record.version
    payload.address = record.address
    payload.port = record.port
    payload.tags = [...record.tags]
    payload.metadata = new Map(Object.entries(record.metadata))
    payload.weight = record.weight
    payload.status = STATUS_TO_WIRE[record.status]
  }
  return RecordPayload.encode(payload)
}

/**
 * Decodes a payload signed by `owner`. Repeated fields are capped one past their limit while decoding, so a
 * hostile payload cannot make this node allocate more than a record's worth; validation then names the field.
 */
export function decodePayload (bytes: Uint8Array, owner: string): SignedRecord {
  const payload = RecordPayload.decode(bytes, { limits: { tags: MAX_TAGS + 1, metadata: MAX_METADATA_KEYS + 1, addrs: MAX_ADDRS + 1 } })
  if (payload.stampWall > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error('stamp beyond the safe integer range')
  const header = { owner, id: payload.id, namespace: payload.namespace, stamp: { wall: Number(payload.stampWall), logical: payload.stampLogical } }
  if (payload.kind === RecordPayload.Kind.MEMBER) {
    return {
      ...header,
      kind: 'member',
      deleted: false,
      addrs: payload.addrs,
      chain: { chainId: payload.chainId, anchor: payload.chainAnchor, length: payload.chainLength },
      leaving: payload.leaving
    }
  }
  if (payload.kind !== RecordPayload.Kind.INSTANCE) throw new Error('unknown record kind')
  if (payload.deleted) return { ...header, kind: 'instance', deleted: true, service: payload.service }
  const status = STATUS_FROM_WIRE[payload.status]
  if (status === undefined) throw new Error('unknown instance status')
  return {
    ...header,
    kind: 'instance',
    deleted: false,
    service: payload.service,
    version: payload.version,
    address: payload.address,
    port: payload.port,
    tags: payload.tags,
    metadata: Object.fromEntries(payload.metadata),
    weight: payload.weight,
    status
  }
}
