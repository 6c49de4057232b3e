/**
 * The wire form of a record's payload (record.proto, protons). The owner is not encoded: it is the key that
 * signed the envelope. Decoding is total over arbitrary bytes: it returns a record or throws an `Error`; it
 * checks shape only, and leaves limits to `checkRecord`. Pure.
 */
import { MAX_ADDRS, MAX_METADATA_KEYS, MAX_TAGS } from './limits.js'
import { InstancePayload, RecordPayload } from './record.pb.js'
import type { InstanceStatus, Sealed } from './types.js'
import { validateStamp } from './validate.js'

const STATUS_TO_WIRE: Readonly<Record<InstanceStatus, InstancePayload.Status>> = {
  passing: InstancePayload.Status.PASSING,
  warning: InstancePayload.Status.WARNING,
  critical: InstancePayload.Status.CRITICAL
}
const STATUS_FROM_WIRE: Readonly<Record<InstancePayload.Status, InstanceStatus>> = {
  [InstancePayload.Status.PASSING]: 'passing',
  [InstancePayload.Status.WARNING]: 'warning',
  [InstancePayload.Status.CRITICAL]: 'critical'
}

/**
 * Decode caps on repeated fields, one past each limit: a hostile payload cannot make this node allocate more
 * than a record's worth, while a payload just over a limit still decodes so `checkRecord` can name the field.
 */
const DECODE_LIMITS = {
  instance: { tags: MAX_TAGS + 1, metadata: MAX_METADATA_KEYS + 1 },
  member: { addrs: MAX_ADDRS + 1 }
}

const MAX_SAFE_WALL = BigInt(Number.MAX_SAFE_INTEGER)

/**
 * Encodes a record's payload: everything but the owner. Does not validate the fields (see `checkRecord`), but
 * refuses a stamp it cannot represent: protons would truncate it to a lower one, silently reordering writes.
 *
 * @throws InvalidRecordError naming `stamp.wall` or `stamp.logical` when the stamp is out of the wire's range.
 */
export function encodePayload (record: Sealed): Uint8Array {
  validateStamp(record.stamp)
  const payload: RecordPayload = {
    namespace: record.namespace,
    id: record.id,
    stampWall: BigInt(record.stamp.wall),
    stampLogical: record.stamp.logical
  }
  if (record.kind === 'alert') {
    validateStamp(record.incarnation)
    payload.alert = { subject: record.subject, incarnationWall: BigInt(record.incarnation.wall), incarnationLogical: record.incarnation.logical }
  } else if (record.kind === 'member') {
    payload.member = {
      addrs: [...record.addrs],
      chainId: record.chain.chainId,
      chainAnchor: record.chain.anchor,
      chainLength: record.chain.length,
      leaving: record.leaving,
      name: record.name ?? ''
    }
  } else if (record.deleted) {
    payload.tombstone = { service: record.service }
  } else {
    payload.instance = {
      service: record.service,
      version: record.version,
      address: record.address,
      port: record.port,
      tags: [...record.tags],
      metadata: new Map(Object.entries(record.metadata)),
      weight: record.weight,
      status: STATUS_TO_WIRE[record.status],
      maintenance: record.maintenance !== undefined,
      maintenanceReason: record.maintenance?.reason ?? ''
    }
  }
  return RecordPayload.encode(payload)
}

/**
 * Decodes a payload signed by `owner` (the peer id of the envelope's key).
 *
 * @throws Error when the bytes are not a record payload: not protobuf, no kind, an unknown enum value, a
 * repeated field far over its limit, or a stamp beyond the safe integer range.
 */
export function decodePayload (bytes: Uint8Array, owner: string): Sealed {
  const payload = RecordPayload.decode(bytes, { limits: DECODE_LIMITS })
  if (payload.stampWall > MAX_SAFE_WALL) throw new Error(`stamp_wall ${payload.stampWall} is beyond the safe integer range`)
  const header = { owner, id: payload.id, namespace: payload.namespace, stamp: { wall: Number(payload.stampWall), logical: payload.stampLogical } }
  const { instance, tombstone, member, alert } = payload
  if (alert !== undefined) {
    if (alert.incarnationWall > MAX_SAFE_WALL) throw new Error(`incarnation_wall ${alert.incarnationWall} is beyond the safe integer range`)
    return { ...header, kind: 'alert', deleted: false, subject: alert.subject, incarnation: { wall: Number(alert.incarnationWall), logical: alert.incarnationLogical } }
  }
  if (member !== undefined) {
    return {
      ...header,
      kind: 'member',
      deleted: false,
      addrs: member.addrs,
      // A copy: protons returns a view into `bytes`, which would pin (and alias) the whole received buffer.
      chain: { chainId: member.chainId, anchor: member.chainAnchor.slice(), length: member.chainLength },
      leaving: member.leaving,
      // '' is proto3's absent string, what an older node (without the field) sends: no name.
      ...(member.name !== '' && { name: member.name })
    }
  }
  if (tombstone !== undefined) return { ...header, kind: 'instance', deleted: true, service: tombstone.service }
  if (instance === undefined) throw new Error('record payload has no body (instance, tombstone, member or alert)')
  return {
    ...header,
    kind: 'instance',
    deleted: false,
    service: instance.service,
    version: instance.version,
    address: instance.address,
    port: instance.port,
    tags: instance.tags,
    // fromEntries defines own data properties, so a `__proto__` key cannot reach a prototype.
    metadata: Object.fromEntries(instance.metadata),
    weight: instance.weight,
    status: STATUS_FROM_WIRE[instance.status],
    // A reason without the flag means nothing: it is dropped, so a record has one meaning whatever was sent.
    ...(instance.maintenance && { maintenance: { reason: instance.maintenanceReason } })
  }
}
