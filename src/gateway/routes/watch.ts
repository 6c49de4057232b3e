/**
 * `GET /v1/watch?service=`: a Server-Sent Events stream of instance changes (of one service, or all) and of
 * member changes. A comment every 15 s keeps idle proxies from closing it.
 */
import type { FastifyInstance } from 'fastify'
import type { Registry } from '../../registry.js'
import { responses } from '../responses.js'
import { watchQuery } from '../schemas.js'

const KEEPALIVE_MS = 15_000
const INSTANCE_EVENTS = ['instance:up', 'instance:down', 'instance:changed'] as const
const MEMBER_EVENTS = ['member:alive', 'member:suspect', 'member:dead'] as const

/** Registers the SSE route. */
export function watchRoute (app: FastifyInstance, registry: Registry): void {
  app.get<{ Querystring: { service?: string } }>('/v1/watch', {
    schema: {
      querystring: watchQuery, tags: ['v1'], summary: 'Server-Sent Events: instance and member changes',
      response: responses({ 200: { description: 'Events `up`, `down`, `changed` and `member`, each with a JSON `data` line', content: { 'text/event-stream': { schema: { type: 'string' } } } } })
    }
  }, (request, reply) => {
    const { service } = request.query
    reply.hijack()
    const raw = reply.raw
    raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' })
    raw.write(': watching\n\n')
    const send = (event: string, data: unknown): void => { raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`) }
    const onInstance = (event: CustomEvent<{ type: string, instance: { service: string } }>): void => {
      if (service === undefined || event.detail.instance.service === service) send(event.detail.type, event.detail)
    }
    const onMember = (event: CustomEvent<unknown>): void => { send('member', event.detail) }
    for (const type of INSTANCE_EVENTS) registry.addEventListener(type, onInstance as never)
    for (const type of MEMBER_EVENTS) registry.addEventListener(type, onMember as never)
    const keepalive = setInterval(() => { raw.write(': keepalive\n\n') }, KEEPALIVE_MS)
    keepalive.unref()
    request.raw.once('close', () => {
      clearInterval(keepalive)
      for (const type of INSTANCE_EVENTS) registry.removeEventListener(type, onInstance as never)
      for (const type of MEMBER_EVENTS) registry.removeEventListener(type, onMember as never)
    })
  })
}
