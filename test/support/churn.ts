/**
 * A churn driver over registry nodes running as processes: random registers and deregisters at a fixed rate,
 * each recorded in a checker when acknowledged, for a bounded time.
 */
import type { Instance } from '../../src/index.js'
import type { Checker } from './checker.js'
import { NsNode } from './netns.js'

/**
 * The soak's timings: a heartbeat of 500 ms and suspicion after 2 s, slower than the test preset's, since 20
 * processes under full churn share two cores.
 */
export const CHURN_TIMING = Object.freeze({ heartbeatInterval: 500, suspectAfter: 2_000, deadAfter: 6_000, antiEntropyInterval: 5_000 })

/** A node the driver may use, with its peer id. */
export interface ChurnNode {
  readonly node: NsNode
  readonly peerId: string
  /** Instances it registered and has not deregistered (in its current run). */
  owned: string[]
  alive: boolean
}

/** Runs churn for `durationMs` at `opsPerSecond`, on the nodes marked alive at each step. Returns the op count. */
export async function churn (nodes: ChurnNode[], checker: Checker, options: { opsPerSecond: number, durationMs: number, service: string, random?: () => number }): Promise<number> {
  const random = options.random ?? Math.random
  const start = Date.now()
  const intervalMs = 1000 / options.opsPerSecond
  let ops = 0
  let serial = 0
  const inFlight = new Set<Promise<void>>()
  while (Date.now() - start < options.durationMs) {
    const live = nodes.filter((n) => n.alive)
    const target = live[Math.floor(random() * live.length)]
    if (target !== undefined) {
      const op = (async () => {
        const requestedAt = Date.now()
        if (target.owned.length > 0 && random() < 0.4) {
          const id = target.owned.splice(Math.floor(random() * target.owned.length), 1)[0]!
          await target.node.call('deregister', id)
          checker.deregistered(target.peerId, id, Date.now(), requestedAt)
        } else {
          const id = `c-${serial++}`
          const instance = await target.node.call<Instance>('register', { id, service: options.service, version: '1.0.0', address: '10.0.0.1', port: 1 + (serial % 60_000) })
          target.owned.push(instance.id)
          checker.registered(target.peerId, instance.id, Date.now(), requestedAt)
        }
      })().catch(() => {
        // An op on a node being killed is never acknowledged: the checker does not count it.
      })
      inFlight.add(op)
      void op.finally(() => inFlight.delete(op))
      ops++
    }
    // Pace by the schedule, not by the ops: a slow op does not slow the rate.
    const next = start + ops * intervalMs
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - Date.now())))
  }
  await Promise.all(inFlight)
  return ops
}

/** The `owner/id` keys a node shows for a service (duplicates kept). */
export async function viewOf (node: NsNode, service: string): Promise<string[]> {
  const instances = await node.call<Instance[]>('lookup', service)
  return instances.map((i) => `${i.owner}/${i.id}`)
}

/**
 * Starts `count` nodes as processes on this host, each one after the first bootstrapping to it, into `nodes` (so
 * that the caller can stop them whatever happens), and waits until every node holds every member alive.
 */
export async function startChurnCluster (nodes: ChurnNode[], count: number, options: Record<string, unknown>, timeoutMs: number): Promise<void> {
  const first = new NsNode(undefined, { ...options, logPrefix: 's0' })
  nodes.push({ node: first, peerId: await first.peerId, owned: [], alive: true })
  const self = (await first.call<Array<{ self: boolean, addrs: string[] }>>('members')).find((m) => m.self)!
  const seed = self.addrs.find((a) => a.includes('/127.0.0.1/'))!
  const starting = Array.from({ length: count - 1 }, (_, i) => new NsNode(undefined, { ...options, logPrefix: `s${i + 1}`, bootstrap: [seed] }))
  for (const node of starting) nodes.push({ node, peerId: await node.peerId, owned: [], alive: true })
  const deadline = Date.now() + timeoutMs
  let fewest = 0
  while (Date.now() < deadline) {
    const alive = await Promise.all(nodes.map(async (n) => (await n.node.call<Array<{ state: string }>>('members')).filter((m) => m.state === 'alive').length))
    fewest = Math.min(...alive)
    if (fewest === count) return
    await new Promise((resolve) => setTimeout(resolve, 500))
  }
  throw new Error(`the ${count} nodes did not all see each other alive within ${timeoutMs} ms (at worst ${fewest} alive)`)
}

/** How long acknowledged writes took to show at every node, overall and in the first and last windows of the run. */
export interface Propagation {
  /** Acknowledgements seen at every node (the others are not measured). */
  readonly measured: number
  /** From the acknowledgement to the last node showing the change: what a client sees after its write returns. */
  readonly lagP50Ms: number
  readonly lagP99Ms: number
  readonly lagMaxMs: number
  /** From the request instead: it counts the time the write waited at a node that was behind. */
  readonly requestLagP99Ms: number
  /**
   * Median lag from the request, of the writes requested in the first and in the last `windowMs` of the run: a
   * backlog grows if the second is larger. (From the acknowledgement it would hide one: a node that is behind
   * acknowledges late.)
   */
  readonly firstWindowP50Ms: number
  readonly lastWindowP50Ms: number
}

/** The lag of each acknowledged write to the matching event at the last node to show it (the nodes' own clocks). */
export function propagation (checker: Checker, nodes: readonly ChurnNode[], windowMs = 10_000): Propagation {
  const seenAt = nodes.map((n) => {
    const first = new Map<string, number>()
    for (const e of n.node.events) {
      const key = `${e.owner}/${e.id}/${e.event}`
      if (!first.has(key)) first.set(key, e.atMs)
    }
    return first
  })
  const lags: Array<{ requestedAtMs: number, lagMs: number, requestLagMs: number }> = []
  for (const ack of checker.acks) {
    const times = seenAt.map((first) => first.get(`${ack.key}/${ack.kind}`))
    if (!times.every((t) => t !== undefined)) continue
    const last = Math.max(...times as number[])
    lags.push({ requestedAtMs: ack.requestedAtMs, lagMs: Math.max(0, last - ack.atMs), requestLagMs: Math.max(0, last - ack.requestedAtMs) })
  }
  const sorted = (values: number[]): number[] => values.sort((a, b) => a - b)
  const fromAck = sorted(lags.map((l) => l.lagMs))
  const start = Math.min(...checker.acks.map((a) => a.requestedAtMs))
  const end = Math.max(...checker.acks.map((a) => a.requestedAtMs))
  const median = (within: (atMs: number) => boolean): number => percentile(sorted(lags.filter((l) => within(l.requestedAtMs)).map((l) => l.requestLagMs)), 0.5)
  return {
    measured: lags.length,
    lagP50Ms: percentile(fromAck, 0.5),
    lagP99Ms: percentile(fromAck, 0.99),
    lagMaxMs: fromAck.at(-1) ?? Number.NaN,
    requestLagP99Ms: percentile(sorted(lags.map((l) => l.requestLagMs)), 0.99),
    firstWindowP50Ms: median((at) => at < start + windowMs),
    lastWindowP50Ms: median((at) => at > end - windowMs)
  }
}

function percentile (sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN
}
