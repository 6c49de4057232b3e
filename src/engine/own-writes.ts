/**
 * This node's own records: stamping, signing, applying locally and gossiping them, and writing over records of
 * an earlier run of this node (same key) that come back from the network. The only writer of records owned by
 * this node; it does not validate caller input (the facade does) and does not decide liveness.
 */
import type { Logger } from '@libp2p/interface'
import { InvalidRecordError } from '../errors.js'
import { MEMBER_RECORD_ID, type AlertRecord, type ChainAnchor, type InstanceRecord, type MemberRecord, type SignedRecord } from '../record/types.js'
import type { Hlc } from '../clock/hlc.js'
import type { Replica, ReplicaEffect } from '../replica.js'
import type { Envelopes } from './envelopes.js'
import type { Transport } from './transport.js'

/** A member advertises at most this many addresses (the record limit). */
const MAX_ADVERTISED_ADDRS = 16

/** What own writes need from the node around them. */
export interface OwnWritesInit {
  readonly self: string
  readonly namespace: string
  readonly maxRecordBytes: number
  readonly replica: Replica
  readonly envelopes: Envelopes
  readonly transport: Transport
  /** Wall-clock now, for stamps. */
  readonly now: () => number
  /** The heartbeat chain the member record signs. */
  readonly chain: () => ChainAnchor
  /** Where the effects of applying an own write go (instance changes to announce). */
  readonly effects: (effects: readonly ReplicaEffect[]) => void
  /** Bytes of a record handed to the wire. */
  readonly sent: (bytes: number) => void
  readonly log: Logger
}

/** Instances this node owns, and the writes that publish them. */
export class OwnWrites {
  private readonly owned = new Map<string, InstanceRecord>()

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

  /** Publishes a new version of an instance this node owns (the record's stamp must be fresh). */
  async put (record: InstanceRecord): Promise<void> {
    await this.write(record)
    this.owned.set(record.id, record)
  }

  /** Deregisters an instance this node owns: a tombstone wins over every older version. */
  async remove (id: string): Promise<void> {
    const current = this.owned.get(id)
    if (current === undefined) return
    this.owned.delete(id)
    await this.write(this.tombstone(id, current.service))
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
      leaving
    }
    if (leaving) return this.init.envelopes.seal(record)
    return this.write(record)
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
   * witnessed its stamp, so the next stamp wins). An instance we still own is re-published; any other is
   * deleted, so it cannot come back.
   */
  async supersede (record: SignedRecord): Promise<void> {
    this.init.log('superseding record %s from an earlier run of this node', record.id === MEMBER_RECORD_ID ? '(member)' : record.id)
    if (record.kind === 'member') {
      await this.putMember()
      return
    }
    const mine = this.owned.get(record.id)
    if (mine !== undefined) {
      await this.put({ ...mine, stamp: this.stamp() })
      return
    }
    await this.write(this.tombstone(record.id, record.kind === 'instance' ? record.service : ''))
  }

  private tombstone (id: string, service: string): SignedRecord {
    return { kind: 'instance', deleted: true, owner: this.init.self, id, namespace: this.init.namespace, stamp: this.stamp(), service }
  }

  private async write (record: SignedRecord): Promise<Uint8Array> {
    const envelope = await this.init.envelopes.seal(record)
    if (envelope.length > this.init.maxRecordBytes) {
      // Peers would refuse it as oversized: fail here, where the caller can still shrink it.
      throw new InvalidRecordError('instance', `The signed record is ${envelope.length} bytes, over \`maxRecordBytes\` (${this.init.maxRecordBytes}): shorten its metadata or tags`)
    }
    this.init.effects(this.init.replica.ingestLocal({ record, envelope }, this.init.now()).effects)
    this.init.sent(await this.init.transport.publish(envelope))
    return envelope
  }
}
