/**
 * A churn driver over registry nodes running as processes: random registers and deregisters at a fixed rate,
 * each recorded in a checker when acknowledged, for a bounded time.
 */
import type { Instance } from '../../src/index.js'
import type { Checker } from './checker.js'
import type { NsNode } from './netns.js'

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
        if (target.owned.length > 0 && random() < 0.4) {
          const id = target.owned.splice(Math.floor(random() * target.owned.length), 1)[0]!
          await target.node.call('deregister', id)
          checker.deregistered(target.peerId, id, Date.now())
        } else {
          const id = `c-${serial++}`
          const instance = await target.node.call<Instance>('register', { id, service: options.service, version: '1.0.0', address: '10.0.0.1', port: 1 + (serial % 60_000) })
          target.owned.push(instance.id)
          checker.registered(target.peerId, instance.id, Date.now())
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
