/**
 * `gossip-registry watch`: prints each change from an agent's event stream once, reconnecting with a bounded
 * back-off when the connection drops and resuming after the last event id it got. When the agent cannot resume
 * (it restarted, or the client was away too long) it re-reads the instances and prints what changed meanwhile.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import type { Instance } from '../record/types.js'

/**
 * Waits between reconnections: doubling from `firstMs` up to `maxMs`, back to `firstMs` once events flow again.
 * 250 ms rides out an agent's restart or a proxy's idle cut without a visible gap; 10 s caps the wait once the
 * agent is back, and keeps a watcher of a down agent to a request every 10 s.
 */
export const RECONNECT_BACKOFF = { firstMs: 250, maxMs: 10_000 } as const

/** What `watchAgent` needs. */
export interface WatchOptions {
  /** The agent's URL, without a trailing slash. */
  agent: string
  service?: string
  /** Print each event's JSON instead of a line of text. */
  json: boolean
  token?: string
  /** Stops the watch (Ctrl-C). */
  signal: AbortSignal
  /** @default console.log */
  print?: (line: string) => void
  /** Connection news, on stderr so that stdout stays one line per event. @default console.error */
  warn?: (line: string) => void
  backoff?: { firstMs: number, maxMs: number }
}

/** One SSE frame: its `event:`, `data:` and `id:` lines (an id alone moves the resume point). */
interface Frame { event: string, data?: string, id?: string }

type Detail = { type?: string, instance?: Instance, previous?: Instance, reason?: string, member?: { peerId: string, state: string } }

const keyOf = (instance: Instance): string => `${instance.owner}/${instance.id}`

/** Watches until `signal` aborts; returns the exit code. Throws when the agent cannot be reached at first, or refuses the watch. */
export async function watchAgent (options: WatchOptions): Promise<number> {
  const { agent, service, json, signal } = options
  const print = options.print ?? console.log
  const warn = options.warn ?? console.error
  const backoff = options.backoff ?? RECONNECT_BACKOFF
  const url = `${agent}/v1/watch?snapshot=1${service === undefined ? '' : `&service=${encodeURIComponent(service)}`}`
  let lastId: string | undefined
  /** The instances as of the last snapshot plus the changes since, to tell what a reset made us miss. */
  let known: Map<string, Instance> | undefined
  let incoming: Map<string, Instance> | undefined
  let connected = false
  let delayMs = backoff.firstMs

  const show = (event: string, detail: Detail): void => {
    if (json) print(JSON.stringify(detail))
    else if (detail.instance !== undefined) print(`${event} ${detail.instance.service}@${detail.instance.version} ${detail.instance.address}:${detail.instance.port} ${detail.instance.status}`)
    else if (detail.member !== undefined) print(`member ${detail.member.peerId} ${detail.member.state}`)
  }
  const handle = (frame: Frame): void => {
    if (frame.data === undefined) return
    const detail = JSON.parse(frame.data) as Detail
    switch (frame.event) {
      case 'snapshot':
        (incoming ??= new Map()).set(keyOf(detail.instance!), detail.instance!)
        return
      case 'synced':
        // The first snapshot is the starting point; one after a reset stands for the changes missed.
        if (known !== undefined) for (const [type, change] of missed(known, incoming ?? new Map())) show(type, change)
        known = incoming ?? new Map()
        incoming = undefined
        return
      case 'reset':
        warn(`the agent cannot resume after ${lastId ?? 'the start'} (${(detail as { reason?: string }).reason ?? 'reset'}): re-reading its instances`)
        incoming = new Map()
        return
      case 'overflow':
        warn('fell too far behind the agent; resuming')
        return
      case 'up': case 'changed':
        known?.set(keyOf(detail.instance!), detail.instance!)
        break
      case 'down':
        known?.delete(keyOf(detail.instance!))
        break
    }
    show(frame.event, detail)
  }

  while (!signal.aborted) {
    try {
      const response = await fetch(url, {
        signal,
        headers: { accept: 'text/event-stream', ...(lastId !== undefined && { 'last-event-id': lastId }), ...(options.token !== undefined && { authorization: `Bearer ${options.token}` }) }
      })
      if (!response.ok || response.body === null) {
        const body = await response.json().catch(() => ({})) as { error?: string, code?: string }
        // A refusal (bad service name, bad id) will not change on a retry; an agent in trouble (5xx) may.
        if (response.status < 500 || !connected) throw new Refused(`${response.status} ${body.code ?? ''}: ${body.error ?? 'cannot watch'}`)
        throw new Error(`${response.status} ${body.code ?? ''}`)
      }
      if (!connected && !json) print(`watching ${service ?? 'every service'} at ${agent} (Ctrl-C to stop)`)
      if (connected) warn(`reconnected to ${agent}${lastId === undefined ? '' : `, resuming after ${lastId}`}`)
      connected = true
      for await (const frame of frames(response.body)) {
        handle(frame)
        if (frame.id !== undefined) lastId = frame.id
        // Events flow again: the next drop is a new one, not the same outage.
        if (frame.data !== undefined) delayMs = backoff.firstMs
      }
      if (signal.aborted) break
      warn(`the agent closed the stream; reconnecting in ${delayMs} ms`)
    } catch (err) {
      if (signal.aborted) break
      if (err instanceof Refused) throw err
      if (!connected) throw new Error(`cannot reach the agent at ${agent}: ${reasonOf(err)}`)
      warn(`lost the connection to ${agent} (${reasonOf(err)}); reconnecting in ${delayMs} ms`)
    }
    await sleep(delayMs, undefined, { signal }).catch(() => {})
    delayMs = Math.min(delayMs * 2, backoff.maxMs)
  }
  return 0
}

/** The agent answered, and said no: retrying would not help. */
class Refused extends Error {}

/** fetch's own message is "fetch failed" or "terminated"; the socket's reason is in its cause. */
function reasonOf (err: unknown): string {
  const { message, cause } = err as Error & { cause?: { message?: string } }
  return cause?.message === undefined ? message : `${message}: ${cause.message}`
}

/** The changes from `before` to `after`, as events: `down` (reason `missed`), `changed`, `up`. */
function missed (before: ReadonlyMap<string, Instance>, after: ReadonlyMap<string, Instance>): Array<[string, Detail]> {
  const changes: Array<[string, Detail]> = []
  for (const [key, instance] of before) {
    const now = after.get(key)
    if (now === undefined) changes.push(['down', { type: 'down', instance, reason: 'missed' }])
    else if (now.stamp.wall !== instance.stamp.wall || now.stamp.logical !== instance.stamp.logical) changes.push(['changed', { type: 'changed', instance: now, previous: instance }])
  }
  for (const [key, instance] of after) if (!before.has(key)) changes.push(['up', { type: 'up', instance }])
  return changes
}

/** Parses a Server-Sent Events body into frames (the parts of the format the agent sends: one data line each). */
async function * frames (body: AsyncIterable<Uint8Array>): AsyncGenerator<Frame, void, undefined> {
  const decoder = new TextDecoder()
  let buffer = ''
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true })
    let end: number
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const frame: Frame = { event: 'message' }
      for (const line of buffer.slice(0, end).split('\n')) {
        const colon = line.indexOf(':')
        if (colon <= 0) continue
        const value = line.slice(colon + 1).replace(/^ /, '')
        const field = line.slice(0, colon)
        if (field === 'event') frame.event = value
        else if (field === 'data') frame.data = value
        else if (field === 'id') frame.id = value
      }
      buffer = buffer.slice(end + 2)
      yield frame
    }
  }
}
