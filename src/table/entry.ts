/**
 * What the table stores per key: the decoded record and the exact signed bytes it came in, so the entry can
 * be relayed (anti-entropy) without re-signing and compared byte for byte on ties.
 */
import type { SignedRecord } from '../record/types.js'

/** A verified record and its signed envelope. */
export interface TableEntry {
  readonly record: SignedRecord
  readonly envelope: Uint8Array
}
