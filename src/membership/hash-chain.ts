/**
 * Hash chains that authenticate heartbeats without a signature per beat (Lamport's one-time password chain,
 * as in S/KEY). The owner signs only the anchor v0 = H^L(seed); beat s reveals v_s = H^(L-s)(seed), and
 * anyone holding an earlier verified value checks it by hashing forward. Relays can pass beats on but cannot
 * forge a later one, since that needs a preimage. Pure.
 */
import { sha256 } from '@noble/hashes/sha2'

/**
 * Bytes of each chain value. 16 bytes (SHA-256 truncated) keep 128-bit preimage resistance per step, far
 * beyond what forging a heartbeat is worth, at half the wire cost of a full digest.
 */
export const CHAIN_VALUE_BYTES = 16

/** One step of the chain: SHA-256 truncated to 16 bytes. */
export function chainStep (value: Uint8Array): Uint8Array {
  return sha256(value).subarray(0, CHAIN_VALUE_BYTES)
}

/**
 * The owner's side of a chain: every value precomputed, in one buffer of length x 16 bytes (64 KiB for 4 096
 * beats). One array of values would cost about 200 bytes a value in object headers and separate buffers: 0.8 MB
 * a node, most of what one more node in a process cost.
 */
export class HashChain {
  /** v0, the value a member signs in its member record. */
  readonly anchor: Uint8Array
  /** Number of beats the chain can prove. */
  readonly length: number
  /** v_i at bytes [i x 16, (i + 1) x 16). */
  private readonly values: Uint8Array

  private constructor (values: Uint8Array, length: number) {
    this.values = values
    this.length = length
    this.anchor = values.slice(0, CHAIN_VALUE_BYTES)
  }

  /** Builds a chain of `length` beats from a random seed (at least 16 bytes). */
  static create (seed: Uint8Array, length: number): HashChain {
    if (!Number.isInteger(length) || length < 1) throw new RangeError(`chain length must be a positive integer, got ${length}`)
    if (seed.length < CHAIN_VALUE_BYTES) throw new RangeError(`chain seed must have at least ${CHAIN_VALUE_BYTES} bytes`)
    // v_i = H^(L-i)(seed): built from the seed end (v_L) back to the anchor (v_0).
    const values = new Uint8Array((length + 1) * CHAIN_VALUE_BYTES)
    let value = chainStep(seed)
    values.set(value, length * CHAIN_VALUE_BYTES)
    for (let i = length - 1; i >= 0; i--) {
      value = chainStep(value)
      values.set(value, i * CHAIN_VALUE_BYTES)
    }
    return new HashChain(values, length)
  }

  /** The proof of beat `seq`, 1..length: a view of the chain's buffer, not to be written to. */
  reveal (seq: number): Uint8Array {
    if (!Number.isInteger(seq) || seq < 1 || seq > this.length) throw new RangeError(`beat ${seq} is outside the chain (1..${this.length})`)
    return this.values.subarray(seq * CHAIN_VALUE_BYTES, (seq + 1) * CHAIN_VALUE_BYTES)
  }
}

/**
 * True iff `value` is the chain value of beat `seq`, given an earlier verified value: seq is after known.seq,
 * at most `maxSteps` after it (which bounds the hashing one beat can cost), and hashing `value`
 * (seq - known.seq) times gives `known.value`.
 */
export function verifyReveal (known: { readonly seq: number, readonly value: Uint8Array }, seq: number, value: Uint8Array, maxSteps: number): boolean {
  if (!Number.isInteger(seq) || seq <= known.seq || seq - known.seq > maxSteps) return false
  if (value.length !== CHAIN_VALUE_BYTES) return false
  let current = value
  for (let i = known.seq; i < seq; i++) current = chainStep(current)
  return equalBytes(current, known.value)
}

function equalBytes (a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}
