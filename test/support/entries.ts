/**
 * Unsigned table entries for pure tests: the table and the sync session never verify signatures, so a fake
 * envelope that is a function of the record's content stands in for the signed bytes.
 */
import { MEMBER_RECORD_ID, type InstanceRecord, type InstanceTombstone, type MemberRecord } from '../../src/record/types.js'
import type { TableEntry } from '../../src/table/entry.js'

const encoder = new TextEncoder()

/** A live instance entry. */
export function instanceEntry (owner: string, id: string, wall: number, fields: Partial<InstanceRecord> = {}): TableEntry {
  const record: InstanceRecord = {
    kind: 'instance', deleted: false, owner, id, namespace: 'default', stamp: { wall, logical: 0 },
    service: 'orders', version: '1.0.0', address: '10.0.0.1', port: 80, tags: [], metadata: {}, weight: 1, status: 'passing',
    ...fields
  }
  return { record, envelope: encoder.encode(JSON.stringify(record)) }
}

/** A tombstone entry. */
export function tombstoneEntry (owner: string, id: string, wall: number, service = 'orders'): TableEntry {
  const record: InstanceTombstone = { kind: 'instance', deleted: true, owner, id, namespace: 'default', stamp: { wall, logical: 0 }, service }
  return { record, envelope: encoder.encode(JSON.stringify(record)) }
}

/** A member record entry. */
export function memberEntry (owner: string, wall: number): TableEntry {
  const record: MemberRecord = {
    kind: 'member', deleted: false, owner, id: MEMBER_RECORD_ID, namespace: 'default', stamp: { wall, logical: 0 },
    addrs: [], chain: { chainId: 1, anchor: new Uint8Array(32), length: 100 }, leaving: false
  }
  return { record, envelope: encoder.encode(JSON.stringify(record)) }
}
