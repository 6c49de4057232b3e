/**
 * Messages between the convergence bench's controller and its worker processes (over the fork IPC channel).
 * Every timestamp is `now()`: wall-clock milliseconds with sub-millisecond precision, comparable across the
 * processes of one machine.
 */
import type { RegistryOptions } from '../../src/index.js'

/** The service of the instances whose convergence is timed. */
export const BENCH_SERVICE = 'bench'
/** One instance per node registered at start, so the table a late joiner must fetch is not empty. */
export const STANDING_SERVICE = 'standing'

/** Wall-clock ms with the precision of the monotonic clock, comparable between processes on one machine. */
export function now (): number {
  return performance.timeOrigin + performance.now()
}

/** What the controller asks of a worker. */
export type Request =
  /**
   * Start `count` nodes, each registering one instance of STANDING_SERVICE; each bootstraps to a few of
   * `seeds` and of the nodes started before it here.
   */
  | { readonly op: 'start', readonly count: number, readonly seeds: readonly string[], readonly options: RegistryOptions }
  | { readonly op: 'register', readonly node: number }
  | { readonly op: 'deregister', readonly node: number, readonly instanceId: string }
  /** The smallest number of alive members and of visible standing instances over this worker's nodes. */
  | { readonly op: 'census', /** The cluster's size: a node holding fewer members alive is short. */ readonly members: number, /** Peers to trace (BENCH_TRACE_ALONE). */ readonly trace?: readonly string[] }
  | { readonly op: 'sample' }
  /** Start one node and time how long it takes to see `instances` standing instances and `members` alive members. */
  | { readonly op: 'join', readonly seeds: readonly string[], readonly options: RegistryOptions, readonly instances: number, readonly members: number, readonly timeoutMs: number }
  | { readonly op: 'stop' }

/** Replies, by operation. */
export interface Replies {
  start: { readonly peerIds: string[], readonly addrs: string[] }
  register: { readonly instanceId: string, readonly startedAt: number }
  deregister: { readonly startedAt: number }
  census: { readonly minAlive: number, readonly minStanding: number, /** Nodes short of the full membership, and those without a connection. */ readonly short: number, readonly alone: number, /** What the node seeing fewest members sees. */ readonly worst: string, /** Peers that traced nodes fail to dial. */ readonly traceTargets: readonly string[] }
  sample: Sample
  join: { readonly peerId: string, readonly addr: string, readonly tableMs: number, readonly membersMs: number }
  stop: Record<string, never>
}

/** Counters of one worker process at one moment. */
export interface Sample {
  readonly at: number
  readonly nodes: number
  /** User + system CPU time of the process, µs. */
  readonly cpuMicros: number
  readonly rssBytes: number
  /** RSS before the registry's modules were loaded: Node itself and the bench's own code. */
  readonly baseRssBytes: number
  /** Registry payload bytes (records, beats, sync frames) summed over the worker's nodes. */
  readonly payloadIn: number
  readonly payloadOut: number
  /** Bytes written to TCP sockets by this process: everything on the wire, framing and gossipsub control included. */
  readonly wireOut: number
  readonly messagesOut: number
  /** Member transitions to suspect and to dead over this worker's nodes since it started. */
  readonly suspicions: number
  readonly deaths: number
  /** The event loop's longest delay since the previous sample (the first: since the worker started). */
  readonly loopDelayMaxMs: number
}

/** A request as sent, with its correlation id. */
export type Envelope = Request & { readonly id: number }

/** Worker to controller: a reply, or an observation made by every node of the worker. */
export type WorkerMessage =
  | { readonly kind: 'reply', readonly id: number, readonly ok: true, readonly value: unknown }
  | { readonly kind: 'reply', readonly id: number, readonly ok: false, readonly error: string }
  /** Every node of this worker shows the change (`up:<id>` or `down:<id>`); `at` is when the last one did. */
  | { readonly kind: 'seen', readonly key: string, readonly at: number }
  /** Every node of this worker holds `peerId` dead; `at` is when the last one did. */
  | { readonly kind: 'dead', readonly peerId: string, readonly at: number }
