/**
 * `GET /v1/watch?service=`: a Server-Sent Events stream of instance changes (of one service, or all) and of
 * member changes, each event with an id. A client that reconnects with `Last-Event-ID` (or `?since=`) is sent what
 * it missed from the agent's bounded event log, or a `reset`; `?snapshot=1` starts with the current instances. A
 * comment every 15 s keeps idle proxies from closing it; a client too far behind gets `overflow` and is cut off.
 */
import { randomBytes } from 'node:crypto'
import type { ServerResponse } from 'node:http'
import type { FastifyInstance } from 'fastify'
import type { Change, MemberChange } from '../../events.js'
import type { Instance } from '../../record/types.js'
import type { Registry } from '../../registry.js'
import { EventLog, type LogEntry } from '../event-log.js'
import { responses } from '../responses.js'
import { watchHeaders, watchQuery } from '../schemas.js'

const KEEPALIVE_MS = 15_000

/**
 * Most bytes of events waiting for one client, in this process and the socket's buffer together. Events come as
 * they happen, whether the client reads or not: past this the client gets a final `overflow` event (it resumes
 * from its last id, or re-reads the state) and the stream ends, rather than the agent buffering without limit.
 * A sync frame (1 MiB of records) turns into about as many bytes of events at once; this holds four. A replay or
 * a snapshot does not count: it is already in memory (the log, the table) and is sent as the client reads.
 */
export const MAX_BUFFERED_BYTES = 4 * 1024 * 1024
const INSTANCE_EVENTS = ['instance:up', 'instance:down', 'instance:changed'] as const
const MEMBER_EVENTS = ['member:alive', 'member:suspect', 'member:dead'] as const

const logs = new WeakMap<Registry, EventLog>()

/**
 * The registry's one event log, shared by every stream (and gateway) of it, fed from the first watch on: an agent
 * nobody watches spends nothing on it. Its epoch is random, so ids of an earlier run of the agent are unknown here.
 */
export function watchLog (registry: Registry): EventLog {
  let log = logs.get(registry)
  if (log !== undefined) return log
  log = new EventLog(randomBytes(6).toString('hex'))
  const feed = log
  const onInstance = (event: CustomEvent<Change>): void => { feed.append(event.detail.type, event.detail, event.detail.instance.service) }
  const onMember = (event: CustomEvent<MemberChange>): void => { feed.append('member', event.detail) }
  for (const type of INSTANCE_EVENTS) registry.addEventListener(type, onInstance as never)
  for (const type of MEMBER_EVENTS) registry.addEventListener(type, onMember as never)
  logs.set(registry, log)
  return log
}

interface WatchQuery { service?: string, since?: string, snapshot?: '1' | 'true' | '0' | 'false' }

/** Registers the SSE route. */
export function watchRoute (app: FastifyInstance, registry: Registry): void {
  app.get<{ Querystring: WatchQuery, Headers: { 'last-event-id'?: string } }>('/v1/watch', {
    schema: {
      querystring: watchQuery, headers: watchHeaders, tags: ['v1'], summary: 'Server-Sent Events: instance and member changes, resumable',
      response: responses({
        200: {
          description: 'Events `up`, `down`, `changed` and `member`, each with an `id:` and a JSON `data` line; with `?snapshot=1` first a `snapshot` event per instance, then `synced` with the id to resume from; `reset` when the given id cannot be resumed from; `overflow` last, when the client fell too far behind and the stream ends',
          content: { 'text/event-stream': { schema: { type: 'string' } } }
        }
      })
    }
  }, (request, reply) => {
    const { service, since, snapshot } = request.query
    // An EventSource sends the header on every reconnection, to the URL it first opened: the header is newer.
    const resumeFrom = request.headers['last-event-id'] ?? since
    const wantsSnapshot = snapshot === '1' || snapshot === 'true'
    const log = watchLog(registry)
    const matches = (entry: LogEntry): boolean => service === undefined || entry.service === undefined || entry.service === service
    // From here to the subscription nothing yields, so the replay or snapshot and the live events meet exactly
    // at the log's head: no event is missed, none is sent twice.
    const backlog: Array<Iterable<string>> = []
    let opening = ': watching\n\n'
    const coveredSeq = log.headSeq
    const snapshotFrames = (): void => { backlog.push(snapshotOf(registry, service, log.headId)) }
    if (resumeFrom !== undefined) {
      const resume = log.after(resumeFrom)
      if (resume.kind === 'replay') {
        backlog.push(resume.entries.filter(matches).map((entry) => entry.frame))
      } else {
        // With a snapshot to follow, the id to resume from comes with `synced`, once the client has it all.
        backlog.push([`event: reset\n${wantsSnapshot ? '' : `id: ${log.headId}\n`}data: ${JSON.stringify({ reason: resume.reason, message: resume.message })}\n\n`])
        if (wantsSnapshot) snapshotFrames()
      }
    } else if (wantsSnapshot) {
      snapshotFrames()
    } else {
      opening = `: watching\nid: ${log.headId}\n\n`
    }
    reply.hijack()
    const stream = new Stream(reply.raw, chain(backlog))
    const unsubscribe = log.subscribe((entry) => {
      if (entry.seq > coveredSeq && matches(entry)) stream.send(entry.frame)
    })
    stream.onEnd = unsubscribe
    stream.start(opening)
    request.raw.once('close', () => { stream.close() })
  })
}

/** The current instances (read now, serialised as the client reads), then `synced` with the id they are as of. */
function snapshotOf (registry: Registry, service: string | undefined, headId: string): Iterable<string> {
  const all = { includeUnhealthy: true, includeStale: true }
  const instances: Instance[] = (service === undefined ? registry.services() : [service]).flatMap((name) => registry.lookup(name, all))
  return (function * () {
    for (const instance of instances) yield `event: snapshot\ndata: ${JSON.stringify({ instance })}\n\n`
    yield `event: synced\nid: ${headId}\ndata: ${JSON.stringify({ instances: instances.length })}\n\n`
  })()
}

function * chain (parts: Iterable<Iterable<string>>): Generator<string, void, undefined> {
  for (const part of parts) yield * part
}

/**
 * One client's stream: the backlog (replay or snapshot) is written as the socket drains; live frames queue behind
 * it, and past `MAX_BUFFERED_BYTES` waiting the client is sent `overflow` and cut off.
 */
class Stream {
  onEnd: () => void = () => {}
  private readonly raw: ServerResponse
  private backlog: Iterator<string> | undefined
  private readonly live: Array<{ frame: string, bytes: number }> = []
  private liveBytes = 0
  private draining = false
  private ended = false
  private readonly keepalive: NodeJS.Timeout
  private cutOff: NodeJS.Timeout | undefined

  constructor (raw: ServerResponse, backlog: Iterable<string>) {
    this.raw = raw
    this.backlog = backlog[Symbol.iterator]()
    this.keepalive = setInterval(() => { this.send(': keepalive\n\n') }, KEEPALIVE_MS)
    this.keepalive.unref()
  }

  start (opening: string): void {
    this.raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' })
    this.raw.write(opening)
    this.pump()
  }

  send (frame: string): void {
    if (this.ended) return
    const bytes = Buffer.byteLength(frame)
    if (this.raw.writableLength + this.liveBytes + bytes > MAX_BUFFERED_BYTES) {
      this.overflow()
      return
    }
    this.live.push({ frame, bytes })
    this.liveBytes += bytes
    if (!this.draining) this.pump()
  }

  close (): void {
    clearTimeout(this.cutOff)
    this.stop()
  }

  private readonly pump = (): void => {
    this.draining = false
    while (!this.ended) {
      const frame = this.next()
      if (frame === undefined) return
      if (!this.raw.write(frame)) {
        this.draining = true
        this.raw.once('drain', this.pump)
        return
      }
    }
  }

  private next (): string | undefined {
    if (this.backlog !== undefined) {
      const step = this.backlog.next()
      if (step.done !== true) return step.value
      this.backlog = undefined
    }
    const queued = this.live.shift()
    if (queued === undefined) return undefined
    this.liveBytes -= queued.bytes
    return queued.frame
  }

  private overflow (): void {
    const bufferedBytes = this.raw.writableLength + this.liveBytes
    this.stop()
    this.raw.end(`event: overflow\ndata: ${JSON.stringify({ reason: 'slow-client', bufferedBytes })}\n\n`)
    // A client that reads nothing would hold the socket and its buffer for good: it has as long as an idle
    // stream would to take the rest.
    this.cutOff = setTimeout(() => { this.raw.destroy() }, KEEPALIVE_MS)
    this.cutOff.unref()
  }

  private stop (): void {
    if (this.ended) return
    this.ended = true
    clearInterval(this.keepalive)
    this.raw.off('drain', this.pump)
    this.backlog = undefined
    this.live.length = 0
    this.liveBytes = 0
    this.onEnd()
  }
}
