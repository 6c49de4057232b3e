/**
 * This node's own records: stamping, signing, applying locally and gossiping them, and writing over records of
 * an earlier run of this node (same key) that come back from the network. The only writer of records owned by
 * this node; it does not validate caller input (the facade does) and does not decide liveness.
 *
 * The writes of one instance id run one at a time, in the order they were called, whether or not the caller
 * awaits them; each reads the instance as the writes before it left it and is stamped when it runs, so the last
 * write called is the one every node ends with. Hence: an `update` patches the latest version (two patches in
 * flight both land); an `update` or `remove` after a `remove` finds nothing (a deregistration is final until a
 * later `put`); a `put` of an id already owned, or being put, replaces it whole; and a record of an earlier run
 * is written over according to what this node owns when its turn comes, never over a write called before it.
 * `get` and `size` show the writes that have completed.
 */
import type { Logger } from '@libp2p/interface'
import { InvalidRecordError } from '../errors.js'
import { MEMBER_RECORD_ID, type AlertRecord, type ChainAnchor, type InstanceRecord, type MemberRecord, type SignedRecord } from '../record/types.js'
import { compareHlc, type Hlc } from '../clock/hlc.js'
import type { Replica, ReplicaEffect } from '../replica.js'
import type { Envelopes } from './envelopes.js'
import type { Transport } from './transport.js'

/** A member advertises at most this many addresses (the record limit). */
const MAX_ADVERTISED_ADDRS = 16

/** What own writes need from the node around them. */
export interface OwnWritesInit {
  readonly self: string
  readonly namespace: string
  /** This node's name for people, signed in its member record (the `name` option). */
  readonly name?: string
  readonly maxRecordBytes: number
  readonly replica: Replica
  readonly envelopes: Envelopes
  readonly transport: Transport
  /** Wall-clock now, for stamps. */
  readonly now: () => number
  /** Monotonic now, for the replica's durations (see `Replica.tell`). */
  readonly elapsed: () => number
  /** The heartbeat chain the member record signs. */
  readonly chain: () => ChainAnchor
  /** Where the effects of applying an own write go (instance changes to announce). */
  readonly effects: (effects: readonly ReplicaEffect[]) => void
  /** Bytes of a record handed to the wire. */
  readonly sent: (bytes: number) => void
  readonly log: Logger
}

/** An instance record as a caller writes it: the stamp is taken when the write runs. */
export type UnstampedInstance = Omit<InstanceRecord, 'stamp'>

/** Instances this node owns, and the writes that publish them. */
export class OwnWrites {
  private readonly owned = new Map<string, InstanceRecord>()
  /** Per instance id with writes in flight, the last of them to run (settled either way, never rejecting). */
  private readonly queued = new Map<string, Promise<void>>()

  constructor (private readonly init: OwnWritesInit) {}

  /** A stamp for a local write: after every stamp this node has written or seen. */
  stamp (): Hlc {
    return this.init.replica.stamp(this.init.now())
  }

  /** The instance this node owns under `id`, if any. */
  get (id: string): InstanceRecord | undefined {
    return this.owned.get(id)
  }

  /** Number of instances this node owns. */
  get size (): number {
    return this.owned.size
  }

  /** Publishes `record` as the instance's new version, owned by this node from here on. */
  async put (record: UnstampedInstance): Promise<InstanceRecord> {
    return this.serial(record.id, async () => this.publish(record))
  }

  /**
   * Publishes `change` of the version of instance `id` current when this write runs. Resolves to what was
   * published, or `undefined` (nothing written) if this node no longer owns `id` by then. A change that returns
   * `current` itself writes nothing and resolves to it: a write that changes nothing would only cost gossip.
   */
  async update (id: string, change: (current: InstanceRecord) => UnstampedInstance): Promise<InstanceRecord | undefined> {
    return this.serial(id, async () => {
      const current = this.owned.get(id)
      if (current === undefined) return undefined
      const next = change(current)
      return next === current ? current : this.publish(next)
    })
  }

  /**
   * Deregisters an instance this node owns: a tombstone wins over every older version. Resolves to false
   * (nothing written) if this node does not own `id` when this write runs.
   */
  async remove (id: string): Promise<boolean> {
    return this.serial(id, async () => {
      const current = this.owned.get(id)
      if (current === undefined) return false
      await this.write(this.tombstone(id, current.service))
      this.owned.delete(id)
      return true
    })
  }

  /** Publishes this node's member record (addresses, heartbeat chain); `leaving` announces a graceful leave. */
  async putMember (leaving = false): Promise<Uint8Array> {
    const record: MemberRecord = {
      kind: 'member',
      deleted: false,
      owner: this.init.self,
      id: MEMBER_RECORD_ID,
      namespace: this.init.namespace,
      stamp: this.stamp(),
      // Loopback addresses last: they help only nodes on the same host.
      addrs: this.init.transport.multiaddrs()
        .sort((a, b) => Number(a.includes('/127.0.0.1/')) - Number(b.includes('/127.0.0.1/')))
        .slice(0, MAX_ADVERTISED_ADDRS),
      chain: this.init.chain(),
      leaving,
      name: this.init.name
    }
    if (leaving) return this.init.envelopes.seal(record)
    return (await this.write(record)).envelope
  }

  /** Signs and gossips this node's alert against `subject` (silent, or dead here). Not stored. Returns the envelope. */
  async alert (subject: string, incarnation: Hlc): Promise<Uint8Array> {
    const alert: AlertRecord = { kind: 'alert', deleted: false, owner: this.init.self, id: '', namespace: this.init.namespace, stamp: this.stamp(), subject, incarnation }
    const envelope = await this.init.envelopes.seal(alert)
    this.init.sent(await this.init.transport.publish(envelope))
    return envelope
  }

  /**
   * A record of ours from an earlier run of this node came back: write something newer over it (the replica
   * witnessed its stamp, so the next stamp wins). It waits for the writes of its id called before it arrived:
   * one of them may be a registration under way, which it must not delete. Then an instance we own is
   * re-published and any other deleted, so it cannot come back, unless what we wrote since already beats it.
   */
  async supersede (record: SignedRecord): Promise<void> {
    this.init.log('superseding record %s from an earlier run of this node', record.id === MEMBER_RECORD_ID ? '(member)' : record.id)
    if (record.kind === 'member') {
      await this.putMember()
      return
    }
    await this.serial(record.id, async () => {
      const current = this.init.replica.table.get(this.init.self, record.id)
      if (current !== undefined && compareHlc(current.record.stamp, record.stamp) > 0) return
      const mine = this.owned.get(record.id)
      if (mine !== undefined) await this.publish(mine)
      else await this.write(this.tombstone(record.id, record.kind === 'instance' ? record.service : ''))
    })
  }

  /**
   * Runs `work` once every write of `id` called before it has settled; a failed one does not stall those after
   * it, which read what it left.
   */
  private async serial<T> (id: string, work: () => Promise<T>): Promise<T> {
    const before = this.queued.get(id)
    const running = before === undefined ? work() : before.then(work)
    const settled = running.then(() => {}, () => {})
    this.queued.set(id, settled)
    try {
      return await running
    } finally {
      if (this.queued.get(id) === settled) this.queued.delete(id)
    }
  }

  /** Stamps and publishes a version of an instance; within `serial` for its id. */
  private async publish (unstamped: UnstampedInstance): Promise<InstanceRecord> {
    let record: InstanceRecord = { ...unstamped, stamp: this.stamp() }
    if (!(await this.write(record)).applied) {
      // A record of ours from an earlier run, stamped later, arrived while this one was being signed (a clock
      // that went back). The replica witnessed its stamp, so one more stamp wins over it.
      record = { ...unstamped, stamp: this.stamp() }
      await this.write(record)
    }
    this.owned.set(record.id, record)
    return record
  }

  private tombstone (id: string, service: string): SignedRecord {
    return { kind: 'instance', deleted: true, owner: this.init.self, id, namespace: this.init.namespace, stamp: this.stamp(), service }
  }

  /** Signs, applies and gossips a record; `applied` is false if something newer of ours was already here. */
  private async write (record: SignedRecord): Promise<{ envelope: Uint8Array, applied: boolean }> {
    const envelope = await this.init.envelopes.seal(record)
    if (envelope.length > this.init.maxRecordBytes) {
      // Peers would refuse it as oversized: fail here, where the caller can still shrink it.
      throw new InvalidRecordError('instance', `The signed record is ${envelope.length} bytes, over \`maxRecordBytes\` (${this.init.maxRecordBytes}): shorten its metadata or tags`)
    }
    const result = this.init.replica.ingestLocal({ record, envelope }, this.init.now(), this.init.elapsed())
    this.init.effects(result.effects)
    this.init.sent(await this.init.transport.publish(envelope))
    return { envelope, applied: result.outcome === 'applied' }
  }
}
