/**
 * The anti-entropy exchange over an in-memory stream: the real protocol functions, frames and limits, with tables
 * of unsigned entries (the protocol never verifies; `ingest` does, and here it only merges).
 */
import type { Stream } from '@libp2p/interface'
import { lpStream } from 'it-length-prefixed-stream'
import { base58btc } from 'multiformats/bases/base58'
import { describe, expect, it } from 'vitest'
import { decodeSyncFrame, encodeSyncFrame } from '../../../src/net/frames.js'
import { MAX_SYNC_ELEMENTS, MAX_SYNC_FRAME_BYTES, SYNC_TIMEOUT_MS } from '../../../src/net/protocols.js'
import { initiateSync, respondSync, SyncProtocolError, type SyncPeer } from '../../../src/net/sync-protocol.js'
import { LwwTable } from '../../../src/table/table.js'
import type { TableEntry } from '../../../src/table/entry.js'
import { instanceEntry } from '../../support/entries.js'

/** Chunks one direction may hold before its writer waits: a reader that stops reading stops the writer. */
const HIGH_WATER = 4

/** One direction of an in-memory stream. Each chunk is one length-prefixed frame, as `lpStream` writes it. */
class Pipe {
  readonly written: Uint8Array[] = []
  private readonly chunks: Uint8Array[] = []
  private ended = false
  private wakeReader = (): void => {}
  private wakeWriter = (): void => {}

  async sink (source: AsyncIterable<Uint8Array | { subarray: () => Uint8Array }>): Promise<void> {
    for await (const data of source) {
      const chunk = data instanceof Uint8Array ? data : data.subarray()
      this.written.push(chunk)
      while (this.chunks.length >= HIGH_WATER) await new Promise<void>((resolve) => { this.wakeWriter = resolve })
      this.chunks.push(chunk)
      this.wakeReader()
    }
    this.ended = true
    this.wakeReader()
  }

  async * source (): AsyncGenerator<Uint8Array> {
    for (;;) {
      const chunk = this.chunks.shift()
      if (chunk !== undefined) {
        this.wakeWriter()
        yield chunk
      } else if (this.ended) {
        return
      } else {
        await new Promise<void>((resolve) => { this.wakeReader = resolve })
      }
    }
  }

  /** What was written, decoded only when asked (decoding every frame of a long exchange takes seconds). */
  frames (): Array<{ type: string, bytes: number }> {
    return this.written.map(frameOf)
  }
}

/** The type and size of one length-prefixed frame. */
function frameOf (chunk: Uint8Array): { type: string, bytes: number } {
  let length = 0
  let at = 0
  for (let shift = 0; ; shift += 7) {
    const byte = chunk[at++]!
    length += (byte & 0x7f) * 2 ** shift
    if (byte < 0x80) break
  }
  return { type: decodeSyncFrame(chunk.subarray(at))?.type ?? 'malformed', bytes: length }
}

/** Two ends of an in-memory stream, and what each end wrote. */
function streamPair (): { a: Stream, b: Stream, aToB: Pipe, bToA: Pipe } {
  const aToB = new Pipe()
  const bToA = new Pipe()
  const end = (out: Pipe, into: Pipe): Stream => ({
    source: into.source(),
    sink: async (source: AsyncIterable<Uint8Array>) => { await out.sink(source) },
    close: async () => {},
    abort: () => {}
  }) as unknown as Stream
  return { a: end(aToB, bToA), b: end(bToA, aToB), aToB, bToA }
}

/** A well-formed Ed25519 peer id (the key need not be a real one: nothing here verifies). */
function ownerId (n: number): string {
  const key = new Uint8Array(32)
  new DataView(key.buffer).setUint32(0, n)
  return base58btc.encode(Uint8Array.from([0x00, 0x24, 0x08, 0x01, 0x12, 0x20, ...key])).slice(1)
}

/** A node's side of the exchange: its table, and an ingest that merges what `known` holds for the envelope. */
function syncPeer (table: LwwTable, known: Map<string, TableEntry>): SyncPeer {
  return {
    table,
    deathMark: () => undefined,
    disputed: () => {},
    ingest: async (envelope) => {
      const entry = known.get(Buffer.from(envelope).toString('latin1'))
      if (entry === undefined) return 'reject'
      table.merge(entry)
      return 'accept'
    }
  }
}

describe('anti-entropy exchange', () => {
  it('splits digests, summaries and wants larger than a frame, and moves every record both ways', { timeout: 20_000 }, async () => {
    const known = new Map<string, TableEntry>()
    const add = (table: LwwTable, entry: TableEntry): void => {
      known.set(Buffer.from(entry.envelope).toString('latin1'), entry)
      table.merge(entry)
    }
    const wall = 1_700_000_000_000
    // a: 15 000 owners of one record each, so its per-owner digest (about 65 bytes an owner) is over a frame.
    const a = new LwwTable()
    for (let n = 0; n < 15_000; n++) add(a, instanceEntry(ownerId(n), 'svc', wall))
    // b: 21 000 records of 21 other owners, with 60-character ids: its summary (about 95 bytes an entry) and a's
    // want of all of them (about 62 bytes an id) are each over a frame.
    const b = new LwwTable()
    for (let n = 0; n < 21_000; n++) add(b, instanceEntry(ownerId(1_000_000 + n % 21), `${'x'.repeat(52)}${String(n).padStart(8, '0')}`, wall))

    const { a: initiator, b: responder, aToB, bToA } = streamPair()
    const signal = AbortSignal.timeout(SYNC_TIMEOUT_MS)
    const [asked, answered] = await Promise.all([
      initiateSync(initiator, syncPeer(a, known), 'b', signal),
      respondSync(responder, syncPeer(b, known), 'a', signal)
    ])

    expect(asked).toMatchObject({ sent: 15_000, received: 21_000 })
    expect(answered).toMatchObject({ sent: 21_000, received: 15_000 })
    expect(a.size).toBe(36_000)
    expect(a.root()).toEqual(b.root())
    // The root digest, then the per-owner digest in two frames or more; the summary and the want likewise.
    const frames = [...aToB.frames(), ...bToA.frames()]
    const count = (type: string): number => frames.filter((frame) => frame.type === type).length
    expect(count('digest')).toBeGreaterThanOrEqual(3)
    expect(count('summary')).toBeGreaterThanOrEqual(3)
    expect(count('want')).toBeGreaterThanOrEqual(2)
    for (const frame of frames) expect(frame.bytes).toBeLessThanOrEqual(MAX_SYNC_FRAME_BYTES)
  })

  it('refuses a message continued by a frame of another type', async () => {
    const { a: theirs, b: ours } = streamPair()
    const signal = AbortSignal.timeout(SYNC_TIMEOUT_MS)
    const exchange = respondSync(ours, syncPeer(new LwwTable(), new Map()), 'attacker', signal)
    const attacker = lpStream(theirs, { maxDataLength: MAX_SYNC_FRAME_BYTES })
    const digest = { owner: ownerId(1), fingerprint: new Uint8Array(8), count: 1, maxStamp: { wall: 1, logical: 0 } }
    await attacker.write(encodeSyncFrame({ type: 'digest', partial: false, owners: [digest], more: true }), { signal })
    await attacker.write(encodeSyncFrame({ type: 'want', owners: [] }), { signal })
    await expect(exchange).rejects.toThrow('a digest continued by a want')
    await expect(exchange).rejects.toMatchObject({ name: 'SyncProtocolError', reason: 'malformed' })
  })

  it('cuts off a peer whose summary never ends, once it has listed MAX_SYNC_ELEMENTS', { timeout: 20_000 }, async () => {
    const perFrame = 40_000
    const hash = new Uint8Array(8).fill(7)
    const endless = encodeSyncFrame({
      type: 'summary',
      more: true,
      owners: [{ owner: ownerId(1), entries: Array.from({ length: perFrame - 1 }, () => ({ id: 'x', stamp: { wall: 1, logical: 0 }, deleted: false, hash })) }]
    })
    expect(endless.length).toBeLessThan(MAX_SYNC_FRAME_BYTES)

    const { a: ours, b: theirs } = streamPair()
    const signal = AbortSignal.timeout(SYNC_TIMEOUT_MS)
    const exchange = initiateSync(ours, syncPeer(new LwwTable(), new Map()), 'attacker', signal)
    const outcome = exchange.then(() => undefined, (err: unknown) => err)
    const attacker = lpStream(theirs, { maxDataLength: MAX_SYNC_FRAME_BYTES })
    expect(decodeSyncFrame((await attacker.read({ signal })).subarray())).toMatchObject({ type: 'digest' })
    const done = new AbortController()
    void outcome.then(() => { done.abort() })
    // Twice the bound, so a reader without one would still be reading when the attacker gives up.
    const attempts = 2 * Math.ceil(MAX_SYNC_ELEMENTS / perFrame)
    let written = 0
    try {
      for (; written < attempts; written++) await attacker.write(endless, { signal: done.signal })
    } catch {
      // The reader stopped reading: its writer waits and then gives up, as a real one would be reset.
    }

    const err = await outcome
    expect(err).toBeInstanceOf(SyncProtocolError)
    expect(err).toMatchObject({ reason: 'oversized' })
    // Cut off at the bound: the frame that crossed it was read, and the writer got at most a few frames ahead.
    expect(written).toBeGreaterThanOrEqual(Math.ceil(MAX_SYNC_ELEMENTS / perFrame))
    expect(written).toBeLessThanOrEqual(Math.ceil(MAX_SYNC_ELEMENTS / perFrame) + HIGH_WATER + 2)
  })
})
