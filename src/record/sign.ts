/**
 * Signing and opening records with libp2p's signed envelope (RFC 0002 of libp2p: domain-separated, the shape
 * of peer records). The owner of a record is the envelope's public key, so "the signer is the owner" holds by
 * construction. Opening never throws: every failure is a rejection with a reason.
 */
import { RecordEnvelope } from '@libp2p/peer-record'
import { peerIdFromPrivateKey, peerIdFromPublicKey } from '@libp2p/peer-id'
import type { PrivateKey, Record as Libp2pRecord } from '@libp2p/interface'
import type { Rejection } from '../reject-reason.js'
import { decodePayload, encodePayload } from './codec.js'
import type { SignedRecord } from './types.js'
import { checkRecord } from './validate.js'

/** Signature domain: a signature made for a record can never be replayed as another libp2p signed message. */
export const RECORD_DOMAIN = 'gossip-registry-record'

/**
 * Payload type: 'g' 'r' and a format version. One type for every record kind, since the kind is inside the
 * signed payload; a new payload format gets a new version byte so old nodes refuse it cleanly.
 */
export const RECORD_CODEC = Uint8Array.from([0x67, 0x72, 0x01])

/** The result of opening an envelope. */
export type OpenResult =
  | { readonly ok: true, readonly record: SignedRecord, readonly envelope: Uint8Array }
  | { readonly ok: false, readonly rejection: Rejection }

class PayloadRecord implements Libp2pRecord {
  readonly domain = RECORD_DOMAIN
  readonly codec = RECORD_CODEC
  constructor (private readonly bytes: Uint8Array) {}
  marshal (): Uint8Array { return this.bytes }
  equals (other: Libp2pRecord): boolean {
    const theirs = other.marshal()
    return theirs.length === this.bytes.length && theirs.every((byte, i) => byte === this.bytes[i])
  }
}

/** Signs a record with its owner's key and returns the envelope bytes. */
export async function sealRecord (record: SignedRecord, privateKey: PrivateKey): Promise<Uint8Array> {
  const signer = peerIdFromPrivateKey(privateKey).toString()
  if (signer !== record.owner) throw new Error(`record of ${record.owner} cannot be signed by ${signer}`)
  const envelope = await RecordEnvelope.seal(new PayloadRecord(encodePayload(record)), privateKey)
  return envelope.marshal()
}

/**
 * Opens envelope bytes from the network: size first, then decoding, payload type, signature, owner key type,
 * payload, namespace, and every record limit, in that order, so nothing is trusted before it is checked.
 */
export async function openRecord (bytes: Uint8Array, expect: { readonly maxBytes: number, readonly namespace: string }): Promise<OpenResult> {
  if (bytes.length > expect.maxBytes) return reject('oversized', `envelope of ${bytes.length} bytes, limit ${expect.maxBytes}`)
  let envelope: RecordEnvelope
  try {
    envelope = RecordEnvelope.createFromProtobuf(bytes)
  } catch (err) {
    return reject('malformed', `undecodable envelope: ${(err as Error).message}`)
  }
  if (!equalBytes(envelope.payloadType, RECORD_CODEC)) return reject('wrong-type', 'envelope of another payload type')
  if (envelope.publicKey.type !== 'Ed25519') return reject('invalid-record', `owner key of type ${envelope.publicKey.type}; only Ed25519 is accepted`)
  let valid: boolean
  try {
    valid = await envelope.validate(RECORD_DOMAIN)
  } catch {
    valid = false
  }
  if (!valid) return reject('bad-signature', 'envelope signature does not verify')
  const owner = peerIdFromPublicKey(envelope.publicKey).toString()
  let record: SignedRecord
  try {
    record = decodePayload(envelope.payload, owner)
  } catch (err) {
    return reject('malformed', `undecodable payload: ${(err as Error).message}`)
  }
  if (record.namespace !== expect.namespace) return reject('wrong-namespace', `record of namespace \`${record.namespace}\``)
  const problem = checkRecord(record)
  if (problem !== undefined) return { ok: false, rejection: problem }
  // A copy, so a record kept in the table does not pin the (possibly much larger) buffer it arrived in.
  return { ok: true, record, envelope: Uint8Array.from(bytes) }
}

function reject (reason: Rejection['reason'], detail: string): OpenResult {
  return { ok: false, rejection: { reason, detail } }
}

function equalBytes (a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i])
}
