/**
 * Peer ids on the wire are multihash bytes; inside the registry they are base58 strings. Conversions are
 * cached because every beat names its owner, and the check that bytes are a well-formed Ed25519 peer id is
 * the expensive part.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { base58btc } from 'multiformats/bases/base58'

/** Bound on remembered ids: beyond it the cache starts over, so hostile input cannot grow it without limit. */
const MAX_CACHED = 100_000
const valid = new Set<string>()
const bytesOf = new Map<string, Uint8Array>()

/** Multihash bytes of a peer id string. */
export function peerIdToBytes (peerId: string): Uint8Array {
  let bytes = bytesOf.get(peerId)
  if (bytes === undefined) {
    bytes = peerIdFromString(peerId).toMultihash().bytes
    if (bytesOf.size >= MAX_CACHED) bytesOf.clear()
    bytesOf.set(peerId, bytes)
  }
  return bytes
}

/** The peer id string of multihash bytes, or undefined unless they are a well-formed Ed25519 peer id. */
export function peerIdFromBytes (bytes: Uint8Array): string | undefined {
  if (bytes.length === 0 || bytes.length > 64) return undefined
  const id = base58btc.encode(bytes).slice(1)
  if (valid.has(id)) return id
  try {
    if (peerIdFromString(id).type !== 'Ed25519') return undefined
  } catch {
    return undefined
  }
  if (valid.size >= MAX_CACHED) valid.clear()
  valid.add(id)
  return id
}
