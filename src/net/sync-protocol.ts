/**
 * The anti-entropy exchange over a libp2p stream: the pure session (src/sync/session.ts) decides what to say,
 * this module frames it and moves it. Every record received is handed to `ingest`, which verifies it exactly
 * like a gossiped one.
 *
 *   initiator                      responder
 *   DIGEST (root)    ------------>
 *                    <------------  SUMMARY (empty if the roots agree, else need_digest)
 *  [DIGEST (owners)  ------------>
 *                    <------------  SUMMARY]
 *   WANT, RECORDS*, DONE -------->
 *                    <------------  RECORDS*, DONE
 *
 * A push (used when leaving) is just `RECORDS*, DONE` from the initiator. A DIGEST, SUMMARY or WANT too large for
 * one frame goes as several frames of its type, each but the last marked `more`; the reader joins them, up to
 * MAX_SYNC_ELEMENTS in one exchange.
 */
import { lpStream, type LengthPrefixedStream } from 'it-length-prefixed-stream'
import type { Stream } from '@libp2p/interface'
import { answerDigest, answerSummary, answerWant, openFullSync, openSync, type SummaryMessage } from '../sync/session.js'
import type { TableEntry } from '../table/entry.js'
import type { SyncPeer } from '../engine/transport.js'
import type { RejectReason } from '../reject-reason.js'
import { MAX_SYNC_ELEMENTS, MAX_SYNC_FRAME_BYTES } from './protocols.js'
import { decodeSyncFrame, encodeSyncMessage, joinSyncParts, type SyncFrameContent, type SyncMessage } from './frames.js'

export type { SyncPeer }

/** Invalid records one exchange may carry before it is abandoned: an honest peer sends none. */
const MAX_INVALID_PER_EXCHANGE = 16

/** Counts of one exchange, for logs and metrics. */
export interface SyncStats {
  sent: number
  received: number
  /** Bytes and frames this side wrote, counted where they are written. */
  bytesOut: number
  framesOut: number
}

function newStats (): SyncStats {
  return { sent: 0, received: 0, bytesOut: 0, framesOut: 0 }
}

/** Thrown when the other side breaks the protocol; the stream is aborted and the peer struck for `reason`. */
export class SyncProtocolError extends Error {
  constructor (message: string, readonly reason: RejectReason = 'malformed') {
    super(message)
    this.name = 'SyncProtocolError'
  }
}

/** Thrown when the other side is over its budget or banned: the exchange ends there, without blame. */
export class SyncStopped extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'SyncStopped'
  }
}

/** Runs the initiator side; `owners` limits the exchange to those owners (a targeted pull). */
export async function initiateSync (stream: Stream, peer: SyncPeer, from: string, signal: AbortSignal, owners?: Iterable<string>): Promise<SyncStats> {
  const lp = lpStream(stream, { maxDataLength: MAX_SYNC_FRAME_BYTES })
  const stats = newStats()
  const intake = newIntake()
  await write(lp, openSync(peer.table, owners), signal, stats)
  let summary = await readSummary(lp, signal, intake)
  if (summary.needDigest === true) {
    // The roots differ: the per-owner digest, then the summary of what differs.
    await write(lp, openFullSync(peer.table), signal, stats)
    summary = await readSummary(lp, signal, intake)
  }
  const { give, want } = answerSummary(peer.table, summary, { deathMark: peer.deathMark, disputed: peer.disputed })
  await write(lp, want, signal, stats)
  stats.sent = await writeRecords(lp, give, signal, stats)
  stats.received = await readRecords(lp, peer, from, signal)
  await stream.close({ signal })
  return stats
}

/** Sends records without asking for anything back (a graceful leave's last words). */
export async function pushRecords (stream: Stream, envelopes: readonly Uint8Array[], signal: AbortSignal): Promise<void> {
  const lp = lpStream(stream, { maxDataLength: MAX_SYNC_FRAME_BYTES })
  await writeRecords(lp, envelopes.map((envelope) => ({ envelope })), signal, newStats())
  await stream.close({ signal })
}

/** Records ingested between two turns of the event loop (about 5 ms of signature checks). */
const RECORDS_PER_TURN = 32

/** Runs the responder side of one inbound stream. */
export async function respondSync (stream: Stream, peer: SyncPeer, from: string, signal: AbortSignal): Promise<SyncStats> {
  const lp = lpStream(stream, { maxDataLength: MAX_SYNC_FRAME_BYTES })
  const stats = newStats()
  const intake = newIntake()
  const first = await readMessage(lp, signal, intake)
  if (first.type === 'records' || first.type === 'done') {
    stats.received = await readRecords(lp, peer, from, signal, first)
    await stream.close({ signal })
    return stats
  }
  if (first.type !== 'digest') throw new SyncProtocolError(`expected a digest, got ${first.type}`)
  const answer = answerDigest(peer.table, first)
  await write(lp, answer, signal, stats)
  if (answer.needDigest === true) {
    const digest = await readMessage(lp, signal, intake)
    if (digest.type !== 'digest' || digest.root !== undefined) throw new SyncProtocolError(`expected the per-owner digest, got ${digest.type}`)
    await write(lp, answerDigest(peer.table, digest), signal, stats)
  }
  const want = await readMessage(lp, signal, intake)
  if (want.type !== 'want') throw new SyncProtocolError(`expected a want, got ${want.type}`)
  stats.received = await readRecords(lp, peer, from, signal)
  stats.sent = await writeRecords(lp, answerWant(peer.table, want), signal, stats)
  await stream.close({ signal })
  return stats
}

async function write (lp: LengthPrefixedStream<Stream>, message: SyncMessage, signal: AbortSignal, stats: SyncStats): Promise<void> {
  for (const frame of encodeSyncMessage(message)) {
    await lp.write(frame, { signal })
    stats.framesOut++
    stats.bytesOut += frame.length
  }
}

/** Owners, entries and ids read so far in one exchange, against MAX_SYNC_ELEMENTS. */
interface Intake {
  elements: number
}

function newIntake (): Intake {
  return { elements: 0 }
}

async function readSummary (lp: LengthPrefixedStream<Stream>, signal: AbortSignal, intake: Intake): Promise<SummaryMessage> {
  const summary = await readMessage(lp, signal, intake)
  if (summary.type !== 'summary') throw new SyncProtocolError(`expected a summary, got ${summary.type}`)
  return summary
}

/** Reads one message, joining the frames it was split into; counts what it lists against the exchange's bound. */
async function readMessage (lp: LengthPrefixedStream<Stream>, signal: AbortSignal, intake: Intake): Promise<SyncMessage> {
  const parts: [SyncFrameContent, ...SyncFrameContent[]] = [await read(lp, signal)]
  for (;;) {
    const part = parts.at(-1)!
    // Counted as each frame arrives, so a peer that never ends a message is cut off one frame past the bound.
    intake.elements += elementsOf(part)
    if (intake.elements > MAX_SYNC_ELEMENTS) {
      throw new SyncProtocolError(`more than ${MAX_SYNC_ELEMENTS} owners, entries and ids in one exchange`, 'oversized')
    }
    if (part.more !== true) return joinSyncParts(parts)
    const next = await read(lp, signal)
    if (next.type !== part.type) throw new SyncProtocolError(`a ${part.type} continued by a ${next.type}`)
    parts.push(next)
  }
}

function elementsOf (message: SyncMessage): number {
  switch (message.type) {
    case 'digest':
      return message.owners.length
    case 'summary':
      return message.owners.reduce((sum, o) => sum + 1 + o.entries.length, 0)
    case 'want':
      return message.owners.reduce((sum, o) => sum + 1 + o.ids.length, 0)
    default:
      return 0
  }
}

async function read (lp: LengthPrefixedStream<Stream>, signal: AbortSignal): Promise<SyncFrameContent> {
  const message = decodeSyncFrame((await lp.read({ signal })).subarray())
  if (message === undefined) throw new SyncProtocolError('malformed sync frame')
  return message
}

/** Writes entries in frames under the frame limit, then DONE. Returns how many were sent. */
async function writeRecords (lp: LengthPrefixedStream<Stream>, entries: ReadonlyArray<Pick<TableEntry, 'envelope'>>, signal: AbortSignal, stats: SyncStats): Promise<number> {
  // Leave room for framing: each envelope costs its length plus a few bytes of tag and length prefix.
  const budget = MAX_SYNC_FRAME_BYTES - 1024
  let batch: Uint8Array[] = []
  let size = 0
  for (const { envelope } of entries) {
    if (size + envelope.length + 8 > budget && batch.length > 0) {
      await write(lp, { type: 'records', envelopes: batch }, signal, stats)
      batch = []
      size = 0
    }
    batch.push(envelope)
    size += envelope.length + 8
  }
  if (batch.length > 0) await write(lp, { type: 'records', envelopes: batch }, signal, stats)
  await write(lp, { type: 'done' }, signal, stats)
  return entries.length
}

/**
 * Reads RECORDS frames until DONE, ingesting each envelope in order. Returns how many were received. Stops at
 * once, the rest of the frame unread, when the sender goes over its budget or sends one record twice (an honest
 * exchange never does: what it sends comes from a table, one entry per record).
 */
async function readRecords (lp: LengthPrefixedStream<Stream>, peer: SyncPeer, from: string, signal: AbortSignal, first?: SyncMessage): Promise<number> {
  let received = 0
  let invalid = 0
  const seen = new Set<string>()
  let message = first ?? await read(lp, signal)
  while (message.type === 'records') {
    for (const envelope of message.envelopes) {
      const key = Buffer.from(envelope.buffer, envelope.byteOffset, envelope.byteLength).toString('latin1')
      if (seen.has(key)) throw new SyncProtocolError('the same record twice in one exchange', 'duplicate')
      seen.add(key)
      const verdict = await peer.ingest(envelope, from)
      if (verdict === 'stop') throw new SyncStopped('the peer is over its anti-entropy budget')
      if (verdict === 'reject' && ++invalid > MAX_INVALID_PER_EXCHANGE) {
        throw new SyncProtocolError(`more than ${MAX_INVALID_PER_EXCHANGE} invalid records in one exchange`)
      }
      // Each ingest is a chain of microtasks: without a turn of the event loop now and then, a frame of a few
      // thousand records holds timers and sockets for seconds, and this node's own beats stop going out.
      if (++received % RECORDS_PER_TURN === 0) await new Promise((resolve) => setImmediate(resolve))
    }
    message = await read(lp, signal)
  }
  if (message.type !== 'done') throw new SyncProtocolError(`expected records or done, got ${message.type}`)
  return received
}
