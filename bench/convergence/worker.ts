/**
 * A worker process of the convergence bench: it hosts some of the cluster's nodes and reports, for each
 * change, when the last of its nodes showed it. Started by the controller with `fork` (see fleet.ts).
 */
import { Socket as DatagramSocket } from 'node:dgram'
import { Socket } from 'node:net'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import type { Registry, RegistryOptions } from '../../src/index.js'
import { BENCH_SERVICE, STANDING_SERVICE, now, type Envelope, type Replies, type Request, type Sample, type WorkerMessage } from './protocol.js'

/** How many of the earlier nodes each new node bootstraps to: enough for a connected overlay from the start. */
const BOOTSTRAP_FANOUT = 3

// RSS before the registry's code (libp2p and the rest) is loaded, so a sample can tell what embedding costs.
const baseRssBytes = process.memoryUsage().rss
const { createRegistry } = await import('../../src/index.js')
const JOIN_POLL_MS = 5

// Bench-only instrumentation: every TCP socket in this process is a libp2p connection to another bench node
// (the IPC channel is a pipe, not a net.Socket), so bytes handed to Socket#write are this process's wire
// bytes out, with noise, yamux, identify and gossipsub control included. In = out over the whole cluster.
// Headers (TCP, UDP, IP) are not counted, for either transport.
let wireOut = 0
const write = Socket.prototype.write as (this: Socket, ...args: unknown[]) => boolean
Socket.prototype.write = function (this: Socket, ...args: unknown[]): boolean {
  const chunk = args[0]
  if (chunk instanceof Uint8Array) wireOut += chunk.byteLength
  else if (typeof chunk === 'string') wireOut += Buffer.byteLength(chunk)
  return write.apply(this, args)
} as typeof Socket.prototype.write
// Beats travel as UDP datagrams once a link is confirmed: their bytes are wire bytes out too.
const sendDatagram = DatagramSocket.prototype.send as (this: DatagramSocket, ...args: unknown[]) => void
DatagramSocket.prototype.send = function (this: DatagramSocket, ...args: unknown[]): void {
  const message = args[0]
  for (const part of Array.isArray(message) ? message : [message]) {
    if (part instanceof Uint8Array) wireOut += part.byteLength
    else if (typeof part === 'string') wireOut += Buffer.byteLength(part)
  }
  sendDatagram.apply(this, args)
} as typeof DatagramSocket.prototype.send

// The event loop's longest delay since the last sample: a stalled process looks silent to its nodes' observers.
const loopDelay = monitorEventLoopDelay({ resolution: 20 })
loopDelay.enable()

const nodes: Registry[] = []
/** Per change key (`up:<id>`, `down:<id>`): the nodes here that showed it and when the last one did. */
const seen = new Map<string, { nodes: Set<number>, at: number }>()
const deaths = new Map<string, { nodes: Set<number>, at: number }>()
/** Member transitions to suspect and to dead seen by this worker's nodes, summed: a steady window expects none. */
const transitions = { suspect: 0, dead: 0 }

function send (message: WorkerMessage): void {
  process.send?.(message)
}

function observe (book: Map<string, { nodes: Set<number>, at: number }>, key: string, node: number, done: (at: number) => void): void {
  let entry = book.get(key)
  if (entry === undefined) {
    entry = { nodes: new Set(), at: 0 }
    book.set(key, entry)
  }
  entry.nodes.add(node)
  entry.at = Math.max(entry.at, now())
  if (entry.nodes.size === nodes.length) {
    book.delete(key)
    done(entry.at)
  }
}

function watchNode (registry: Registry, index: number): void {
  registry.watch(BENCH_SERVICE, (change) => {
    if (change.type === 'changed') return
    const key = `${change.type}:${change.instance.id}`
    observe(seen, key, index, (at) => { send({ kind: 'seen', key, at }) })
  })
  registry.addEventListener('member:suspect', () => { transitions.suspect++ })
  registry.addEventListener('member:dead', (event) => {
    transitions.dead++
    const peerId = event.detail.member.peerId
    observe(deaths, peerId, index, (at) => { send({ kind: 'dead', peerId, at }) })
  })
}

function pickSeeds (pool: readonly string[]): string[] {
  const copy = [...pool]
  const picked: string[] = []
  while (picked.length < BOOTSTRAP_FANOUT && copy.length > 0) picked.push(copy.splice(Math.floor(Math.random() * copy.length), 1)[0]!)
  return picked
}

// BENCH_TRACE_ALONE=1: each node logs under its own name, and a node still without a connection at a census a
// minute after the first one has libp2p's debug log turned on (to stderr) for itself, to see why it cannot join;
// the peers it fails to dial are named in the census reply, and the controller has them traced too, where they run.
const TRACE_ALONE = process.env.BENCH_TRACE_ALONE === '1'
const TRACE_ALONE_AFTER_MS = 60_000
let firstCensusAt: number | undefined
const traced = new Map<Registry, string>()

function nodeOptions (options: RegistryOptions, seeds: readonly string[]): RegistryOptions {
  const logPrefix = TRACE_ALONE ? { logPrefix: `${process.pid}-n${nodes.length}` } : {}
  return { ...options, ...logPrefix, mdns: false, listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: pickSeeds(seeds) }
}

async function trace (node: Registry, index: number, why: string): Promise<void> {
  traced.set(node, `${process.pid}-n${index}:*`)
  const { enable } = await import('@libp2p/logger')
  enable([...traced.values()].join(','))
  process.stderr.write(`bench: tracing ${process.pid}-n${index} (${node.peerId}), ${why}\n`)
}

async function traceIfAlone (node: Registry, index: number): Promise<void> {
  if (!TRACE_ALONE || traced.has(node) || now() - (firstCensusAt ??= now()) < TRACE_ALONE_AFTER_MS) return
  if (dialState(node).connections > 0) return
  await trace(node, index, 'alone')
}

/** The peers the traced nodes here fail to dial. */
function tracedTargets (): string[] {
  const targets = new Set<string>()
  for (const node of traced.keys()) {
    for (const { target } of dialState(node).failing) targets.add(target.split('/p2p/').at(-1)!)
  }
  return [...targets]
}

interface DialState { connections: number, failing: Array<{ target: string, error: string }> }

/** Bench-only diagnostics of a node that did not join: its connections and failing dials (a private field). */
function dialState (node: Registry): DialState {
  return (node as unknown as { network: { dialState: () => DialState } }).network.dialState()
}

function census (expected: number, targets: readonly string[]): Replies['census'] {
  let minAlive = Infinity
  let short = 0
  let alone = 0
  let minStanding = Infinity
  let worst = ''
  for (const [index, node] of nodes.entries()) {
    if (TRACE_ALONE && !traced.has(node) && targets.includes(node.peerId)) void trace(node, index, 'a peer that an alone node fails to dial')
    void traceIfAlone(node, index)
    const members = node.members()
    const alive = members.filter((m) => m.state === 'alive').length
    if (alive < expected) short++
    if (dialState(node).connections === 0) alone++
    if (alive < minAlive) {
      const { bytesIn, rejected } = node.stats.snapshot()
      worst = `${node.peerId} holds ${alive} alive of ${members.length} members; bytes in: beats ${bytesIn.beats}, gossip ${bytesIn.gossip}, sync ${bytesIn.sync}; rejected ${JSON.stringify(rejected)}; dials ${JSON.stringify(dialState(node))}`
    }
    minAlive = Math.min(minAlive, alive)
    minStanding = Math.min(minStanding, node.lookup(STANDING_SERVICE).length)
  }
  return { minAlive, minStanding, short, alone, worst, traceTargets: TRACE_ALONE ? tracedTargets() : [] }
}

function sample (): Sample {
  const cpu = process.cpuUsage()
  let payloadIn = 0
  let payloadOut = 0
  let messagesOut = 0
  for (const node of nodes) {
    const stats = node.stats.snapshot()
    payloadIn += stats.bytesIn.beats + stats.bytesIn.gossip + stats.bytesIn.sync
    payloadOut += stats.bytesOut.beats + stats.bytesOut.gossip + stats.bytesOut.sync
    messagesOut += stats.messagesOut.beats + stats.messagesOut.gossip + stats.messagesOut.sync
  }
  const loopDelayMaxMs = loopDelay.max / 1e6
  loopDelay.reset()
  return { at: now(), nodes: nodes.length, cpuMicros: cpu.user + cpu.system, rssBytes: process.memoryUsage().rss, baseRssBytes, payloadIn, payloadOut, wireOut, messagesOut, suspicions: transitions.suspect, deaths: transitions.dead, loopDelayMaxMs }
}

async function join (request: Extract<Request, { op: 'join' }>): Promise<Replies['join']> {
  const startedAt = now()
  const node = await createRegistry(nodeOptions(request.options, request.seeds))
  nodes.push(node)
  watchNode(node, nodes.length - 1)
  let tableMs: number | undefined
  let membersMs: number | undefined
  const deadline = startedAt + request.timeoutMs
  while ((tableMs === undefined || membersMs === undefined) && now() < deadline) {
    if (tableMs === undefined && node.lookup(STANDING_SERVICE).length >= request.instances) tableMs = now() - startedAt
    if (membersMs === undefined && node.members().filter((m) => m.state === 'alive').length >= request.members) membersMs = now() - startedAt
    await new Promise((resolve) => setTimeout(resolve, JOIN_POLL_MS))
  }
  if (tableMs === undefined || membersMs === undefined) throw new Error(`the joiner did not hold the full table within ${request.timeoutMs} ms`)
  return { peerId: node.peerId, addr: node.multiaddrs[0]!, tableMs, membersMs }
}

async function handle (request: Request): Promise<unknown> {
  switch (request.op) {
    case 'start': {
      const pool = [...request.seeds]
      for (let i = 0; i < request.count; i++) {
        const node = await createRegistry(nodeOptions(request.options, pool))
        nodes.push(node)
        watchNode(node, nodes.length - 1)
        pool.push(node.multiaddrs[0]!)
        await node.register({ service: STANDING_SERVICE, version: '1.0.0', address: '127.0.0.1', port: 10_000 + nodes.length })
      }
      return { peerIds: nodes.map((n) => n.peerId), addrs: nodes.map((n) => n.multiaddrs[0]!) } satisfies Replies['start']
    }
    case 'register': {
      const startedAt = now()
      const instance = await nodes[request.node]!.register({ service: BENCH_SERVICE, version: '1.0.0', address: '127.0.0.1', port: 10_000 + Math.floor(Math.random() * 50_000) })
      return { instanceId: instance.id, startedAt } satisfies Replies['register']
    }
    case 'deregister': {
      const startedAt = now()
      await nodes[request.node]!.deregister(request.instanceId)
      return { startedAt } satisfies Replies['deregister']
    }
    case 'census':
      return census(request.members, request.trace ?? [])
    case 'sample':
      return sample()
    case 'join':
      return join(request)
    case 'stop':
      await Promise.allSettled(nodes.map(async (node) => node.stop()))
      setImmediate(() => process.exit(0))
      return {}
  }
}

process.on('message', (message: Envelope) => {
  handle(message).then(
    (value) => { send({ kind: 'reply', id: message.id, ok: true, value }) },
    (err: unknown) => { send({ kind: 'reply', id: message.id, ok: false, error: err instanceof Error ? err.message : String(err) }) }
  )
})
// The controller going away ends the worker: no orphaned nodes.
process.on('disconnect', () => { process.exit(0) })
