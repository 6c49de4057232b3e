/**
 * One registry node inside a network namespace, driven by the netns tests over stdin/stdout: it prints
 * `{"ready": peerId}`, then answers each `{"id", "method", "params"}` line with `{"id", "result"|"error"}`.
 * It stops (gracefully) when stdin ends.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { createInterface } from 'node:readline'
import { createRegistry, type Registry } from '../../src/index.js'

const options = JSON.parse(process.argv[2] ?? '{}') as Parameters<typeof createRegistry>[0]
const registry: Registry = await createRegistry(options)
const send = (message: unknown): void => { process.stdout.write(`${JSON.stringify(message)}\n`) }
send({ ready: registry.peerId })
// Every change of the visible set, with this host's clock, so a harness can measure propagation lag. Sent in
// batches of up to EVENT_BATCH_MS: under full churn a node sees hundreds of changes a second, and a pipe write
// (and a wake-up of the harness) for each would spend the CPU the soak means to measure for the registry.
const EVENT_BATCH_MS = 50
const events: Array<{ event: string, instance: string, owner: string, atMs: number }> = []
let batch: NodeJS.Timeout | undefined
const flushEvents = (): void => {
  clearTimeout(batch)
  batch = undefined
  if (events.length > 0) send({ events: events.splice(0) })
}
for (const type of ['instance:up', 'instance:down'] as const) {
  registry.addEventListener(type, (event) => {
    events.push({ event: event.detail.type, instance: event.detail.instance.id, owner: event.detail.instance.owner, atMs: Date.now() })
    batch ??= setTimeout(flushEvents, EVENT_BATCH_MS)
  })
}

// Member transitions by kind, for diagnosing liveness under load (`memberChanges`).
const memberChanges: Record<string, number> = {}
for (const type of ['member:alive', 'member:suspect', 'member:dead', 'member:left'] as const) {
  registry.addEventListener(type, () => { memberChanges[type] = (memberChanges[type] ?? 0) + 1 })
}

// The event loop's delay (a stalled node looks silent to its observers), for diagnosing liveness under load.
const loopDelay = monitorEventLoopDelay({ resolution: 20 })
loopDelay.enable()

const methods: Record<string, (...params: never[]) => unknown> = {
  register: async (input: Parameters<Registry['register']>[0]) => registry.register(input),
  deregister: async (id: string) => registry.deregister(id),
  lookup: (service: string) => registry.lookup(service),
  services: () => registry.services(),
  members: () => registry.members(),
  stats: () => {
    const loop = { p99Ms: loopDelay.percentile(99) / 1e6, maxMs: loopDelay.max / 1e6 }
    loopDelay.reset()
    return { ...registry.stats.snapshot(), memberChanges, loop }
  }
}

const lines = createInterface({ input: process.stdin })
for await (const line of lines) {
  const { id, method, params } = JSON.parse(line) as { id: number, method: string, params: never[] }
  try {
    const fn = methods[method]
    if (fn === undefined) throw new Error(`unknown method ${method}`)
    const result = await fn(...params)
    // A caller that reads events after a reply sees every change made before it.
    flushEvents()
    send({ id, result })
  } catch (err) {
    send({ id, error: (err as Error).message })
  }
}
await registry.stop()
flushEvents()
