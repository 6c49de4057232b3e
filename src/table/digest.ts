/**
 * Per-owner digests for anti-entropy: a fingerprint of the owner's set of signed entries, the entry count
 * and the newest stamp. Fingerprints combine by XOR, so adding or removing an entry updates them in O(1). XOR
 * of truncated hashes is no security boundary, and needs none: a mismatch only triggers an exchange of
 * summaries, and every record is still verified on receipt. Pure.
 */
import { sha256 } from '@noble/hashes/sha2'
import type { Hlc } from '../clock/hlc.js'

/** Bytes of a fingerprint: 64 bits make an accidental collision between two different sets negligible. */
export const FINGERPRINT_BYTES = 8

/** What one node says it holds of one owner. */
export interface OwnerDigest {
  readonly owner: string
  readonly fingerprint: Uint8Array
  readonly count: number
  readonly maxStamp: Hlc
}

/**
 * The fingerprint of one entry: SHA-256 of its signed envelope, truncated. Hashing the whole envelope (not just
 * key and stamp) makes two different envelopes with the same stamp, which only an owner reusing a stamp can
 * produce, show up as a difference that anti-entropy then settles.
 */
export function entryFingerprint (envelope: Uint8Array): Uint8Array {
  return sha256(envelope).subarray(0, FINGERPRINT_BYTES)
}

/** XORs `b` into `a` in place. */
export function xorInto (a: Uint8Array, b: Uint8Array): void {
  for (let i = 0; i < a.length; i++) a[i]! ^= b[i]!
}

/** Owners whose digests differ: present on one side only, or with another fingerprint or count. */
export function diffDigests (local: readonly OwnerDigest[], remote: readonly OwnerDigest[]): string[] {
  const mine = new Map(local.map((d) => [d.owner, d]))
  const differing = new Set<string>()
  for (const theirs of remote) {
    const ours = mine.get(theirs.owner)
    if (ours === undefined || !sameDigest(ours, theirs)) differing.add(theirs.owner)
    mine.delete(theirs.owner)
  }
  for (const owner of mine.keys()) differing.add(owner)
  return [...differing]
}

/** True if two digests of the same owner describe the same set. */
export function sameDigest (a: OwnerDigest, b: OwnerDigest): boolean {
  if (a.count !== b.count || a.fingerprint.length !== b.fingerprint.length) return false
  for (let i = 0; i < a.fingerprint.length; i++) if (a.fingerprint[i] !== b.fingerprint[i]) return false
  return true
}
