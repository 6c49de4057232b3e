/**
 * One simulated run of the registry's engines: a start that converges through their own gossip, a steady-state window where traffic is counted, registrations and
 * deregistrations timed until every live node shows them, and a member killed without a word, timed until
 * every live node holds it dead. False suspicions and deaths of live members are counted throughout.
 */
import { generateKeyPair, generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { DEFAULTS } from '../../src/config.js'
import { encodePayload } from '../../src/record/codec.js'
import { sealRecord } from '../../src/record/sign.js'
import type { InstanceRecord } from '../../src/record/types.js'
import { summarize, type Summary } from '../report/stats.js'
import { SIM_DEFAULTS, SimWorld, type SimChannel, type SimConfig, type TracedMember } from './world.js'

/**
 * Work grows with nodes x traced members (every node verifies every traced beat): this budget keeps a run
 * within minutes. Every member is traced up to N = 447; above that a sample, never fewer than MIN_TRACED.
 */
export const TRACE_BUDGET = 200_000
const MIN_TRACED = 10
const WARMUP_MS = 3_000
/** Long enough for the pulls a beat triggers (a quarter heartbeat later) to settle before the next operation. */
const OP_GAP_MS = 300
const OP_TIMEOUT_MS = 30_000

export interface SimulationOptions {
  readonly nodes: number
  readonly ops: number
  readonly steadySeconds: number
  readonly config?: Partial<Omit<SimConfig, 'nodes' | 'traced' | 'envelopeOverhead'>>
  /** Override the number of traced members. */
  readonly traced?: number
  /** Nodes x traced members to aim for when choosing how many to trace (default TRACE_BUDGET). */
  readonly traceBudget?: number
}

export interface SimulationResult {
  readonly bench: 'simulate'
  readonly nodes: number
  readonly traced: number
  readonly loss: number
  readonly latencyMedianMs: number
  readonly latencySigma: number
  readonly heartbeatMs: number
  readonly deadAfterMs: number
  readonly register: Summary
  readonly deregister: Summary
  /** A crash (connections close) until dead at every live node. */
  readonly detectionMs: number
  /** A hang (connections stay open) until dead at every live node. */
  readonly hangDetectionMs: number
  /** Per node per second at steady state (all channels, framing included), and by channel. */
  readonly messagesPerNodePerSec: number
  readonly bytesPerNodePerSec: number
  readonly byChannel: Record<SimChannel, { readonly messagesPerNodePerSec: number, readonly bytesPerNodePerSec: number }>
  /** Transitions of live members to suspect / dead, summed over every observing node. */
  readonly falseSuspicions: number
  readonly falseDeaths: number
  readonly simulatedSeconds: number
  readonly wallSeconds: number
}

/** Runs one simulation. */
export async function runSimulation (options: SimulationOptions): Promise<SimulationResult> {
  const wallStart = performance.now()
  const traced = options.traced ?? Math.min(options.nodes, Math.max(MIN_TRACED, Math.floor((options.traceBudget ?? TRACE_BUDGET) / options.nodes)))
  const members: TracedMember[] = []
  // Keys from the run's seed: peer ids place members on the observer rings, so a seeded run must fix them too.
  const seed = options.config?.seed ?? SIM_DEFAULTS.seed
  for (let i = 0; i < traced; i++) members.push({ peerId: (await generateKeyPairFromSeed('Ed25519', keySeed(seed, i))).publicKey.toString() })
  const config: SimConfig = { ...SIM_DEFAULTS, ...options.config, nodes: options.nodes, traced, envelopeOverhead: await envelopeOverhead() }

  const changes = new Map<string, number[]>()
  // Two victims: one crashes (its connections close), then one hangs (they stay open).
  const victims = [traced - 1, traced - 2].map((index) => ({ index, peerId: members[index]!.peerId }))
  let killed: string | undefined
  const gone = new Set<string>()
  const deaths = new Map<number, number>()
  let falseSuspicions = 0
  let falseDeaths = 0
  const world = new SimWorld(config, members, {
    change: (_, key, at) => {
      let seen = changes.get(key)
      if (seen === undefined) changes.set(key, seen = [])
      seen.push(at)
    },
    member: (node, peerId, state, at) => {
      if (peerId === killed) {
        if (state === 'dead') deaths.set(node, at)
      } else if (gone.has(peerId)) {
        // A victim already measured: what else happens to it is not a false positive.
      } else if (state === 'suspect') falseSuspicions++
      else if (state === 'dead') falseDeaths++
    }
  })
  await world.start()
  await world.runUntil(WARMUP_MS)

  world.counting = true
  const steadyFrom = world.now
  await world.runUntil(steadyFrom + options.steadySeconds * 1000)
  world.counting = false
  const live = (): number => world.nodes.filter((n) => n.alive).length
  const steadyNodes = live()

  // One operation at a time, each timed until every live node shows it.
  const timeOps = async (kind: 'up' | 'down', act: (owner: number, id: string) => Promise<void>, ids: string[]): Promise<number[]> => {
    const latencies: number[] = []
    for (const [i, id] of ids.entries()) {
      const owner = i % traced
      const startedAt = world.now
      await act(owner, id)
      const key = `${kind}:${id}`
      const deadline = startedAt + OP_TIMEOUT_MS
      while ((changes.get(key)?.length ?? 0) < live() && world.now < deadline) await world.runUntil(world.now + 10)
      const seen = changes.get(key) ?? []
      if (seen.length < live()) throw new Error(`${key} reached ${seen.length} of ${live()} nodes within ${OP_TIMEOUT_MS} ms`)
      latencies.push(Math.max(...seen) - startedAt)
      await world.runUntil(world.now + OP_GAP_MS)
    }
    return latencies
  }
  const ids = Array.from({ length: options.ops }, (_, i) => `op-${i}`)
  const registerMs = await timeOps('up', async (owner, id) => world.register(owner, id), ids)
  const deregisterMs = await timeOps('down', async (owner, id) => world.deregister(owner, id), ids)

  // Each victim timed until every live node holds it dead.
  const timeDeath = async (victim: { index: number, peerId: string }, hang: boolean): Promise<number> => {
    const killedAt = world.now
    killed = victim.peerId
    deaths.clear()
    world.kill(victim.index, { hang })
    const deadline = killedAt + config.deadAfterMs * 3
    while (deaths.size < live() && world.now < deadline) await world.runUntil(world.now + 10)
    if (deaths.size < live()) throw new Error(`the ${hang ? 'hung' : 'crashed'} victim was dead at ${deaths.size} of ${live()} nodes within ${deadline - killedAt} ms`)
    gone.add(victim.peerId)
    return Math.max(...deaths.values()) - killedAt
  }
  const detectionMs = await timeDeath(victims[0]!, false)
  await world.runUntil(world.now + OP_GAP_MS)
  const hangDetectionMs = await timeDeath(victims[1]!, true)

  const seconds = options.steadySeconds
  const perNode = (channel: SimChannel): { messagesPerNodePerSec: number, bytesPerNodePerSec: number } => ({
    messagesPerNodePerSec: round(world.sent[channel].messages / steadyNodes / seconds),
    bytesPerNodePerSec: Math.round(world.sent[channel].bytes / steadyNodes / seconds)
  })
  const byChannel = { beats: perNode('beats'), gossip: perNode('gossip'), sync: perNode('sync') }
  return {
    bench: 'simulate',
    nodes: options.nodes,
    traced,
    loss: config.loss,
    latencyMedianMs: config.latency.medianMs,
    latencySigma: config.latency.sigma,
    heartbeatMs: config.heartbeatMs,
    deadAfterMs: config.deadAfterMs,
    register: summarize(registerMs),
    deregister: summarize(deregisterMs),
    detectionMs: Math.round(detectionMs),
    hangDetectionMs: Math.round(hangDetectionMs),
    messagesPerNodePerSec: round(byChannel.beats.messagesPerNodePerSec + byChannel.gossip.messagesPerNodePerSec + byChannel.sync.messagesPerNodePerSec),
    bytesPerNodePerSec: byChannel.beats.bytesPerNodePerSec + byChannel.gossip.bytesPerNodePerSec + byChannel.sync.bytesPerNodePerSec,
    byChannel,
    falseSuspicions,
    falseDeaths,
    simulatedSeconds: Math.round(world.now / 1000),
    wallSeconds: round((performance.now() - wallStart) / 1000)
  }
}

/** What signing adds to a record's payload: measured once by sealing a real record. */
export async function envelopeOverhead (): Promise<number> {
  const key = await generateKeyPair('Ed25519')
  const record: InstanceRecord = {
    kind: 'instance', deleted: false, owner: key.publicKey.toString(), id: 'probe', namespace: DEFAULTS.namespace,
    stamp: { wall: Date.now(), logical: 0 }, service: 'bench', version: '1.0.0', address: '10.0.0.1', port: 8080,
    tags: [], metadata: {}, weight: 1, status: 'passing'
  }
  return (await sealRecord(record, key)).length - encodePayload(record).length
}

/** 32 bytes that depend only on the run's seed and the member's index. */
export function keySeed (seed: number, index: number): Uint8Array {
  const bytes = new Uint8Array(32)
  new DataView(bytes.buffer).setUint32(0, seed >>> 0)
  new DataView(bytes.buffer).setUint32(4, index >>> 0)
  return bytes
}

function round (value: number): number {
  return Math.round(value * 10) / 10
}
