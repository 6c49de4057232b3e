/**
 * Sealing and opening records in libp2p's signed envelope (RFC 0002: a signature over a domain string, a payload
 * type and the payload, the shape of peer records). The owner of a record is the envelope's public key, so "the
 * signer is the owner" holds by construction. Opening never throws: every failure is a rejection.
 *
 * The envelope is read and written here (envelope.proto) rather than through `@libp2p/peer-record`: the bytes are
 * the same both ways (the tests seal with one and open with the other), and opening costs a third less, since the
 * key's verifying form and peer id are derived once per owner (ed25519.ts) instead of once per record.
 */
import { decodePayload, encodePayload } from './codec.js'
import { keyProtobufOfPeerId, ownerKeyOf, signingKeyOf, signWith, verifies, type OwnerKey } from './ed25519.js'
import { Envelope, KeyType, PublicKey } from './envelope.pb.js'
import type { PrivateKey } from '@libp2p/interface'
import type { Rejection, RejectReason } from '../reject-reason.js'
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

/** What every record signature covers before the payload: the domain and the payload type, each length-prefixed. */
const SIGNED_PREFIX = (() => {
  const domain = new TextEncoder().encode(RECORD_DOMAIN)
  return Uint8Array.from([...varint(domain.length), ...domain, ...varint(RECORD_CODEC.length), ...RECORD_CODEC])
})()

/** The bytes a record's signature covers (RFC 0002): domain, payload type and payload, each after its length. */
function signedData (payload: Uint8Array): Uint8Array {
  const length = varint(payload.length)
  const data = new Uint8Array(SIGNED_PREFIX.length + length.length + payload.length)
  data.set(SIGNED_PREFIX)
  data.set(length, SIGNED_PREFIX.length)
  data.set(payload, SIGNED_PREFIX.length + length.length)
  return data
}

/** An unsigned LEB128 varint, the length prefix RFC 0002 uses. */
function varint (value: number): number[] {
  const bytes: number[] = []
  while (value >= 0x80) {
    bytes.push((value & 0x7f) | 0x80)
    value >>>= 7
  }
  bytes.push(value)
  return bytes
}

/**
 * Signs a record with its owner's key and returns the envelope bytes. Does not validate the record: callers
 * validate their input first (`validateInstanceFields`), and peers check it again on receipt.
 *
 * @throws Error if `record.owner` is not the peer id of `privateKey`: a programming error, never input.
 */
export async function sealRecord (record: Sealed, privateKey: PrivateKey): Promise<Uint8Array> {
  const signer = signingKeyOf(privateKey)
  if (signer.id !== record.owner) throw new Error(`A record owned by ${record.owner} cannot be signed by ${signer.id}: only the owner signs its records`)
  const payload = encodePayload(record)
  return encodeEnvelope(signer, payload, signWith(signer, signedData(payload)))
}

/**
 * The canonical envelope, in a buffer of its own: the encoder's may be a view into Node's shared 8 KiB pool,
 * which the table would then pin for as long as it holds the record.
 */
function encodeEnvelope (owner: OwnerKey, payload: Uint8Array, signature: Uint8Array): Uint8Array {
  return new Uint8Array(Envelope.encode({ publicKey: owner.protobuf, payloadType: RECORD_CODEC, payload, signature }))
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
  let envelope: Envelope
  let key: PublicKey
  try {
    envelope = Envelope.decode(bytes)
    key = PublicKey.decode(envelope.publicKey)
  } catch (err) {
    return reject('malformed', `undecodable envelope: ${messageOf(err)}`)
  }
  // A key without a type is no key: libp2p refuses such an envelope as undecodable, and so does this.
  if (key.Type === undefined) return reject('malformed', 'undecodable envelope: a public key without a key type')
  if (!equalBytes(envelope.payloadType, RECORD_CODEC)) return reject('wrong-type', `envelope of payload type 0x${toHex(envelope.payloadType)}, expected 0x${toHex(RECORD_CODEC)}`)
  // Before the signature, since it costs nothing and spares verifying (say) an RSA signature only to refuse it.
  if (key.Type !== KeyType.Ed25519) return reject('invalid-record', `owner key of type ${key.Type}; only Ed25519 owner keys are accepted`)
  const owner = ownerKeyOf(key.Data ?? new Uint8Array(0))
  if (owner === undefined) return reject('malformed', `undecodable envelope: an Ed25519 key of ${key.Data?.length ?? 0} bytes`)
  if (!verifies(owner, signedData(envelope.payload), envelope.signature)) return reject('bad-signature', `envelope signature does not verify for domain ${RECORD_DOMAIN}`)
  let record: Sealed
  try {
    record = decodePayload(envelope.payload, owner.id)
  } catch (err) {
    return { ...reject('malformed', `undecodable payload: ${messageOf(err)}`), signer: owner.id }
  }
  if (record.namespace !== expect.namespace) return { ...reject('wrong-namespace', `record of namespace ${JSON.stringify(record.namespace)}, expected ${JSON.stringify(expect.namespace)}`), signer: owner.id }
  const problem = checkRecord(record)
  if (problem !== undefined) return { ok: false, rejection: problem, signer: owner.id }
  // Re-encoded, not the received bytes: protobuf lets a relay re-frame a valid envelope (unknown fields, field
  // order, the key's encoding) without touching the signed parts. Envelopes are compared and hashed by the table,
  // so every node must hold the same bytes for the same signed record.
  return { ok: true, record, envelope: encodeEnvelope(owner, envelope.payload, envelope.signature) }
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
  const key = keyProtobufOfPeerId(peer)
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
