/**
 * The discrete-event core shared by every membership model: one event queue (tinyqueue), per-message log-normal
 * latency and independent loss, traffic counters, and the three ways a member goes wrong:
 *
 * - crashed: its events never run again and its connections close, so connected peers get a disconnect
 *   (one hop later) that a design may use as a hint;
 * - hung: its events never run again but its connections stay open (no disconnect, messages to it vanish);
 * - slow: during a stall (1 s in every 10 s) its events wait and run, in order, when the stall ends; messages
 *   to it queue the same way. That is a blocked event loop: timers fire late, sockets fill up.
 */
import TinyQueue from 'tinyqueue'
import { Rng } from '../simulate/rng.js'
import { FRAMING } from './sizes.js'

export type MemberState = 'alive' | 'suspect' | 'dead'

/** What a design tells the harness: `observer` now holds `subject` in `state` (only on a change). */
export type MarkListener = (observer: number, subject: number, state: MemberState, at: number) => void

export interface EngineConfig {
  readonly nodes: number
  readonly loss: number
  readonly latency: { readonly medianMs: number, readonly sigma: number }
  readonly seed: number
  /** The run throws BudgetExceeded past this many events (every loop is bounded). */
  readonly maxEvents: number
  /** ... or past this much wall time. */
  readonly maxWallMs: number
}

export const ENGINE_DEFAULTS: Omit<EngineConfig, 'nodes' | 'seed'> = {
  loss: 0,
  latency: { medianMs: 0.5, sigma: 0.5 },
  maxEvents: 60_000_000,
  maxWallMs: 240_000
}

export class BudgetExceeded extends Error {}

const UP = 0
const CRASHED = 1
const HUNG = 2

interface Event {
  readonly at: number
  readonly seq: number
  /** The node the event runs on, or -1 for the harness. */
  readonly node: number
  readonly run: () => void
}

/** Slow-node stalls: `stallMs` out of every `periodMs`, the first starting at `fromMs`. */
export interface Stalls {
  readonly node: number
  readonly fromMs: number
  readonly periodMs: number
  readonly stallMs: number
}

export interface TrafficCount {
  messages: number
  bytes: number
}

export class Engine {
  readonly rng: Rng
  now = 0
  /** Counting traffic only while true (steady-state windows). */
  counting = false
  readonly sent = new Map<string, TrafficCount>()
  events = 0
  private readonly status: Uint8Array
  private readonly queue = new TinyQueue<Event>([], (a, b) => a.at - b.at || a.seq - b.seq)
  private seq = 0
  private stalls: Stalls | undefined
  private readonly wallStart = performance.now()
  private readonly listeners: MarkListener[] = []

  constructor (readonly config: EngineConfig) {
    this.rng = new Rng(config.seed)
    this.status = new Uint8Array(config.nodes)
  }

  get nodes (): number {
    return this.config.nodes
  }

  onMark (listener: MarkListener): void {
    this.listeners.push(listener)
  }

  /** Designs call this on every change of a node's view of a member. */
  mark (observer: number, subject: number, state: MemberState): void {
    for (const listener of this.listeners) listener(observer, subject, state, this.now)
  }

  isUp (node: number): boolean {
    return this.status[node] === UP
  }

  isCrashed (node: number): boolean {
    return this.status[node] === CRASHED
  }

  /** Failed = crashed or hung: nothing it would do happens any more. */
  isFailed (node: number): boolean {
    return this.status[node] !== UP
  }

  crash (node: number, peers: Iterable<number>, onDisconnect: (peer: number, gone: number) => void): void {
    this.status[node] = CRASHED
    for (const peer of peers) {
      if (peer !== node && this.isUp(peer)) this.onNode(peer, this.now + this.latency(), () => { onDisconnect(peer, node) })
    }
  }

  hang (node: number): void {
    this.status[node] = HUNG
  }

  setStalls (stalls: Stalls | undefined): void {
    this.stalls = stalls
  }

  /** When `node` can next run something, from `t` on. */
  private readyAt (node: number, t: number): number {
    const s = this.stalls
    if (s === undefined || s.node !== node || t < s.fromMs) return t
    // The same end for every event of one stall, so deferred events keep their order (seq breaks the tie).
    const start = s.fromMs + Math.floor((t - s.fromMs) / s.periodMs) * s.periodMs
    const end = start + s.stallMs
    return t < end ? end : t
  }

  /** A harness event. */
  at (at: number, run: () => void): void {
    this.queue.push({ at, seq: this.seq++, node: -1, run })
  }

  /** An event on `node`: dropped if the node has failed, deferred to the end of a stall. */
  onNode (node: number, at: number, run: () => void): void {
    this.queue.push({ at, seq: this.seq++, node, run })
  }

  /** A timer of `node`, `delayMs` from now. */
  timer (node: number, delayMs: number, run: () => void): void {
    this.onNode(node, this.now + delayMs, run)
  }

  latency (): number {
    return this.rng.logNormal(this.config.latency.medianMs, this.config.latency.sigma)
  }

  /** Counts a message of `payload` bytes (plus framing) sent by anyone, under `kind`. */
  count (kind: string, payload: number, messages = 1): void {
    if (!this.counting) return
    let entry = this.sent.get(kind)
    if (entry === undefined) this.sent.set(kind, entry = { messages: 0, bytes: 0 })
    entry.messages += messages
    entry.bytes += payload + FRAMING * messages
  }

  /** Sends one message: counted, lost with probability `loss`, else run at `to` one hop later. */
  send (kind: string, payload: number, to: number, deliver: () => void): void {
    this.count(kind, payload)
    if (this.rng.chance(this.config.loss)) return
    if (this.status[to] !== UP) return
    this.onNode(to, this.now + this.latency(), deliver)
  }

  /** Runs events up to `untilMs`. */
  runUntil (untilMs: number): void {
    const { maxEvents, maxWallMs } = this.config
    while (this.queue.length > 0 && this.queue.peek()!.at <= untilMs) {
      const event = this.queue.pop()!
      if (event.node >= 0) {
        if (this.status[event.node] !== UP) continue
        const ready = this.readyAt(event.node, event.at)
        if (ready > event.at) {
          this.queue.push({ at: ready, seq: this.seq++, node: event.node, run: event.run })
          continue
        }
      }
      this.now = event.at
      event.run()
      if (++this.events % 100_000 === 0) {
        if (this.events > maxEvents) throw new BudgetExceeded(`more than ${maxEvents} events by ${Math.round(this.now)} simulated ms`)
        if (performance.now() - this.wallStart > maxWallMs) throw new BudgetExceeded(`more than ${maxWallMs / 1000} s of wall time by ${Math.round(this.now)} simulated ms`)
      }
    }
    this.now = Math.max(this.now, untilMs)
  }
}
