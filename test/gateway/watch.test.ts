/**
 * The event stream (`/v1/watch`) over a real socket: a client that reads gets every event of a burst; a client
 * that reads nothing is cut off with a final `overflow` event once a bounded amount is waiting for it, instead of
 * making the agent buffer without limit.
 */
import { connect, type Socket } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createGateway } from '../../src/gateway/server.js'
import { MAX_BUFFERED_BYTES, watchLog } from '../../src/gateway/routes/watch.js'
import { createRegistry, PRESETS, type Instance, type Registry } from '../../src/index.js'

let registry: Registry
let app: FastifyInstance
let port: number

beforeAll(async () => {
  registry = await createRegistry({ ...PRESETS.test, logPrefix: 'sse' })
  app = await createGateway(registry, {})
  await app.listen({ host: '127.0.0.1', port: 0 })
  port = (app.server.address() as { port: number }).port
})

afterAll(async () => {
  await app.close()
  await registry.stop()
})

/** About 4 KB of event each: the largest record a peer may send. */
function bulky (i: number): Instance {
  return {
    id: `i${i}`, owner: 'o', service: 'bulk', version: '1.0.0', address: '10.0.0.1', port: 80, tags: [], metadata: { blob: 'x'.repeat(4_000) },
    weight: 1, status: 'passing', stamp: { wall: i, logical: 0 }, memberState: 'alive'
  }
}

function emit (from: number, count: number): void {
  for (let i = from; i < from + count; i++) registry.safeDispatchEvent('instance:up', { detail: { type: 'up', instance: bulky(i) } })
}

/** Opens the stream on a raw socket; `received` is what the client has read so far. */
async function open (): Promise<{ socket: Socket, received: () => string }> {
  const socket = connect(port, '127.0.0.1')
  const chunks: Buffer[] = []
  socket.on('data', (chunk: Buffer) => { chunks.push(chunk) })
  socket.write(`GET /v1/watch?service=bulk HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\n\r\n`)
  const received = (): string => Buffer.concat(chunks).toString('latin1')
  await vi.waitFor(() => { expect(received()).toContain(': watching') }, { timeout: 5_000, interval: 10 })
  return { socket, received }
}

/** Open streams, each subscribed to the agent's one event log. */
const listening = (): number => watchLog(registry).subscriberCount

describe('GET /v1/watch and slow clients', () => {
  it('delivers a burst within the bound to a client that reads', async () => {
    const before = listening()
    const client = await open()
    expect(listening()).toBe(before + 1)
    const count = Math.floor(MAX_BUFFERED_BYTES / 2 / 4_096)
    emit(0, count)
    await vi.waitFor(() => { expect(client.received().split('event: up').length - 1).toBe(count) }, { timeout: 10_000, interval: 20 })
    expect(client.received()).not.toContain('overflow')
    client.socket.destroy()
    await vi.waitFor(() => { expect(listening()).toBe(before) }, { timeout: 5_000, interval: 10 })
  })

  it('cuts off a client that reads nothing, once a bounded amount waits for it, with a final overflow event', async () => {
    const before = listening()
    const client = await open()
    try {
      client.socket.pause()
      // Far more than the bound plus what the kernel buffers on both ends of a loopback connection; each batch is
      // followed by a turn of the event loop, so the socket writes what it can.
      const batch = 64
      for (let sent = 0; sent < 16 * MAX_BUFFERED_BYTES / 4_096 && listening() > before; sent += batch) {
        emit(sent, batch)
        await new Promise((resolve) => setImmediate(resolve))
      }
      expect(listening()).toBe(before)
      client.socket.resume()
      // The response ends (the last chunk of a chunked body) right after the overflow event.
      await vi.waitFor(() => { expect(client.received()).toMatch(/event: overflow\ndata: \{"reason":"slow-client"[^\n]*\}\n\n\r\n0\r\n\r\n$/) }, { timeout: 10_000, interval: 20 })
      const text = client.received()
      expect(text.lastIndexOf('event: up')).toBeLessThan(text.indexOf('event: overflow'))
      expect(text.length).toBeLessThan(4 * MAX_BUFFERED_BYTES)
    } finally {
      client.socket.destroy()
    }
  })
})
