/**
 * The controller's side of the worker processes: fork, request/reply with timeouts, and waiting for the
 * observations every worker reports.
 */
import { fork, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import type { Envelope, Replies, Request, WorkerMessage } from './protocol.js'

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url))

/** One worker process and the nodes it hosts. */
export class Worker {
  readonly peerIds: string[] = []
  readonly addrs: string[] = []
  private readonly child: ChildProcess
  private nextId = 1
  private readonly pending = new Map<number, { resolve: (value: unknown) => void, reject: (err: Error) => void }>()
  private readonly listeners = new Set<(message: WorkerMessage) => void>()
  private readonly exited: Promise<void>

  constructor (readonly name: string) {
    // tsx's loader in-process (not its CLI, which would run a grandchild): the pid is the node's, so SIGKILL hits it.
    // BENCH_CPU_PROF_DIR=<dir>: each worker writes a V8 CPU profile there when it exits (Node refuses --cpu-prof
    // in NODE_OPTIONS, so it has to be given here).
    const profile = process.env.BENCH_CPU_PROF_DIR === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}`]
    this.child = fork(WORKER, [], { execArgv: [...profile, '--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
    this.exited = new Promise((resolve) => this.child.once('exit', () => { resolve() }))
    this.child.on('message', (message: WorkerMessage) => {
      if (message.kind === 'reply') {
        const waiter = this.pending.get(message.id)
        this.pending.delete(message.id)
        if (message.ok) waiter?.resolve(message.value)
        else waiter?.reject(new Error(`${this.name}: ${message.error}`))
        return
      }
      for (const listener of this.listeners) listener(message)
    })
    this.child.once('exit', (code, signal) => {
      for (const waiter of this.pending.values()) waiter.reject(new Error(`${this.name} exited (${signal ?? code})`))
      this.pending.clear()
    })
  }

  get pid (): number {
    return this.child.pid!
  }

  /** Sends a request and waits for its reply, at most `timeoutMs`. */
  async ask<Op extends Request['op']> (request: Extract<Request, { op: Op }>, timeoutMs = 60_000): Promise<Replies[Op]> {
    const id = this.nextId++
    const reply = new Promise<unknown>((resolve, reject) => {
      this.pending.set(id, { resolve, reject })
      setTimeout(() => {
        if (this.pending.delete(id)) reject(new Error(`${this.name}: no reply to ${request.op} within ${timeoutMs} ms`))
      }, timeoutMs).unref()
    })
    this.child.send({ ...request, id } satisfies Envelope)
    return reply as Promise<Replies[Op]>
  }

  /** Calls `listener` with every observation this worker reports until the returned function is called. */
  observe (listener: (message: WorkerMessage) => void): () => void {
    this.listeners.add(listener)
    return () => { this.listeners.delete(listener) }
  }

  /** Stops the worker's nodes gracefully and waits for it to exit (SIGKILL after `timeoutMs`). */
  async stop (timeoutMs = 15_000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs)
    await this.ask({ op: 'stop' }, timeoutMs).catch(() => undefined)
    await this.exited
    clearTimeout(timer)
  }

  /** Stops the process with SIGSTOP: a hang, as peers see it (its sockets stay open, nothing answers). */
  hang (): void {
    this.child.kill('SIGSTOP')
  }

  /** Kills the process without a graceful leave: a crash, as peers see it. Resolves when it is gone. */
  async kill (): Promise<void> {
    this.child.kill('SIGKILL')
    await this.exited
  }
}

/**
 * Waits until every worker in `workers` reports an observation that `match` accepts, and returns the latest
 * time among them. Start waiting before triggering the change, so no report is missed.
 */
export function waitForAll (workers: readonly Worker[], match: (message: WorkerMessage) => number | undefined, timeoutMs: number, what: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const times = new Map<Worker, number>()
    const stops: Array<() => void> = []
    const finish = (outcome: () => void): void => {
      clearTimeout(timer)
      for (const stop of stops) stop()
      outcome()
    }
    const timer = setTimeout(() => {
      finish(() => { reject(new Error(`${what}: ${times.size} of ${workers.length} workers reported within ${timeoutMs} ms`)) })
    }, timeoutMs)
    for (const worker of workers) {
      stops.push(worker.observe((message) => {
        const at = match(message)
        if (at === undefined || times.has(worker)) return
        times.set(worker, at)
        if (times.size === workers.length) finish(() => { resolve(Math.max(...times.values())) })
      }))
    }
  })
}

/** Polls `check` every `intervalMs` until it returns true, at most `timeoutMs`. */
export async function pollUntil (check: () => Promise<boolean>, timeoutMs: number, intervalMs: number, what: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (await check()) return
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
  throw new Error(`no ${what()} within ${timeoutMs} ms`)
}
