/**
 * The records the registry gossips. An instance record says "owner O offers service S at version V, here";
 * a member record says "owner O is alive with these addresses and this heartbeat chain". Both are keyed by
 * (owner, id), stamped by the owner's hybrid logical clock and signed by the owner's key.
 */
import type { Hlc } from '../clock/hlc.js'

/** Health of an instance as published by its owner. `critical` instances are left out of lookups by default. */
export type InstanceStatus = 'passing' | 'warning' | 'critical'

/** The fields a caller chooses when registering an instance. */
export interface InstanceFields {
  /** Service name, e.g. `orders`. */
  readonly service: string
  /** Semantic version of the service this instance offers, e.g. `2.1.0`. */
  readonly version: string
  /** Host name or IP address where the instance listens. */
  readonly address: string
  /** TCP/UDP port, 1-65535. */
  readonly port: number
  /** Free-form labels used to filter lookups, e.g. `['eu', 'canary']`. */
  readonly tags: readonly string[]
  /** String key/value pairs, e.g. `{ zone: 'eu-west-1a' }`. */
  readonly metadata: Readonly<Record<string, string>>
  /** Relative weight for weighted balancing, 0-10 000. */
  readonly weight: number
  /** Published health. */
  readonly status: InstanceStatus
}

/** What every signed record carries. */
export interface RecordHeader {
  /** Peer id (base58) of the node that owns and signed the record. Only the owner writes it. */
  readonly owner: string
  /** Instance id, unique per owner. Member records use the reserved id `''`. */
  readonly id: string
  /** The registry namespace the record belongs to: records never cross namespaces. */
  readonly namespace: string
  /** The owner's hybrid-logical-clock stamp: the higher stamp wins. */
  readonly stamp: Hlc
}

/**
 * An owner's switch that takes an instance out of lookups without deregistering it. While it is on, the owner
 * publishes the instance `critical` (whatever its checks say), so every node, older ones included, leaves it out.
 */
export interface Maintenance {
  /** Why, as the operator said; may be empty. */
  readonly reason: string
}

/** A live instance record. */
export interface InstanceRecord extends RecordHeader, InstanceFields {
  readonly kind: 'instance'
  readonly deleted: false
  /** Set while the owner holds the instance in maintenance. */
  readonly maintenance?: Maintenance
}

/** A deregistered instance: it beats every older version of the same key until it is reaped. */
export interface InstanceTombstone extends RecordHeader {
  readonly kind: 'instance'
  readonly deleted: true
  /** Service the instance belonged to, so receivers can update their index and tell watchers. */
  readonly service: string
}

/** Heartbeat hash chain advertised by a member: beats reveal successive preimages of `anchor`. */
export interface ChainAnchor {
  /** Random id of this chain; a member starts a new chain when the old one runs out or it restarts. */
  readonly chainId: number
  /** H^length(seed): the value a beat with sequence `s` hashes to after `s` steps. */
  readonly anchor: Uint8Array
  /** Number of beats the chain can prove. */
  readonly length: number
}

/** A member's self-description: where to reach it, its heartbeat chain, and whether it is leaving. */
export interface MemberRecord extends RecordHeader {
  readonly kind: 'member'
  readonly deleted: false
  /** Multiaddrs other nodes can dial to reach this member. */
  readonly addrs: readonly string[]
  readonly chain: ChainAnchor
  /** True when the member is shutting down gracefully: peers drop it at once instead of waiting for `deadAfter`. */
  readonly leaving: boolean
  /**
   * A name for people (the `name` option), shown beside the peer id; never an identity. Absent when the member
   * has none: older versions do not send one (on the wire, `''`).
   */
  readonly name?: string
}

/** Any record the table keeps: it travels in a signed envelope and is merged last-writer-wins. */
export type SignedRecord = InstanceRecord | InstanceTombstone | MemberRecord

/**
 * An observer's signed verdict that a member it watches went silent. Gossiped, never stored in the table: a
 * member is dead where enough of its observers' alerts agree (see membership/detector.ts). Its id is `''`.
 */
export interface AlertRecord extends RecordHeader {
  readonly kind: 'alert'
  readonly deleted: false
  /** Peer id of the silent member. */
  readonly subject: string
  /** The stamp of the subject's member record the observer held; a newer member record refutes the alert. */
  readonly incarnation: Hlc
}

/** Everything that travels in a signed envelope. */
export type Sealed = SignedRecord | AlertRecord

/** The reserved id of a member record. Instance ids are never empty. */
export const MEMBER_RECORD_ID = ''

/** An instance as lookups return it: the record plus what this node knows of its owner. */
export interface Instance extends InstanceFields {
  /** Instance id, unique per owner. */
  readonly id: string
  /** Peer id of the owning node. */
  readonly owner: string
  /** The owner's stamp of this version of the record. */
  readonly stamp: Hlc
  /** The owner's liveness as seen from here. */
  readonly memberState: MemberState
  /** Set while the owner holds the instance in maintenance (then `status` is `critical`). */
  readonly maintenance?: Maintenance
}

/**
 * Liveness of a member as seen by this node: `dead` after silence (crash, hang, cut off), `left` after a
 * graceful leave. Neither comes back but through something newer from the member itself.
 */
export type MemberState = 'alive' | 'suspect' | 'dead' | 'left'

/** True for the two states a member does not come back from by itself: `dead` and `left`. */
export function isGone (state: MemberState | undefined): boolean {
  return state === 'dead' || state === 'left'
}
