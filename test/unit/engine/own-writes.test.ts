/**
 * Own writes racing the records of an earlier run of this node (same key) that come back from the network, on
 * the engine with a stub transport and unsigned envelopes. The seal of one write is held open, so the copy from
 * the earlier run arrives exactly while that write is in flight; no sockets, no timers.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { logger } from '@libp2p/logger'
import { describe, expect, it } from 'vitest'
import { SimEnvelopes } from '../../../bench/simulate/sim-envelopes.js'
import { PRESETS, resolveConfig } from '../../../src/config.js'
import { Engine } from '../../../src/engine/engine.js'
import type { Envelopes } from '../../../src/engine/envelopes.js'
import { OwnBeats } from '../../../src/engine/own-beats.js'
import type { ProbeAnswer, SyncOutcome, Transport } from '../../../src/engine/transport.js'
import { PeerGuard } from '../../../src/guard/peer-guard.js'
import type { InstanceRecord, Sealed } from '../../../src/record/types.js'
import { RegistryStats } from '../../../src/stats.js'

const T0 = 1_800_000_000_000
const [SELF, PEER] = await Promise.all([0, 1].map(async () => peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString())) as [string, string]

class StubTransport implements Transport {
  readonly published: Uint8Array[] = []
  connectedPeers (): string[] { return [PEER] }
  multiaddrs (): string[] { return [`/ip4/127.0.0.1/tcp/1/p2p/${SELF}`] }
  async publish (envelope: Uint8Array): Promise<number> { this.published.push(envelope); return envelope.length }
  async sendBeats (): Promise<boolean> { return true }
  async sync (): Promise<SyncOutcome | undefined> { return undefined }
  async push (): Promise<void> {}
  async disconnect (): Promise<void> {}
  async probe (): Promise<ProbeAnswer> { return 'open' }
}

interface Deferred { promise: Promise<void>, resolve: () => void }

function deferred (): Deferred {
  let resolve = (): void => {}
  const promise = new Promise<void>((done) => { resolve = done })
  return { promise, resolve }
}

/** Seals like the simulator, except that one seal can be held open until the test releases it. */
class HeldEnvelopes implements Envelopes {
  readonly sim = new SimEnvelopes(100, 4096)
  private readonly inner = this.sim.forNode()
  private readonly records = new WeakMap<Uint8Array, Sealed>()
  private held: { matches: (record: Sealed) => boolean, started: Deferred, gate: Deferred } | undefined

  /** Runs `start`, holding the first seal of a record that `matches`; resolves once that seal is waiting. */
  async holdNext (matches: (record: Sealed) => boolean, start: () => Promise<unknown>): Promise<{ done: Promise<unknown>, release: () => void }> {
    const held = { matches, started: deferred(), gate: deferred() }
    this.held = held
    const done = start()
    await held.started.promise
    return { done, release: () => { held.gate.resolve() } }
  }

  async seal (record: Sealed): Promise<Uint8Array> {
    const held = this.held
    if (held?.matches(record) === true) {
      this.held = undefined
      held.started.resolve()
      await held.gate.promise
    }
    const envelope = await this.inner.seal(record)
    this.records.set(envelope, record)
    return envelope
  }

  async open (bytes: Uint8Array): ReturnType<Envelopes['open']> {
    return this.inner.open(bytes)
  }

  /** The record an envelope this node sealed carries. */
  recordOf (envelope: Uint8Array): Sealed | undefined {
    return this.records.get(envelope)
  }
}

function setup (): { engine: Engine, transport: StubTransport, envelopes: HeldEnvelopes } {
  const config = resolveConfig({ ...PRESETS.test, clock: { now: () => T0, elapsed: () => 0 } })
  const envelopes = new HeldEnvelopes()
  const transport = new StubTransport()
  const engine = new Engine({
    config, self: SELF, transport, envelopes, guard: new PeerGuard(SELF, undefined), stats: new RegistryStats(),
    random: () => 0.5, beats: new OwnBeats(config.heartbeatChainLength), events: { change: () => {}, member: () => {}, rejected: () => {} },
    log: logger('gossip-registry:test')
  })
  return { engine, transport, envelopes }
}

function instance (wall: number, port = 1): InstanceRecord {
  return { kind: 'instance', deleted: false, owner: SELF, id: 'i', namespace: 'default', stamp: { wall, logical: 0 }, service: 's', version: '1.0.0', address: '10.0.0.1', port, tags: [], metadata: {}, weight: 1, status: 'passing' }
}

const isLive = (record: Sealed): boolean => record.kind === 'instance' && !record.deleted
const isTombstone = (record: Sealed): boolean => record.kind === 'instance' && record.deleted

/** Lets every write already started finish: they only wait on promises that are already resolved. */
async function drained (): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve))
}

/** The last record this node published for instance `i`. */
function lastPublished (transport: StubTransport, envelopes: HeldEnvelopes): Sealed | undefined {
  return transport.published.map((envelope) => envelopes.recordOf(envelope)).filter((record) => record?.id === 'i').at(-1)
}

/**
 * Starts `write` with its signing held open at the first record `held` matches, lets the earlier run's `copy` of
 * instance `i` arrive through a peer meanwhile, then lets the write finish.
 */
async function racedBy (envelopes: HeldEnvelopes, engine: Engine, held: (record: Sealed) => boolean, write: () => Promise<unknown>, copy: InstanceRecord): Promise<void> {
  const { done, release } = await envelopes.holdNext(held, write)
  expect(await engine.handlers.ingest(envelopes.sim.seal(copy), PEER)).toBe('ignore')
  await drained()
  release()
  await done
  await drained()
}

describe('own writes and the records of an earlier run', () => {
  it('keeps a registration made while its copy from an earlier run arrives', async () => {
    const { engine, transport, envelopes } = setup()
    await engine.start()
    // The earlier run's copy comes back through a peer while the registration is being signed.
    await racedBy(envelopes, engine, isLive, async () => engine.own.put(instance(T0, 2)), instance(T0 - 60_000))
    const current = engine.replica.table.get(SELF, 'i')?.record
    expect(current).toMatchObject({ deleted: false, port: 2 })
    expect(lastPublished(transport, envelopes)).toMatchObject({ deleted: false, port: 2 })
    expect(engine.own.get('i')).toMatchObject({ port: 2 })
  })

  it('writes a registration over a copy from an earlier run stamped after it (a clock that went back)', async () => {
    const { engine, transport, envelopes } = setup()
    await engine.start()
    const later = instance(T0 + 30_000, 1)
    await racedBy(envelopes, engine, isLive, async () => engine.own.put(instance(T0, 2)), later)
    const current = engine.replica.table.get(SELF, 'i')?.record
    expect(current).toMatchObject({ deleted: false, port: 2 })
    expect(current?.stamp.wall).toBeGreaterThanOrEqual(later.stamp.wall)
    expect(lastPublished(transport, envelopes)).toEqual(current)
  })

  it('keeps a deregistration made while its copy from an earlier run arrives', async () => {
    const { engine, transport, envelopes } = setup()
    await engine.start()
    await engine.own.put(instance(T0, 2))
    const later = instance(T0 + 30_000, 1)
    await racedBy(envelopes, engine, isTombstone, async () => engine.own.remove('i'), later)
    const current = engine.replica.table.get(SELF, 'i')?.record
    expect(current).toMatchObject({ deleted: true })
    expect(current?.stamp.wall).toBeGreaterThanOrEqual(later.stamp.wall)
    expect(lastPublished(transport, envelopes)).toEqual(current)
    expect(engine.own.get('i')).toBeUndefined()
  })
})
