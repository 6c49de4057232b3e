/**
 * The last-writer-wins table: one entry per (owner, id), the winner by `compareEntries`. Merge is commutative,
 * associative and idempotent, so replicas that saw the same entries in any order hold the same table. Keeps
 * per-owner digests and a per-service index up to date incrementally. Pure: no clock, no I/O.
 */
import { compareHlc, ZERO_HLC, type Hlc } from '../clock/hlc.js'
import { MEMBER_RECORD_ID, type InstanceRecord } from '../record/types.js'
import { compareEntries } from './compare.js'
import { entryFingerprint, FINGERPRINT_BYTES, xorInto, type OwnerDigest } from './digest.js'
import type { TableEntry } from './entry.js'
import { MinHeap } from './heap.js'
import { matches, type QueryFilter } from './query.js'

/** The digest of a whole table. */
export interface TableRoot {
  readonly fingerprint: Uint8Array
  readonly count: number
}

/** What a merge did. `previous` is the entry that lost, if there was one. */
export type MergeResult =
  | { readonly outcome: 'applied', readonly previous: TableEntry | undefined }
  | { readonly outcome: 'stale' | 'duplicate', readonly current: TableEntry }

interface OwnerState {
  readonly entries: Map<string, TableEntry>
  readonly fingerprint: Uint8Array
  maxStamp: Hlc
  live: number
  /** The owner's tombstones, oldest first (see `olderTombstone`). */
  tombstones: TableEntry[]
}

/**
 * The order in which an owner's tombstones go when there are too many (see `trimTombstones`): by stamp, then by
 * id, so every replica that holds the same tombstones drops the same ones.
 */
function olderTombstone (a: TableEntry, b: TableEntry): number {
  return compareHlc(a.record.stamp, b.record.stamp) || (a.record.id < b.record.id ? -1 : a.record.id > b.record.id ? 1 : 0)
}

/**
 * Superseded tombstones the reap queue may carry, beyond one per tombstone held, before it is rebuilt: the
 * rebuild costs one pass over the tombstones, so it comes at most once per as many removals.
 */
const REAP_QUEUE_SLACK = 1_024

/** The LWW table of one replica. */
/** One empty result for every unknown service, so callers can cache by array identity. */
const NO_RECORDS: readonly InstanceRecord[] = Object.freeze([])

export class LwwTable {
  private readonly owners_ = new Map<string, OwnerState>()
  /** service -> (owner/id -> live instance record). */
  private readonly byService = new Map<string, Map<string, InstanceRecord>>()
  /** service -> its live records as an array, rebuilt lazily after a change (lookups are the hot path). */
  private readonly serviceArrays = new Map<string, InstanceRecord[]>()
  /**
   * Tombstones by stamp wall time, so `reap` stops at the first one too young (it runs several times a heartbeat).
   * Tombstones removed otherwise stay in it until popped, and are skipped then (see `REAP_QUEUE_SLACK`).
   */
  private readonly reapQueue = new MinHeap<TableEntry>((a, b) => a.record.stamp.wall < b.record.stamp.wall)
  private tombstoneCount = 0
  private count = 0
  private memberChanges = 0
  /** XOR of every entry's fingerprint: equal roots mean equal tables, so a converged round costs one compare. */
  private readonly rootFingerprint = new Uint8Array(FINGERPRINT_BYTES)

  /** Bumped whenever a member record is added or removed: what is derived from member records is valid for one. */
  get memberRevision (): number {
    return this.memberChanges
  }

  /** Number of entries, tombstones and member records included. */
  get size (): number {
    return this.count
  }

  /** Merges an entry; the winner by `compareEntries` stays. */
  merge (entry: TableEntry): MergeResult {
    const { owner, id } = entry.record
    const current = this.owners_.get(owner)?.entries.get(id)
    if (current !== undefined) {
      const order = compareEntries(entry, current)
      if (order === 0) return { outcome: 'duplicate', current }
      if (order < 0) return { outcome: 'stale', current }
      this.remove(current)
    }
    this.add(entry)
    return { outcome: 'applied', previous: current }
  }

  /** The entry of a key. */
  get (owner: string, id: string): TableEntry | undefined {
    return this.owners_.get(owner)?.entries.get(id)
  }

  /**
   * Every entry of an owner: its member record first, then instances and tombstones. Anti-entropy sends them in this
   * order, so a node that learns a member from them learns who it is (name, addresses, a leave) before its
   * instances, whichever was written last here (a member record rewritten after an instance came after it).
   */
  ownerEntries (owner: string): TableEntry[] {
    const entries = this.owners_.get(owner)?.entries
    if (entries === undefined) return []
    const member = entries.get(MEMBER_RECORD_ID)
    const listed = member === undefined ? [] : [member]
    for (const entry of entries.values()) if (entry !== member) listed.push(entry)
    return listed
  }

  /** Owners with at least one entry. */
  owners (): string[] {
    return [...this.owners_.keys()]
  }

  /** Number of live (not deleted) instance records of an owner. */
  liveInstanceCount (owner: string): number {
    return this.owners_.get(owner)?.live ?? 0
  }

  /** Newest stamp among an owner's entries. */
  maxStamp (owner: string): Hlc | undefined {
    return this.owners_.get(owner)?.maxStamp
  }

  /** Removes every entry of an owner (a dead member) and returns them. */
  dropOwner (owner: string): TableEntry[] {
    const dropped = this.ownerEntries(owner)
    // All of them go: emptied at once rather than one splice per tombstone.
    const state = this.owners_.get(owner)
    if (state !== undefined) state.tombstones = []
    for (const entry of dropped) this.remove(entry)
    return dropped
  }

  /** Removes tombstones stamped `ttlMs` or more before `nowMs`, and returns them. */
  reap (nowMs: number, ttlMs: number): TableEntry[] {
    const reaped: TableEntry[] = []
    for (let oldest = this.reapQueue.peek(); oldest !== undefined && oldest.record.stamp.wall + ttlMs <= nowMs; oldest = this.reapQueue.peek()) {
      this.reapQueue.pop()
      if (this.holds(oldest)) {
        this.remove(oldest)
        reaped.push(oldest)
      }
    }
    return reaped
  }

  /** Removes an owner's oldest tombstones (by stamp, then id) beyond the newest `max`, and returns them. */
  trimTombstones (owner: string, max: number): TableEntry[] {
    const tombstones = this.owners_.get(owner)?.tombstones
    if (tombstones === undefined || tombstones.length <= max) return []
    const trimmed = tombstones.slice(0, tombstones.length - max)
    for (const entry of trimmed) this.remove(entry)
    return trimmed
  }

  /** The digest of the whole table: the XOR of every entry's fingerprint, and the number of entries. */
  root (): TableRoot {
    return { fingerprint: Uint8Array.from(this.rootFingerprint), count: this.count }
  }

  /** Digests of every owner, or of the given owners only (owners not held are left out). */
  digest (owners?: Iterable<string>): OwnerDigest[] {
    const digests: OwnerDigest[] = []
    for (const owner of owners ?? this.owners_.keys()) {
      const state = this.owners_.get(owner)
      if (state !== undefined) {
        digests.push({ owner, fingerprint: Uint8Array.from(state.fingerprint), count: state.entries.size, maxStamp: state.maxStamp })
      }
    }
    return digests
  }

  /** Live instance records of a service matching the filter. The array is shared: callers must not change it. */
  instances (service: string, filter: QueryFilter = {}): readonly InstanceRecord[] {
    let all = this.serviceArrays.get(service)
    if (all === undefined) {
      const records = this.byService.get(service)
      if (records === undefined) return NO_RECORDS
      // (owner, id) order: stable across updates, so round-robin cycles stay fair while records change.
      all = [...records.values()].sort((a, b) => a.owner < b.owner ? -1 : a.owner > b.owner ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
      this.serviceArrays.set(service, all)
    }
    if (filter.version === undefined && (filter.tags === undefined || filter.tags.length === 0)) return all
    return all.filter((record) => matches(record, filter))
  }

  /** Services with at least one live instance, sorted. */
  services (): string[] {
    return [...this.byService.keys()].sort()
  }

  /** Every live instance record. */
  allInstances (): InstanceRecord[] {
    return [...this.byService.values()].flatMap((records) => [...records.values()])
  }

  private add (entry: TableEntry): void {
    const { record } = entry
    let state = this.owners_.get(record.owner)
    if (state === undefined) {
      state = { entries: new Map(), fingerprint: new Uint8Array(FINGERPRINT_BYTES), maxStamp: ZERO_HLC, live: 0, tombstones: [] }
      this.owners_.set(record.owner, state)
    }
    state.entries.set(record.id, entry)
    const fingerprint = entryFingerprint(entry.envelope)
    xorInto(state.fingerprint, fingerprint)
    xorInto(this.rootFingerprint, fingerprint)
    if (compareHlc(record.stamp, state.maxStamp) > 0) state.maxStamp = record.stamp
    this.count++
    if (record.kind === 'member') this.memberChanges++
    if (record.deleted) {
      // Tombstones mostly come newest last, so the splice mostly appends.
      state.tombstones.splice(insertionPoint(state.tombstones, entry), 0, entry)
      this.tombstoneCount++
      this.reapQueue.push(entry)
    }
    if (record.kind === 'instance' && !record.deleted) {
      state.live++
      let records = this.byService.get(record.service)
      if (records === undefined) {
        records = new Map()
        this.byService.set(record.service, records)
      }
      records.set(`${record.owner}/${record.id}`, record)
      this.serviceArrays.delete(record.service)
    }
  }

  private remove (entry: TableEntry): void {
    const { record } = entry
    const state = this.owners_.get(record.owner)
    if (state === undefined || state.entries.get(record.id) !== entry) return
    state.entries.delete(record.id)
    this.count--
    if (record.kind === 'member') this.memberChanges++
    if (record.deleted) this.forgetTombstone(state, entry)
    const fingerprint = entryFingerprint(entry.envelope)
    xorInto(this.rootFingerprint, fingerprint)
    if (state.entries.size === 0) {
      this.owners_.delete(record.owner)
    } else {
      xorInto(state.fingerprint, fingerprint)
      if (compareHlc(record.stamp, state.maxStamp) === 0) {
        state.maxStamp = ZERO_HLC
        for (const other of state.entries.values()) {
          if (compareHlc(other.record.stamp, state.maxStamp) > 0) state.maxStamp = other.record.stamp
        }
      }
    }
    if (record.kind === 'instance' && !record.deleted) {
      state.live--
      const records = this.byService.get(record.service)
      records?.delete(`${record.owner}/${record.id}`)
      if (records?.size === 0) this.byService.delete(record.service)
      this.serviceArrays.delete(record.service)
    }
  }

  /** True if `entry` is the entry this table holds for its key. */
  private holds (entry: TableEntry): boolean {
    return this.owners_.get(entry.record.owner)?.entries.get(entry.record.id) === entry
  }

  private forgetTombstone (state: OwnerState, entry: TableEntry): void {
    const at = insertionPoint(state.tombstones, entry) - 1
    if (state.tombstones[at] === entry) state.tombstones.splice(at, 1)
    this.tombstoneCount--
    if (this.reapQueue.size > 2 * this.tombstoneCount + REAP_QUEUE_SLACK) {
      this.reapQueue.rebuild([...this.owners_.values()].flatMap((owner) => owner.tombstones))
    }
  }
}

/** Where `entry` goes in `tombstones` (oldest first): after every tombstone not younger than it. */
function insertionPoint (tombstones: readonly TableEntry[], entry: TableEntry): number {
  let low = 0
  let high = tombstones.length
  while (low < high) {
    const mid = (low + high) >> 1
    if (olderTombstone(tombstones[mid]!, entry) <= 0) low = mid + 1
    else high = mid
  }
  return low
}
