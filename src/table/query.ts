/**
 * Lookup filters: a semver range and required tags. Ranges are parsed once and cached, since the same few
 * ranges are asked for again and again on callers' hot paths. Pure.
 */
// semver's Range alone: the package entry loads all of semver (about 120 files).
import Range from 'semver/classes/range.js'
import type { InstanceRecord } from '../record/types.js'

/** Filters of a table query. */
export interface QueryFilter {
  /** A semver range, e.g. `^2.1`; validate it first with `parseVersionRange`. */
  readonly version?: string
  /** Tags that must all be present. */
  readonly tags?: readonly string[]
}

const MAX_CACHED_RANGES = 1_000
const ranges = new Map<string, Range | null>()

/** The parsed range, or undefined if `range` is not a valid semver range. */
export function parseVersionRange (range: string): Range | undefined {
  let parsed = ranges.get(range)
  if (parsed === undefined) {
    try {
      parsed = new Range(range)
    } catch {
      parsed = null
    }
    if (ranges.size >= MAX_CACHED_RANGES) ranges.clear()
    ranges.set(range, parsed)
  }
  return parsed ?? undefined
}

/** True if the record satisfies the filter. An invalid range matches nothing. */
export function matches (record: InstanceRecord, filter: QueryFilter): boolean {
  if (filter.version !== undefined) {
    const range = parseVersionRange(filter.version)
    if (range === undefined || !range.test(record.version)) return false
  }
  if (filter.tags !== undefined) {
    for (const tag of filter.tags) if (!record.tags.includes(tag)) return false
  }
  return true
}
