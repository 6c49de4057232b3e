/**
 * The watch stream's replay log: the agent's latest changes as Server-Sent Events frames, each under an id
 * `<epoch>-<seq>`, so a client that reconnects is sent what it missed. Bounded by count and bytes; no timers, no
 * I/O. Which changes go in, and who reads them, is the route's business (routes/watch.ts).
 */

/**
 * Most events held. Without it small events (member changes, instances with no metadata) would fill the byte bound
 * with tens of thousands of entries; 10 000 is minutes of steady churn in a cluster of 1 000 instances, or a
 * restart of all of them (each down and up), so a client away for a few seconds resumes.
 */
export const MAX_LOG_EVENTS = 10_000

/**
 * Most bytes held (frames plus `ENTRY_OVERHEAD_BYTES` each), so the log's memory stays near 4 MiB whatever the
 * records weigh. A typical `up` event counts ~0.65 KB and a `changed` one (it carries the previous instance too)
 * ~1 KB, so this bound is usually reached before the count: 4 000 to 6 500 typical events, or ~480 `changed`
 * events of records at the 4 KiB limit. It matches the 4 MiB a slow client may fall behind before it is cut off
 * (`MAX_BUFFERED_BYTES`), so such a client can usually resume instead of re-reading everything.
 */
export const MAX_LOG_BYTES = 4 * 1024 * 1024

/**
 * What an entry costs beside its frame's bytes: the entry object, its id string, its array slot. Measured on
 * Node 22 at ~235 B (heap held by 4 900 typical entries, less their frames); rounded up.
 */
export const ENTRY_OVERHEAD_BYTES = 256

/**
 * The shape of an event id: an epoch (letters and digits) and a sequence number. An id of this shape that this
 * log cannot resume from (another epoch, too old, ahead of the log) gets a `reset`; anything else is refused as
 * malformed, so a client bug shows up as a 400 instead of an endless reset.
 */
export const EVENT_ID_PATTERN = /^[0-9A-Za-z]{1,32}-[0-9]{1,20}$/

/** One logged event. `service` is the instance's service (filters match it); member events have none. */
export interface LogEntry {
  readonly seq: number
  readonly id: string
  readonly event: string
  readonly service: string | undefined
  /** The whole SSE frame, `id:`, `event:` and `data:` lines and the blank line. */
  readonly frame: string
  readonly bytes: number
}

/** Why a client must re-read the state instead of resuming. */
export type ResetReason = 'unknown-epoch' | 'too-old' | 'unknown-id'

/** What a client that gives an id gets: the entries after it, or a reset with the reason. */
export type Resume =
  | { readonly kind: 'replay', readonly entries: readonly LogEntry[] }
  | { readonly kind: 'reset', readonly reason: ResetReason, readonly message: string }

/** Bounds of a log; the defaults are `MAX_LOG_EVENTS` and `MAX_LOG_BYTES`. */
export interface EventLogLimits {
  readonly maxEvents: number
  readonly maxBytes: number
}

/** The bounded log; `epoch` tells this log's ids from those of an earlier run of the agent. */
export class EventLog {
  readonly epoch: string
  private readonly limits: EventLogLimits
  /** Entries from `start` on are held; the slots before it are emptied at once and compacted away in batches. */
  private entries: Array<LogEntry | undefined> = []
  private start = 0
  private nextSeq = 1
  private heldBytes = 0
  private readonly listeners = new Set<(entry: LogEntry) => void>()

  constructor (epoch: string, limits: EventLogLimits = { maxEvents: MAX_LOG_EVENTS, maxBytes: MAX_LOG_BYTES }) {
    if (!/^[0-9A-Za-z]{1,32}$/.test(epoch)) throw new TypeError(`Expected \`epoch\` to be 1 to 32 letters or digits, got ${JSON.stringify(epoch)}`)
    this.epoch = epoch
    this.limits = limits
  }

  /** The id of the newest event, `<epoch>-0` before the first: resuming from it sends what comes next. */
  get headId (): string {
    return `${this.epoch}-${this.nextSeq - 1}`
  }

  /** The sequence number of the newest event (0 before the first). */
  get headSeq (): number {
    return this.nextSeq - 1
  }

  /** Events held now. */
  get size (): number {
    return this.entries.length - this.start
  }

  /** Bytes held now, as counted against `maxBytes`. */
  get bytes (): number {
    return this.heldBytes
  }

  /** Subscribers now (open streams). */
  get subscriberCount (): number {
    return this.listeners.size
  }

  /** Logs an event, evicts the oldest past the bounds, and hands the entry to every subscriber. */
  append (event: string, data: unknown, service?: string): LogEntry {
    const seq = this.nextSeq++
    const id = `${this.epoch}-${seq}`
    const frame = `id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`
    const entry: LogEntry = { seq, id, event, service, frame, bytes: Buffer.byteLength(frame) + ENTRY_OVERHEAD_BYTES }
    this.entries.push(entry)
    this.heldBytes += entry.bytes
    this.evict()
    for (const listener of this.listeners) listener(entry)
    return entry
  }

  /** The entries after `id` (every one, unfiltered), or why the client must re-read the state. */
  after (id: string): Resume {
    const dash = id.lastIndexOf('-')
    const epoch = id.slice(0, dash)
    const seq = Number(id.slice(dash + 1))
    if (dash < 0 || epoch !== this.epoch) {
      return { kind: 'reset', reason: 'unknown-epoch', message: `event id \`${id}\` is from another run of this agent (it restarted) or another agent; this run's ids start with \`${this.epoch}-\`` }
    }
    if (!Number.isSafeInteger(seq) || seq > this.headSeq) {
      return { kind: 'reset', reason: 'unknown-id', message: `event id \`${id}\` is ahead of the newest event here, \`${this.headId}\`` }
    }
    const firstSeq = this.size === 0 ? this.nextSeq : this.entries[this.start]!.seq
    if (seq < firstSeq - 1) {
      return { kind: 'reset', reason: 'too-old', message: `the events after \`${id}\` are no longer held: the log keeps the last ${this.limits.maxEvents} events or ${this.limits.maxBytes} bytes, from \`${this.epoch}-${firstSeq}\`` }
    }
    // Sequence numbers are consecutive, so the entry after `seq` is at a known offset.
    return { kind: 'replay', entries: this.entries.slice(this.start + seq + 1 - firstSeq) as LogEntry[] }
  }

  /** Calls `listener` with every entry appended from now on, until the returned function is called. */
  subscribe (listener: (entry: LogEntry) => void): () => void {
    this.listeners.add(listener)
    return () => { this.listeners.delete(listener) }
  }

  private evict (): void {
    while (this.size > 0 && (this.size > this.limits.maxEvents || this.heldBytes > this.limits.maxBytes)) {
      this.heldBytes -= this.entries[this.start]!.bytes
      // Emptied now, so an evicted frame is freed now, not at the next compaction.
      this.entries[this.start++] = undefined
    }
    // Dropping the evicted slots in batches keeps eviction O(1) amortised instead of a shift per event.
    if (this.start >= 1_024 && this.start * 2 >= this.entries.length) {
      this.entries = this.entries.slice(this.start)
      this.start = 0
    }
  }
}
