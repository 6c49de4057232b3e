/**
 * Peer ids on the wire are multihash bytes; inside the registry they are base58 strings. String to bytes is
 * cached because every beat and digest names members, and members are few.
 */
import { isEd25519PeerId, peerIdBytes, peerIdText } from '../record/ed25519.js'

/** Bound on remembered ids: beyond it the cache starts over, so hostile input cannot grow it without limit. */
const MAX_CACHED = 100_000
const bytesOf = new Map<string, Uint8Array>()

/**
 * Multihash bytes of a peer id string.
 * @throws Error if `peerId` is not base58btc: ids reach here from verified records, never from input.
 */
export function peerIdToBytes (peerId: string): Uint8Array {
  let bytes = bytesOf.get(peerId)
  if (bytes === undefined) {
    bytes = peerIdBytes(peerId)
    if (bytes === undefined) throw new Error(`Not a peer id: ${peerId}`)
    if (bytesOf.size >= MAX_CACHED) bytesOf.clear()
    bytesOf.set(peerId, bytes)
  }
  return bytes
}

/** The peer id string of multihash bytes, or undefined unless they are a well-formed Ed25519 peer id. */
export function peerIdFromBytes (bytes: Uint8Array): string | undefined {
  return isEd25519PeerId(bytes) ? peerIdText(bytes) : undefined
}
