/**
 * `GET /v1/watch?service=`: a Server-Sent Events stream of instance changes (of one service, or all) and of
 * member changes. A comment every 15 s keeps idle proxies from closing it. A client that falls too far behind is
 * sent a final `overflow` event and cut off (see `MAX_BUFFERED_BYTES`).
 */
import type { FastifyInstance } from 'fastify'
import type { Registry } from '../../registry.js'
import { responses } from '../responses.js'
import { watchQuery } from '../schemas.js'

const KEEPALIVE_MS = 15_000

/**
 * Most bytes of events waiting for one client, in this process and the socket's buffer together. Events come as
 * they happen, whether the client reads or not: past this the client gets a final `overflow` event (it missed
 * changes and must read the state again) and the stream ends, rather than the agent buffering without limit. A
 * sync frame (1 MiB of records) turns into about as many bytes of events at once; this holds four.
 */
export const MAX_BUFFERED_BYTES = 4 * 1024 * 1024
const INSTANCE_EVENTS = ['instance:up', 'instance:down', 'instance:changed'] as const
const MEMBER_EVENTS = ['member:alive', 'member:suspect', 'member:dead'] as const

/** Registers the SSE route. */
export function watchRoute (app: FastifyInstance, registry: Registry): void {
  app.get<{ Querystring: { service?: string } }>('/v1/watch', {
    schema: {
      querystring: watchQuery, tags: ['v1'], summary: 'Server-Sent Events: instance and member changes',
      response: responses({ 200: { description: 'Events `up`, `down`, `changed` and `member`, each with a JSON `data` line; `overflow` last, when the client fell too far behind and the stream ends', content: { 'text/event-stream': { schema: { type: 'string' } } } } })
    }
  }, (request, reply) => {
    const { service } = request.query
    reply.hijack()
    const raw = reply.raw
    raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' })
    raw.write(': watching\n\n')
    let cutOff: NodeJS.Timeout | undefined
    const write = (text: string): void => {
      if (raw.writableLength + Buffer.byteLength(text) <= MAX_BUFFERED_BYTES) {
        raw.write(text)
        return
      }
      stop()
      raw.end(`event: overflow\ndata: ${JSON.stringify({ reason: 'slow-client', bufferedBytes: raw.writableLength })}\n\n`)
      // A client that reads nothing would hold the socket and its buffer for good: it has as long as an idle
      // stream would to take the rest.
      cutOff = setTimeout(() => { raw.destroy() }, KEEPALIVE_MS)
      cutOff.unref()
    }
    const send = (event: string, data: unknown): void => { write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`) }
    const onInstance = (event: CustomEvent<{ type: string, instance: { service: string } }>): void => {
      if (service === undefined || event.detail.instance.service === service) send(event.detail.type, event.detail)
    }
    const onMember = (event: CustomEvent<unknown>): void => { send('member', event.detail) }
    const keepalive = setInterval(() => { write(': keepalive\n\n') }, KEEPALIVE_MS)
    keepalive.unref()
    const stop = (): void => {
      clearInterval(keepalive)
      for (const type of INSTANCE_EVENTS) registry.removeEventListener(type, onInstance as never)
      for (const type of MEMBER_EVENTS) registry.removeEventListener(type, onMember as never)
    }
    for (const type of INSTANCE_EVENTS) registry.addEventListener(type, onInstance as never)
    for (const type of MEMBER_EVENTS) registry.addEventListener(type, onMember as never)
    request.raw.once('close', () => {
      clearTimeout(cutOff)
      stop()
    })
  })
}
