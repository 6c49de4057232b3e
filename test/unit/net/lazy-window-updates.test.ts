/**
 * Yamux streams of this node's muxers update the window once half of it is used, not after every frame read
 * (yamux 7's way): the same data arrives, whole and in order, over a window that refills, with a few updates
 * instead of one per message.
 */
import { yamux } from '@chainsafe/libp2p-yamux'
import type { StreamMuxerFactory } from '@libp2p/interface'
import { defaultLogger } from '@libp2p/logger'
import { describe, expect, it } from 'vitest'
import { lazyWindowUpdates } from '../../../src/net/lazy-window-updates.js'
import { connectedMuxers } from '../../support/muxers.js'

const MESSAGES = 2_000
const MESSAGE_BYTES = 500
/** A yamux header: version, type, flags (2 bytes), stream id (4), length (4). Type 1 is a window update. */
const WINDOW_UPDATE = 1

/** Sends MESSAGES messages on one stream from a client muxer to a server muxer; returns what the server read. */
async function transfer (factory: StreamMuxerFactory): Promise<{ received: Uint8Array, updates: number }> {
  const counts = { updates: 0 }
  // Counted: window updates without flags (a stream's first one opens or accepts it).
  const { client, server, reading } = connectedMuxers(factory, {
    fromServer: (chunk) => {
      const bytes = chunk instanceof Uint8Array ? chunk : chunk.subarray(0, 4)
      if (bytes[1] === WINDOW_UPDATE && bytes[2] === 0 && bytes[3] === 0) counts.updates++
    }
  })
  const stream = await client.newStream()
  const sent = new Uint8Array(MESSAGES * MESSAGE_BYTES).map((_, i) => i % 251)
  await stream.sink((async function * () {
    for (let i = 0; i < MESSAGES; i++) yield sent.subarray(i * MESSAGE_BYTES, (i + 1) * MESSAGE_BYTES)
  })())
  await expect.poll(() => reading.length, { timeout: 5_000 }).toBe(1)
  const received = await reading[0]!
  expect(received).toEqual(sent)
  await client.close()
  await server.close()
  return { received, updates: counts.updates }
}

describe('lazyWindowUpdates', () => {
  it('moves 1 MB over a 256 KB window with a handful of window updates, where yamux 7 sends one a message', async () => {
    const components = { logger: defaultLogger() }
    const lazy = await transfer(lazyWindowUpdates(yamux())(components))
    const eager = await transfer(yamux()(components))
    // 1 MB read through a 256 KB window: it must refill at least three times, once per 128 KB read.
    expect(lazy.updates).toBeGreaterThanOrEqual(3)
    expect(lazy.updates).toBeLessThanOrEqual(20)
    // What the wrapper is for; if yamux stops answering every frame, this fails and the wrapper can go.
    expect(eager.updates).toBeGreaterThan(MESSAGES / 2)
  })
})
