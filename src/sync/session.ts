/**
 * The push-pull anti-entropy exchange as pure functions (sans-I/O, like automerge's sync): each step reads the
 * local table and produces the next message; the caller moves the messages and merges the records.
 *
 *   initiator: openSync      -> digest  (a full round: the root only, the whole table's fingerprint and count)
 *   responder: answerDigest  -> summary (empty when the roots agree; else `needDigest`, and the initiator
 *                                        sends the per-owner digest: fingerprint, count, newest stamp)
 *   responder: answerDigest  -> summary (per differing owner: id, stamp, deleted of each entry)
 *   initiator: answerSummary -> give (entries the responder lacks or has older) + want (ids it lacks or has older)
 *   responder: answerWant    -> the wanted entries
 *
 * Work is proportional to the entries of the owners that differ, not to the table; a round between converged
 * tables costs two small frames whatever the cluster size.
 */
import { compareHlc, type Hlc } from '../clock/hlc.js'
import { entryFingerprint, sameDigest, type OwnerDigest } from '../table/digest.js'
import type { TableEntry } from '../table/entry.js'
import type { LwwTable, TableRoot } from '../table/table.js'

/**
 * Step 1: what the initiator holds. `partial` limits the exchange to the listed owners. With `root`, a full round
 * opens with the whole table's digest only (no owners); the per-owner digest follows if the roots differ.
 */
export interface DigestMessage {
  readonly type: 'digest'
  readonly partial: boolean
  readonly owners: readonly OwnerDigest[]
  readonly root?: TableRoot
}

/** One entry as a summary lists it. */
export interface EntrySummary {
  readonly id: string
  readonly stamp: Hlc
  readonly deleted: boolean
  /** Fingerprint of the envelope, to tell apart two envelopes with the same stamp. */
  readonly hash: Uint8Array
}

/** Step 2: the responder's entries of every owner that differs, or (after a root) whether it needs the digest. */
export interface SummaryMessage {
  readonly type: 'summary'
  readonly owners: ReadonlyArray<{ readonly owner: string, readonly entries: readonly EntrySummary[] }>
  /** The roots differ: send the per-owner digest (`openFullSync`) and read the summary again. */
  readonly needDigest?: boolean
}

/** Step 3 (with `give`): the ids the initiator wants from the responder. */
export interface WantMessage {
  readonly type: 'want'
  readonly owners: ReadonlyArray<{ readonly owner: string, readonly ids: readonly string[] }>
}

/** Opens an exchange: the root of the table (a full round), or the digests of `owners` only (a targeted pull). */
export function openSync (table: LwwTable, owners?: Iterable<string>): DigestMessage {
  if (owners === undefined) return { type: 'digest', partial: false, owners: [], root: table.root() }
  const listed = [...owners]
  const held = table.digest(listed)
  const heldOwners = new Set(held.map((d) => d.owner))
  // An owner we hold nothing of is listed with an empty digest, so the responder sends all of it.
  const missing = listed.filter((owner) => !heldOwners.has(owner)).map((owner) => ({ owner, fingerprint: new Uint8Array(8), count: 0, maxStamp: { wall: 0, logical: 0 } }))
  return { type: 'digest', partial: true, owners: [...held, ...missing] }
}

/** The digest of every owner: the second step of a full round whose roots differ. */
export function openFullSync (table: LwwTable): DigestMessage {
  return { type: 'digest', partial: false, owners: table.digest() }
}

/** Answers a digest with summaries of every owner that differs (or, to a root, whether the tables differ). */
export function answerDigest (table: LwwTable, message: DigestMessage): SummaryMessage {
  if (message.root !== undefined) {
    const mine = table.root()
    const same = mine.count === message.root.count && sameBytes(mine.fingerprint, message.root.fingerprint)
    return same ? { type: 'summary', owners: [] } : { type: 'summary', owners: [], needDigest: true }
  }
  const theirs = new Map(message.owners.map((d) => [d.owner, d]))
  const ours = new Map(table.digest(message.partial ? theirs.keys() : undefined).map((d) => [d.owner, d]))
  const differing: string[] = []
  for (const [owner, digest] of theirs) {
    const mine = ours.get(owner)
    if (mine === undefined || !sameDigest(mine, digest)) differing.push(owner)
  }
  for (const owner of ours.keys()) if (!theirs.has(owner)) differing.push(owner)
  return {
    type: 'summary',
    owners: differing.map((owner) => ({
      owner,
      entries: table.ownerEntries(owner).map(({ record, envelope }) => ({ id: record.id, stamp: record.stamp, deleted: record.deleted, hash: entryFingerprint(envelope) }))
    }))
  }
}

/**
 * Compares the responder's summaries with the local table: what to give (ours is newer or theirs is missing)
 * and what to want (theirs is newer or ours is missing). Equal stamps with a different deletion follow the
 * table's order (the tombstone wins); equal stamps with different envelopes (an owner reusing a stamp) are
 * exchanged both ways and settled by `compareEntries` on each side.
 */
export function answerSummary (table: LwwTable, message: SummaryMessage, options: { deathMark?: (owner: string) => Hlc | undefined, disputed?: (owner: string) => void } = {}): { give: TableEntry[], want: WantMessage } {
  const give: TableEntry[] = []
  const want: Array<{ owner: string, ids: string[] }> = []
  for (const { owner, entries } of message.owners) {
    const local = new Map(table.ownerEntries(owner).map((entry) => [entry.record.id, entry]))
    const ids: string[] = []
    // Of an owner dead here, only what is newer than its death: that brings it back (a refutation, or a write
    // whose gossip was lost); the rest would be refused.
    const mark = options.deathMark?.(owner)
    if (mark !== undefined && entries.length > 0) options.disputed?.(owner)
    for (const theirs of entries) {
      if (mark !== undefined && compareHlc(theirs.stamp, mark) <= 0) continue
      const mine = local.get(theirs.id)
      local.delete(theirs.id)
      const order = mine === undefined ? -1 : compareSummary(mine, theirs)
      if (order > 0 && mine !== undefined) give.push(mine)
      else if (order < 0) ids.push(theirs.id)
      else if (mine !== undefined && !sameBytes(entryFingerprint(mine.envelope), theirs.hash)) {
        // Same stamp, different envelopes: only the bytes decide, so both sides get both and merge.
        give.push(mine)
        ids.push(theirs.id)
      }
    }
    give.push(...local.values())
    if (ids.length > 0) want.push({ owner, ids })
  }
  return { give, want: { type: 'want', owners: want } }
}

/** The entries asked for (those still held). */
export function answerWant (table: LwwTable, message: WantMessage): TableEntry[] {
  const found: TableEntry[] = []
  for (const { owner, ids } of message.owners) {
    for (const id of ids) {
      const entry = table.get(owner, id)
      if (entry !== undefined) found.push(entry)
    }
  }
  return found
}

function compareSummary (mine: TableEntry, theirs: EntrySummary): number {
  const byStamp = compareHlc(mine.record.stamp, theirs.stamp)
  if (byStamp !== 0) return byStamp
  if (mine.record.deleted !== theirs.deleted) return mine.record.deleted ? 1 : -1
  return 0
}

function sameBytes (a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i])
}
