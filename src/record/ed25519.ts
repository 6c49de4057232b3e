/**
 * Ed25519 keys and peer ids on node:crypto, each key's derived forms computed once and kept. libp2p's own path
 * imports the key from JWK and encodes the signer's peer id again for every signature it checks (a quarter of
 * opening a record), and `@libp2p/crypto` with `@libp2p/peer-id` take about 100 ms and 19 MB to import; a process
 * that only embeds the registry loads them with its first node, not with the package.
 *
 * Forms, for a 32-byte public key K: the key protobuf `08 01 12 20 K` (libp2p's PublicKey message, type Ed25519),
 * the peer id bytes `00 24` + that protobuf (an identity multihash: the id embeds the key), and the peer id
 * string, those bytes in base58btc without the multibase prefix (`12D3KooW...`).
 */
import { createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto'
import type { PrivateKey } from '@libp2p/interface'
import { base58btc } from 'multiformats/bases/base58'

/** The PublicKey protobuf's header for an Ed25519 key: Type = 1 (field 1), Data (field 2) of 32 bytes. */
const KEY_PROTOBUF_HEADER = Uint8Array.from([0x08, 0x01, 0x12, 0x20])
/** An identity multihash (code 0x00) of the 36-byte key protobuf. */
const PEER_ID_HEADER = Uint8Array.from([0x00, 0x24])
/** DER headers that wrap a raw Ed25519 key for node:crypto (RFC 8410): SubjectPublicKeyInfo and PKCS #8. */
const SPKI_HEADER = Buffer.from('302a300506032b6570032100', 'hex')
const PKCS8_HEADER = Buffer.from('302e020100300506032b657004220420', 'hex')
const KEY_BYTES = 32

/** A signer's public key in the forms the registry needs. */
export interface OwnerKey {
  /** The peer id string: the records' `owner`. */
  readonly id: string
  /** The PublicKey protobuf, as an envelope carries it. */
  readonly protobuf: Uint8Array
  readonly verifyKey: KeyObject
}

/**
 * Bound on remembered keys: beyond it the cache starts over, so a peer signing with ever new keys costs a
 * re-derivation per record (as libp2p always did), never memory.
 */
const MAX_CACHED = 4_096
const owners = new Map<string, OwnerKey>()

/** The forms of a raw 32-byte Ed25519 public key, or undefined if node:crypto refuses it as a key. */
export function ownerKeyOf (raw: Uint8Array): OwnerKey | undefined {
  if (raw.length !== KEY_BYTES) return undefined
  const cacheKey = Buffer.from(raw.buffer, raw.byteOffset, raw.length).toString('latin1')
  let owner = owners.get(cacheKey)
  if (owner === undefined) {
    let verifyKey: KeyObject
    try {
      verifyKey = createPublicKey({ key: Buffer.concat([SPKI_HEADER, raw]), format: 'der', type: 'spki' })
    } catch {
      return undefined
    }
    const protobuf = concat(KEY_PROTOBUF_HEADER, raw)
    owner = { id: peerIdText(concat(PEER_ID_HEADER, protobuf)), protobuf, verifyKey }
    if (owners.size >= MAX_CACHED) owners.clear()
    owners.set(cacheKey, owner)
  }
  return owner
}

/** True if `signature` is `key`'s over `data`. */
export function verifies (key: OwnerKey, data: Uint8Array, signature: Uint8Array): boolean {
  try {
    return verify(null, data, key.verifyKey, signature)
  } catch {
    return false
  }
}

/** A node's own key in the forms sealing needs. */
export interface SigningKey extends OwnerKey {
  readonly signKey: KeyObject
}

const signers = new WeakMap<PrivateKey, SigningKey>()

/**
 * The forms of a libp2p Ed25519 private key (`raw` is the 32-byte seed followed by the public key).
 * @throws Error for a key of another type: callers accept only Ed25519 keys (`requireEd25519`).
 */
export function signingKeyOf (privateKey: PrivateKey): SigningKey {
  let signer = signers.get(privateKey)
  if (signer === undefined) {
    if (privateKey.type !== 'Ed25519') throw new Error(`Only Ed25519 keys sign records, not ${privateKey.type}`)
    const owner = ownerKeyOf(privateKey.publicKey.raw)
    if (owner === undefined) throw new Error('The private key\'s public half is not an Ed25519 key')
    const signKey = createPrivateKey({ key: Buffer.concat([PKCS8_HEADER, privateKey.raw.subarray(0, KEY_BYTES)]), format: 'der', type: 'pkcs8' })
    signer = { ...owner, signKey }
    signers.set(privateKey, signer)
  }
  return signer
}

/** Signs `data` with a node's own key. */
export function signWith (key: SigningKey, data: Uint8Array): Uint8Array {
  return sign(null, data, key.signKey)
}

/**
 * The key protobuf a peer id embeds (an identity multihash, as Ed25519 and secp256k1 ids are), or undefined for
 * a string that is not base58btc or an id that only hashes its key (RSA).
 */
export function keyProtobufOfPeerId (peerId: string): Uint8Array | undefined {
  const bytes = peerIdBytes(peerId)
  if (bytes === undefined || bytes.length < 2 || bytes[0] !== 0x00 || bytes[1] !== bytes.length - 2) return undefined
  return bytes.subarray(2)
}

/** The peer id string of multihash bytes: base58btc without the multibase prefix. */
export function peerIdText (bytes: Uint8Array): string {
  return base58btc.encode(bytes).slice(1)
}

/** The multihash bytes of a peer id string, or undefined if it is not base58btc. */
export function peerIdBytes (peerId: string): Uint8Array | undefined {
  try {
    return base58btc.decode(`z${peerId}`)
  } catch {
    return undefined
  }
}

/** True if `bytes` are the peer id of an Ed25519 key, in the one encoding every libp2p implementation writes. */
export function isEd25519PeerId (bytes: Uint8Array): boolean {
  return bytes.length === PEER_ID_HEADER.length + KEY_PROTOBUF_HEADER.length + KEY_BYTES &&
    startsWith(bytes, PEER_ID_HEADER) && startsWith(bytes.subarray(PEER_ID_HEADER.length), KEY_PROTOBUF_HEADER)
}

function startsWith (bytes: Uint8Array, prefix: Uint8Array): boolean {
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false
  return true
}

function concat (a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length)
  out.set(a)
  out.set(b, a.length)
  return out
}
