/**
 * The events a registry emits, by name (`noun:verb`), with their detail types. Events are dispatched only after
 * the local state is consistent, so a listener that calls `lookup()` sees the change. Listeners must not throw:
 * a throwing listener becomes an uncaught exception in Node.
 */
import type { Instance, MemberState } from './record/types.js'
import type { RejectReason } from './reject-reason.js'

/** A member as `members()` returns it. */
export interface Member {
  /** The member's peer id. */
  readonly peerId: string
  /**
   * The member's name for people (its `name` option), from its newest member record seen here; `''` if it gives
   * none (versions before names). Not unique and not an identity: the peer id is.
   */
  readonly name: string
  /** Liveness as seen by this node. */
  readonly state: MemberState
  /** Suspect past `deadAfter`, kept only by self-preservation: its instances are left out of lookups by default. */
  readonly stale: boolean
  /**
   * When this node last heard the member itself (a fresh heartbeat or record) or first learned of it, ms since the
   * epoch on this node's clock. It keeps up while the member lives only where `observed` is true.
   */
  readonly lastSeen: number
  /**
   * True when this node is one of the member's observers and hears its heartbeats. Beats go to a few observers, not
   * to everyone: of a member it does not observe, a node hears only records and the observers' alerts, so an old
   * `lastSeen` there says nothing of the member's health. False for this node itself.
   */
  readonly observed: boolean
  /** Number of live instances this node holds for the member. */
  readonly instances: number
  /** Multiaddrs the member advertises. */
  readonly addrs: readonly string[]
  /** True for this node itself. */
  readonly self: boolean
}

/** Why an instance left the local view. */
export type DownReason = 'deregistered' | 'member-dead' | 'member-left' | 'superseded' | 'evicted'

/** One change of the visible instance set, as `watch()` and `changes()` deliver it. */
export type Change =
  | { readonly type: 'up', readonly instance: Instance }
  | { readonly type: 'down', readonly instance: Instance, readonly reason: DownReason }
  | { readonly type: 'changed', readonly instance: Instance, readonly previous: Instance }

/** A member's state changed. */
export interface MemberChange {
  readonly member: Member
  readonly from: MemberState | 'unknown'
}

/** A message from the network was refused. */
export interface Rejected {
  readonly reason: RejectReason
  readonly detail: string
  /** Peer id of the sender, when known. */
  readonly from?: string
  /**
   * Whether it counted against the sender (a strike; 20 ban it): only what the sender itself is responsible for
   * does, never what it merely relayed.
   */
  readonly struck?: boolean
}

/** Event name -> detail type. */
export interface RegistryEvents {
  /** An instance became visible here. */
  'instance:up': CustomEvent<Change & { type: 'up' }>
  /** An instance left the view: deregistered, or its owner died or left. */
  'instance:down': CustomEvent<Change & { type: 'down' }>
  /** A visible instance changed (status, metadata, weight, ...). */
  'instance:changed': CustomEvent<Change & { type: 'changed' }>
  /** A member was heard for the first time, or again after being suspect or dead. */
  'member:alive': CustomEvent<MemberChange>
  /** An observer of the member alerted that it went silent, or this node lost contact with the cluster. */
  'member:suspect': CustomEvent<MemberChange>
  /** A member went silent (crashed, hung, cut off) and enough evidence says so: its instances are gone from the view. */
  'member:dead': CustomEvent<MemberChange>
  /**
   * A member left gracefully: its instances are gone from the view. Also when an operator forced a member dead
   * here to leave (`forceLeave`), from `dead`.
   */
  'member:left': CustomEvent<MemberChange>
  /** A record or heartbeat from the network was refused. */
  'record:rejected': CustomEvent<Rejected>
}
