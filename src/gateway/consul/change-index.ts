/**
 * Consul's `X-Consul-Index` for this agent: a counter that moves on every change this node sees, remembered per
 * service (health and catalog of one service), for the service list and for the members, plus the blocked
 * queries waiting for one of them to move. No I/O: the routes own the HTTP side (headers, disconnects).
 */
import type { Registry } from '../../registry.js'

/** What a read depends on: its index is the last change of that part of the state. */
export type IndexScope =
  | { readonly kind: 'service', readonly service: string }
  | { readonly kind: 'services' }
  | { readonly kind: 'nodes' }
  /** Never changes (the leader, the peers): a blocking read of it simply waits out its `wait`. */
  | { readonly kind: 'static' }

/** Why a blocking query was refused. */
export class TooManyBlockingQueriesError extends Error {
  constructor (readonly limit: number) {
    super(`This agent already holds ${limit} blocking queries; retry later, or without \`?index=\``)
    this.name = 'TooManyBlockingQueriesError'
  }
}

interface Waiter {
  readonly scope: IndexScope
  readonly seen: number
  readonly wake: () => void
}

const INSTANCE_EVENTS = ['instance:up', 'instance:down', 'instance:changed'] as const
const MEMBER_EVENTS = ['member:alive', 'member:suspect', 'member:dead'] as const

/**
 * The indexes of one agent. They start at 1 (Consul clients treat 0 as "no index" and some refuse it) and only
 * grow while the agent runs; a restarted agent starts again at 1, and clients that see an index go backwards
 * reset (Consul's documented rule), which `wait` helps by answering at once for any index it never issued.
 */
export class ChangeIndex {
  private counter = 1
  private servicesIndex = 1
  private nodesIndex = 1
  /** One entry per service name ever seen here: as many as the registry has held, a few bytes each. */
  private readonly perService = new Map<string, number>()
  private readonly waiters = new Set<Waiter>()
  private readonly unsubscribe: () => void
  private closed = false

  constructor (registry: Registry, private readonly maxWaiters: number) {
    const onInstance = (event: CustomEvent<{ instance: { service: string } }>): void => {
      this.counter++
      this.perService.set(event.detail.instance.service, this.counter)
      this.servicesIndex = this.counter
      this.wakeChanged()
    }
    const onMember = (): void => {
      this.counter++
      this.nodesIndex = this.counter
      this.wakeChanged()
    }
    for (const type of INSTANCE_EVENTS) registry.addEventListener(type, onInstance as never)
    for (const type of MEMBER_EVENTS) registry.addEventListener(type, onMember)
    this.unsubscribe = () => {
      for (const type of INSTANCE_EVENTS) registry.removeEventListener(type, onInstance as never)
      for (const type of MEMBER_EVENTS) registry.removeEventListener(type, onMember)
    }
  }

  /**
   * The index of a scope. A service's answer names its nodes (their addresses come from the members), so it moves
   * with the members too; a service never seen has the index of the moment this agent started.
   */
  of (scope: IndexScope): number {
    switch (scope.kind) {
      case 'service': return Math.max(this.perService.get(scope.service) ?? 1, this.nodesIndex)
      case 'services': return this.servicesIndex
      case 'nodes': return this.nodesIndex
      case 'static': return 1
    }
  }

  /** Blocked queries right now. */
  get blocked (): number {
    return this.waiters.size
  }

  /**
   * Resolves when the scope's index differs from `seen` (at once if it already does), after `waitMs`, or when
   * `signal` aborts (the client went away). Throws `TooManyBlockingQueriesError` past `maxWaiters`.
   */
  async wait (scope: IndexScope, seen: number, waitMs: number, signal: AbortSignal): Promise<void> {
    if (seen === 0 || this.of(scope) !== seen || signal.aborted || this.closed) return
    if (this.waiters.size >= this.maxWaiters) throw new TooManyBlockingQueriesError(this.maxWaiters)
    let resolve!: () => void
    const promise = new Promise<void>((done) => { resolve = done })
    const waiter: Waiter = { scope, seen, wake: resolve }
    const timer = setTimeout(resolve, waitMs)
    const onAbort = (): void => { resolve() }
    signal.addEventListener('abort', onAbort, { once: true })
    this.waiters.add(waiter)
    try {
      await promise
    } finally {
      clearTimeout(timer)
      signal.removeEventListener('abort', onAbort)
      this.waiters.delete(waiter)
    }
  }

  /** Answers every blocked query now (the gateway is closing) and stops listening to the registry. */
  close (): void {
    this.closed = true
    this.unsubscribe()
    for (const waiter of this.waiters) waiter.wake()
  }

  private wakeChanged (): void {
    for (const waiter of this.waiters) {
      if (this.of(waiter.scope) !== waiter.seen) waiter.wake()
    }
  }
}
