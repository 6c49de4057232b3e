/**
 * Resuming the event stream (`/v1/watch`): events carry ids; a client that comes back with `Last-Event-ID` or
 * `?since=` gets exactly what it missed (of its filter) and then live events, with no gap or duplicate where the
 * two meet; an id the agent cannot resume from gets `reset`; `?snapshot=1` starts with the instances; a malformed
 * id gets a 400 naming the field.
 */
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { MAX_LOG_EVENTS } from '../../src/gateway/event-log.js'
import { watchLog } from '../../src/gateway/routes/watch.js'
import { createGateway } from '../../src/gateway/server.js'
import { createRegistry, PRESETS, type Instance, type Registry } from '../../src/index.js'

let registry: Registry
let app: FastifyInstance
let port: number
let epoch: string
/** Aborts of the streams still open, so a failed test cannot keep the server from closing. */
const openStreams = new Set<AbortController>()

beforeAll(async () => {
  registry = await createRegistry({ ...PRESETS.test, logPrefix: 'resume' })
  app = await createGateway(registry, {})
  await app.listen({ host: '127.0.0.1', port: 0 })
  port = (app.server.address() as { port: number }).port
  epoch = watchLog(registry).epoch
})

afterAll(async () => {
  for (const controller of openStreams) controller.abort()
  await app.close()
  await registry.stop()
})

interface Frame { id?: string, event?: string, data?: Record<string, unknown> }

function parse (text: string): Frame[] {
  return text.split('\n\n').slice(0, -1).map((block) => {
    const frame: Frame = {}
    for (const line of block.split('\n')) {
      if (line.startsWith('id: ')) frame.id = line.slice(4)
      else if (line.startsWith('event: ')) frame.event = line.slice(7)
      else if (line.startsWith('data: ')) frame.data = JSON.parse(line.slice(6)) as Record<string, unknown>
    }
    return frame
  })
}

/** Opens the stream with fetch and reads it in the background; `events()` are the frames with an event so far. */
async function open (query: string, headers: Record<string, string> = {}) {
  const controller = new AbortController()
  openStreams.add(controller)
  const response = await fetch(`http://127.0.0.1:${port}/v1/watch${query}`, { headers, signal: controller.signal })
  expect(response.status).toBe(200)
  let text = ''
  const decoder = new TextDecoder()
  const reading = (async () => {
    for await (const chunk of response.body!) text += decoder.decode(chunk as Uint8Array, { stream: true })
  })().catch(() => {})
  const frames = (): Frame[] => parse(text)
  const before = watchLog(registry).subscriberCount
  return {
    frames,
    events: () => frames().filter((frame) => frame.event !== undefined),
    close: async () => {
      controller.abort()
      openStreams.delete(controller)
      await reading
      await vi.waitFor(() => { expect(watchLog(registry).subscriberCount).toBeLessThan(before) }, { timeout: 5_000, interval: 10 })
    }
  }
}

function instance (service: string, n: number, blob = ''): Instance {
  return {
    id: `${service}-${n}`, owner: 'o', service, version: '1.0.0', address: '10.0.0.1', port: n, tags: [], metadata: blob === '' ? {} : { blob },
    weight: 1, status: 'passing', stamp: { wall: n, logical: 0 }, memberState: 'alive'
  }
}

/** Dispatches `up` events as the registry does; returns the ids the log gave them. */
function up (service: string, ...ns: number[]): string[] {
  return ns.map((n) => {
    registry.safeDispatchEvent('instance:up', { detail: { type: 'up', instance: instance(service, n) } })
    return watchLog(registry).headId
  })
}

const ports = (frames: Frame[]): number[] => frames.map((frame) => (frame.data as { instance: Instance }).instance.port)
const seqOf = (id: string): number => Number(id.slice(id.lastIndexOf('-') + 1))

describe('GET /v1/watch: resuming', () => {
  it('gives every event an id, and replays exactly the missed events of the filter after Last-Event-ID, then live ones', async () => {
    const first = await open('?service=a')
    const [a1, , a2] = up('a', 1).concat(up('b', 1), up('a', 2))
    await vi.waitFor(() => { expect(ports(first.events())).toEqual([1, 2]) }, { timeout: 5_000, interval: 10 })
    expect(first.events().map((frame) => frame.id)).toEqual([a1, a2])
    expect(a1).toMatch(new RegExp(`^${epoch}-\\d+$`))
    await first.close()

    up('a', 3); up('b', 2); up('a', 4)
    const resumed = await open('?service=a', { 'last-event-id': a2! })
    await vi.waitFor(() => { expect(ports(resumed.events())).toEqual([3, 4]) }, { timeout: 5_000, interval: 10 })
    up('a', 5)
    await vi.waitFor(() => { expect(ports(resumed.events())).toEqual([3, 4, 5]) }, { timeout: 5_000, interval: 10 })
    expect(resumed.events().map((frame) => frame.event)).toEqual(['up', 'up', 'up'])

    // ?since= does the same; the header, which an EventSource sends on every reconnection, wins over it.
    const since = await open(`?service=a&since=${a1!}`)
    const both = await open(`?service=a&since=${a1!}`, { 'last-event-id': watchLog(registry).headId })
    up('a', 6)
    await vi.waitFor(() => { expect(ports(since.events())).toEqual([2, 3, 4, 5, 6]) }, { timeout: 5_000, interval: 10 })
    await vi.waitFor(() => { expect(ports(both.events())).toEqual([6]) }, { timeout: 5_000, interval: 10 })
    await Promise.all([resumed.close(), since.close(), both.close()])
  })

  it('neither drops nor repeats an event where a long replay meets live events', async () => {
    const log = watchLog(registry)
    const from = log.headId
    // ~1 MB of replay: the stream writes a socket buffer's worth, then waits for the socket to drain.
    for (let n = 0; n < 250; n++) registry.safeDispatchEvent('instance:up', { detail: { type: 'up', instance: instance('long', n, 'x'.repeat(4_000)) } })
    // Live events right after the stream subscribes, before any I/O: the replay is still being written.
    const subscribe = log.subscribe.bind(log)
    const spy = vi.spyOn(log, 'subscribe').mockImplementationOnce((listener) => {
      queueMicrotask(() => { for (let n = 250; n < 300; n++) registry.safeDispatchEvent('instance:up', { detail: { type: 'up', instance: instance('long', n) } }) })
      return subscribe(listener)
    })
    try {
      const stream = await open(`?service=long&since=${from}`)
      await vi.waitFor(() => { expect(stream.events().length).toBeGreaterThanOrEqual(300) }, { timeout: 15_000, interval: 20 })
      expect(spy).toHaveBeenCalledTimes(1)
      const frames = stream.events()
      expect(ports(frames)).toEqual(Array.from({ length: 300 }, (_, n) => n))
      expect(frames.map((frame) => seqOf(frame.id!))).toEqual(Array.from({ length: 300 }, (_, n) => seqOf(from) + 1 + n))
      await stream.close()
    } finally {
      spy.mockRestore()
    }
  })

  it.each([
    ['is from another run of the agent', () => 'f00d-3', 'unknown-epoch'],
    ['is ahead of the newest event', () => `${epoch}-${watchLog(registry).headSeq + 5}`, 'unknown-id']
  ])('sends reset, with an id to go on from, when the id %s', async (_what, id, reason) => {
    const stream = await open('?service=a', { 'last-event-id': id() })
    await vi.waitFor(() => { expect(stream.events().length).toBe(1) }, { timeout: 5_000, interval: 10 })
    const [reset] = stream.events()
    expect(reset!.event).toBe('reset')
    expect(reset!.data).toMatchObject({ reason })
    expect(reset!.id).toBe(watchLog(registry).headId)
    up('a', 7)
    await vi.waitFor(() => { expect(ports(stream.events().slice(1))).toEqual([7]) }, { timeout: 5_000, interval: 10 })
    await stream.close()
  })

  it('sends reset when the events after the id are no longer held', async () => {
    const old = up('a', 8)[0]!
    for (let n = 0; n <= MAX_LOG_EVENTS; n++) registry.safeDispatchEvent('member:alive', { detail: { member: { peerId: `p${n}`, state: 'alive', stale: false, lastSeen: 0, instances: 0, addrs: [], self: false }, from: 'unknown' } })
    const stream = await open(`?service=a&since=${old}`)
    await vi.waitFor(() => { expect(stream.events().map((frame) => frame.event)).toEqual(['reset']) }, { timeout: 5_000, interval: 10 })
    expect(stream.events()[0]!.data).toMatchObject({ reason: 'too-old' })
    await stream.close()
  })

  it('with ?snapshot=1 starts with the current instances, then synced with the id to resume from', async () => {
    await registry.register({ service: 'snap', version: '1.0.0', address: '10.1.0.1', port: 1 })
    await registry.register({ service: 'snap', version: '1.0.0', address: '10.1.0.2', port: 2, status: 'critical' })
    await registry.register({ service: 'other', version: '1.0.0', address: '10.1.0.3', port: 3 })
    const stream = await open('?service=snap&snapshot=1')
    await vi.waitFor(() => { expect(stream.events().map((frame) => frame.event)).toEqual(['snapshot', 'snapshot', 'synced']) }, { timeout: 5_000, interval: 10 })
    const [one, two, synced] = stream.events()
    expect(ports([one!, two!]).sort()).toEqual([1, 2])
    expect([one!.id, two!.id]).toEqual([undefined, undefined])
    expect(synced).toMatchObject({ id: watchLog(registry).headId, data: { instances: 2 } })
    await registry.register({ service: 'snap', version: '1.0.0', address: '10.1.0.4', port: 4 })
    await vi.waitFor(() => { expect(stream.events().length).toBe(4) }, { timeout: 5_000, interval: 10 })
    const next = stream.events()[3]!
    expect(next.event).toBe('up')
    expect(seqOf(next.id!)).toBeGreaterThan(seqOf(synced!.id!))
    await stream.close()

    // An id that cannot be resumed from, with ?snapshot=1: reset, then the snapshot; the id comes with synced.
    const again = await open('?service=snap&snapshot=1', { 'last-event-id': 'beef-1' })
    await vi.waitFor(() => { expect(again.events().map((frame) => frame.event)).toEqual(['reset', 'snapshot', 'snapshot', 'snapshot', 'synced']) }, { timeout: 5_000, interval: 10 })
    expect(again.events()[0]!.id).toBeUndefined()
    expect(again.events()[4]).toMatchObject({ id: watchLog(registry).headId, data: { instances: 3 } })
    await again.close()
  })

  it('without an id or a snapshot, opens with the id to resume from', async () => {
    const stream = await open('?service=a')
    await vi.waitFor(() => { expect(stream.frames().length).toBe(1) }, { timeout: 5_000, interval: 10 })
    expect(stream.frames()[0]).toEqual({ id: watchLog(registry).headId })
    await stream.close()
  })

  it.each([
    ['?since=not%20an%20id', {}, 'querystring.since'],
    ['?since=', {}, 'querystring.since'],
    ['', { 'last-event-id': '../../etc/passwd' }, 'headers.last-event-id'],
    ['?snapshot=yes', {}, 'querystring.snapshot']
  ])('answers 400 naming the field for %s %o', async (query, headers, field) => {
    const response = await app.inject({ method: 'GET', url: `/v1/watch${query}`, headers })
    expect(response.statusCode).toBe(400)
    expect(response.json()).toMatchObject({ success: false, code: 'ERR_VALIDATION', field })
    expect(response.json<{ error: string }>().error).toContain(field)
  })
})
