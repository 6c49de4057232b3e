/**
 * Sealing and opening records with libp2p's signed envelope (RFC 0002: a signature over a domain string, a
 * payload type and the payload, the shape of peer records). The owner of a record is the envelope's public
 * key, so "the signer is the owner" holds by construction. Opening never throws: every failure is a rejection.
 */
import { publicKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey, peerIdFromPublicKey, peerIdFromString } from '@libp2p/peer-id'
import { RecordEnvelope } from '@libp2p/peer-record'
import type { PrivateKey, Record as Libp2pRecord } from '@libp2p/interface'
import type { Rejection, RejectReason } from '../reject-reason.js'
import { decodePayload, encodePayload } from './codec.js'
import type { Sealed } from './types.js'
import { checkRecord } from './validate.js'

/** Signature domain: a record signature can never be replayed as any other libp2p signed message, or vice versa. */
export const RECORD_DOMAIN = 'gossip-registry-record'

/**
 * Payload type: `g` `r` and a format version. One type serves every record kind, because the kind is inside the
 * signed payload (a protobuf oneof), so it is covered by the signature either way; a second type per kind would
 * add nothing but a way for the two to disagree. A new, incompatible payload format gets a new version byte, so
 * older nodes refuse it as `wrong-type` instead of misreading it.
 */
export const RECORD_CODEC = Uint8Array.from([0x67, 0x72, 0x01])

/** What `openRecord` expects of an envelope. */
export interface OpenExpectations {
  /** Largest accepted envelope, in bytes (the `maxRecordBytes` option). */
  readonly maxBytes: number
  /** The only namespace accepted (the `namespace` option). */
  readonly namespace: string
}

/**
 * The result of opening an envelope. `envelope` is the canonical encoding of what was verified (a fresh buffer):
 * keep and forward it rather than the received bytes.
 */
export type OpenResult =
  | { readonly ok: true, readonly record: Sealed, readonly envelope: Uint8Array }
  /**
   * `signer` is set when the signature verified and the payload broke a rule after that: the signer's doing,
   * not that of a relay that may hold other limits. Unset, the bytes were garbage any honest relay refuses.
   */
  | { readonly ok: false, readonly rejection: Rejection, readonly signer?: string }

/** The `Record` shape `RecordEnvelope.seal` wants: our payload bytes with our domain and payload type. */
class PayloadRecord implements Libp2pRecord {
  readonly domain = RECORD_DOMAIN
  readonly codec = RECORD_CODEC
  constructor (private readonly bytes: Uint8Array) {}
  marshal (): Uint8Array { return this.bytes }
  equals (other: Libp2pRecord): boolean { return equalBytes(this.bytes, other.marshal()) }
}

/**
 * Signs a record with its owner's key and returns the envelope bytes. Does not validate the record: callers
 * validate their input first (`validateInstanceFields`), and peers check it again on receipt.
 *
 * @throws Error if `record.owner` is not the peer id of `privateKey`: a programming error, never input.
 */
export async function sealRecord (record: Sealed, privateKey: PrivateKey): Promise<Uint8Array> {
  const signer = peerIdFromPrivateKey(privateKey).toString()
  if (signer !== record.owner) throw new Error(`A record owned by ${record.owner} cannot be signed by ${signer}: only the owner signs its records`)
  const envelope = await RecordEnvelope.seal(new PayloadRecord(encodePayload(record)), privateKey)
  return envelope.marshal()
}

/**
 * Opens envelope bytes from the network. Cheapest checks first, and nothing read from the payload before the
 * signature verifies: size (`oversized`), envelope decoding (`malformed`), payload type (`wrong-type`), owner
 * key type (`invalid-record`: only Ed25519, whose peer id embeds the key), signature (`bad-signature`), payload
 * decoding (`malformed`), namespace (`wrong-namespace`), then every record limit (`invalid-record`).
 * Never throws and never rejects.
 */
export async function openRecord (bytes: Uint8Array, expect: OpenExpectations): Promise<OpenResult> {
  if (bytes.length > expect.maxBytes) return reject('oversized', `envelope of ${bytes.length} bytes, limit ${expect.maxBytes}`)
  let envelope: RecordEnvelope
  try {
    envelope = RecordEnvelope.createFromProtobuf(bytes)
  } catch (err) {
    return reject('malformed', `undecodable envelope: ${messageOf(err)}`)
  }
  if (!equalBytes(envelope.payloadType, RECORD_CODEC)) return reject('wrong-type', `envelope of payload type 0x${toHex(envelope.payloadType)}, expected 0x${toHex(RECORD_CODEC)}`)
  // Before the signature, since it costs nothing and spares verifying (say) an RSA signature only to refuse it.
  if (envelope.publicKey.type !== 'Ed25519') return reject('invalid-record', `owner key of type ${envelope.publicKey.type}; only Ed25519 owner keys are accepted`)
  let valid: boolean
  try {
    valid = await envelope.validate(RECORD_DOMAIN)
  } catch {
    valid = false
  }
  if (!valid) return reject('bad-signature', `envelope signature does not verify for domain ${RECORD_DOMAIN}`)
  const owner = peerIdFromPublicKey(envelope.publicKey).toString()
  let record: Sealed
  try {
    record = decodePayload(envelope.payload, owner)
  } catch (err) {
    return { ...reject('malformed', `undecodable payload: ${messageOf(err)}`), signer: owner }
  }
  if (record.namespace !== expect.namespace) return { ...reject('wrong-namespace', `record of namespace ${JSON.stringify(record.namespace)}, expected ${JSON.stringify(expect.namespace)}`), signer: owner }
  const problem = checkRecord(record)
  if (problem !== undefined) return { ok: false, rejection: problem, signer: owner }
  // Re-encoded, not the received bytes: protobuf lets a relay re-frame a valid envelope (unknown fields, field
  // order) without touching the signed parts. Envelopes are compared and hashed by the table, so every node
  // must hold the same bytes for the same signed record. Copied to a buffer of its own: marshal() may return a
  // view into a shared 8 KiB allocation pool, which the table would then pin for as long as it holds the record.
  return { ok: true, record, envelope: new Uint8Array(envelope.marshal()) }
}

function reject (reason: RejectReason, detail: string): { ok: false, rejection: Rejection } {
  return { ok: false, rejection: { reason, detail } }
}

/**
 * True if envelope bytes name `peer` as their signer, in the field order every encoder writes. Nothing is
 * verified: it is cheap enough to run before a rate limit, to tell an origin flooding its own records (struck)
 * from a relay passing on others' (only slowed). Bytes that say otherwise count as relayed, which only spares
 * their sender a strike.
 */
export function claimsSigner (bytes: Uint8Array, peer: string): boolean {
  const key = protobufKeyOf(peer)
  // Field 1 (public_key), wire type 2: tag 0x0a, a one-byte length (a key protobuf is far under 128 bytes), the key.
  if (key === undefined || bytes.length < key.length + 2 || bytes[0] !== 0x0a || bytes[1] !== key.length) return false
  return equalBytes(bytes.subarray(2, 2 + key.length), key)
}

/** Protobuf public keys of the peers `claimsSigner` was asked about: few, since it runs only for floods. */
const protobufKeys = new Map<string, Uint8Array | undefined>()

function protobufKeyOf (peer: string): Uint8Array | undefined {
  if (protobufKeys.has(peer)) return protobufKeys.get(peer)
  let key: Uint8Array | undefined
  try {
    const publicKey = peerIdFromString(peer).publicKey
    key = publicKey === undefined ? undefined : publicKeyToProtobuf(publicKey)
  } catch {
    key = undefined
  }
  if (protobufKeys.size >= 1_024) protobufKeys.clear()
  protobufKeys.set(peer, key)
  return key
}

function messageOf (err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

function toHex (bytes: Uint8Array): string {
  return Array.from(bytes.subarray(0, 16), (byte) => byte.toString(16).padStart(2, '0')).join('')
}

function equalBytes (a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** The node's envelope codec: seals with its key, opens with the registry's expectations (see `Envelopes`). */
export function signedEnvelopes (privateKey: PrivateKey, expect: OpenExpectations): { seal: (record: Sealed) => Promise<Uint8Array>, open: (bytes: Uint8Array) => Promise<OpenResult> } {
  return {
    seal: async (record) => sealRecord(record, privateKey),
    open: async (bytes) => openRecord(bytes, expect)
  }
}
