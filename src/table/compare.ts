/**
 * The one last-writer-wins order. Every node must pick the same winner for the same two entries, whatever the
 * order it sees them in, so the order is total and depends only on the entries. Pure.
 */
import { compareHlc } from '../clock/hlc.js'
import type { TableEntry } from './entry.js'

/**
 * Orders two entries of the same key: positive if `a` wins. Higher stamp wins; on equal stamps a tombstone
 * beats a live record (a delete is never undone by a concurrent write with the same stamp); then the bytewise
 * larger envelope wins. 0 only for identical envelopes.
 */
export function compareEntries (a: TableEntry, b: TableEntry): number {
  const byStamp = compareHlc(a.record.stamp, b.record.stamp)
  if (byStamp !== 0) return byStamp
  if (a.record.deleted !== b.record.deleted) return a.record.deleted ? 1 : -1
  return compareBytes(a.envelope, b.envelope)
}

/** Lexicographic order of two byte arrays. */
export function compareBytes (a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1
}
