/**
 * A muxer's frames of one turn leave as one chunk (one encryption, one socket write), and arrive whole and in order.
 */
import { yamux } from '@chainsafe/libp2p-yamux'
import type { StreamMuxer, StreamMuxerFactory } from '@libp2p/interface'
import { defaultLogger } from '@libp2p/logger'
import { pushable } from 'it-pushable'
import { Uint8ArrayList } from 'uint8arraylist'
import { describe, expect, it } from 'vitest'
import { coalescedWrites, coalesceTurns, type ChunkQueue } from '../../../src/net/coalesced-writes.js'
import { connectedMuxers } from '../../support/muxers.js'

const STREAMS = 5
const MESSAGES_PER_STREAM = 20

/** Resolves after the current turn's immediates have run. */
async function nextTurn (): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve))
  await new Promise((resolve) => setImmediate(resolve))
}

/** The chunks a queue yields until it ends, as plain bytes. */
async function drain (source: AsyncIterable<Uint8Array | Uint8ArrayList>): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = []
  for await (const chunk of source) chunks.push(chunk instanceof Uint8Array ? chunk : chunk.subarray())
  return chunks
}

describe('coalesceTurns', () => {
  it('passes what one turn pushed on as one chunk, and each turn as its own', async () => {
    const queue = pushable<Uint8Array | Uint8ArrayList>()
    coalesceTurns(queue)
    const chunks = drain(queue)
    queue.push(Uint8Array.of(1, 2))
    queue.push(new Uint8ArrayList(Uint8Array.of(3), Uint8Array.of(4)))
    queue.push(Uint8Array.of(5))
    await nextTurn()
    queue.push(Uint8Array.of(6))
    await nextTurn()
    queue.end()
    expect(await chunks).toEqual([Uint8Array.of(1, 2, 3, 4, 5), Uint8Array.of(6)])
  })

  it('passes on what it holds before it ends, so last frames are not lost', async () => {
    const queue = pushable<Uint8Array | Uint8ArrayList>()
    coalesceTurns(queue)
    const chunks = drain(queue)
    queue.push(Uint8Array.of(7))
    queue.push(Uint8Array.of(8))
    queue.end()
    expect(await chunks).toEqual([Uint8Array.of(7, 8)])
  })
})

/**
 * Writes MESSAGES_PER_STREAM messages on each of STREAMS streams, all in one turn, from a client muxer to a server
 * muxer. Returns how many chunks the client's muxer handed to its connection for them, and what each stream read.
 */
async function burst (factory: StreamMuxerFactory): Promise<{ chunks: number, received: Uint8Array[] }> {
  const counted = { chunks: 0 }
  const { client, server, reading } = connectedMuxers(factory, { fromClient: () => { counted.chunks++ } })
  const streams = await Promise.all(Array.from({ length: STREAMS }, async () => client.newStream()))
  // Let the streams' opening frames go, so that only the burst below is counted.
  await nextTurn()
  const before = counted.chunks
  const queues = streams.map((stream) => {
    const queue = pushable<Uint8Array>()
    void stream.sink(queue)
    return queue
  })
  for (let message = 0; message < MESSAGES_PER_STREAM; message++) {
    queues.forEach((queue, s) => queue.push(Uint8Array.of(s, message)))
  }
  queues.forEach((queue) => queue.end())
  await expect.poll(() => reading.length, { timeout: 5_000 }).toBe(STREAMS)
  const received = await Promise.all(reading)
  const chunks = counted.chunks - before
  await client.close()
  await server.close()
  return { chunks, received }
}

describe('coalescedWrites', () => {
  it('sends the frames of a burst on many streams as a few chunks, and every stream reads its messages in order', async () => {
    const components = { logger: defaultLogger() }
    const coalesced = await burst(coalescedWrites(yamux())(components))
    const plain = await burst(yamux()(components))
    for (const { received } of [coalesced, plain]) {
      // Stream ids are assigned in opening order, but streams are accepted in arrival order: compare as a set.
      const expected = Array.from({ length: STREAMS }, (_, s) => Uint8Array.from({ length: MESSAGES_PER_STREAM * 2 }, (_, i) => i % 2 === 0 ? s : i >> 1))
      expect([...received].sort((a, b) => a[0]! - b[0]!)).toEqual(expected)
    }
    // 100 data frames and 5 closing frames: yamux alone hands each to the connection as a chunk of its own.
    expect(plain.chunks).toBeGreaterThanOrEqual(STREAMS * MESSAGES_PER_STREAM)
    expect(coalesced.chunks).toBeLessThanOrEqual(STREAMS * 2)
  })

  it('hands what was written before a close to the connection before libp2p ends its socket', async () => {
    const components = { logger: defaultLogger() }
    /** What reached the "socket": libp2p ends it as soon as the muxer's close resolves. */
    const sent = async (muxer: StreamMuxer): Promise<Uint8Array> => {
      const written = new Uint8ArrayList()
      let ended = false
      void (async () => { for await (const chunk of muxer.source) if (!ended) written.append(chunk) })()
      const stream = await muxer.newStream()
      await stream.sink([Uint8Array.of(7, 7, 7, 7, 7, 7)])
      await muxer.close({ signal: AbortSignal.timeout(1_000) })
      ended = true
      return written.subarray()
    }
    const holds = (bytes: Uint8Array): boolean => bytes.some((_, i) => bytes.subarray(i, i + 6).every((b) => b === 7))
    expect(holds(await sent(coalescedWrites(yamux())(components).createStreamMuxer({ direction: 'outbound' })))).toBe(true)
    // Without the close hook the frames wait for the muxer's end, and the socket is gone by the time they get there.
    const unhooked = yamux()(components).createStreamMuxer({ direction: 'outbound' })
    coalesceTurns((unhooked as unknown as { source: ChunkQueue }).source)
    expect(holds(await sent(unhooked))).toBe(false)
  })
})
