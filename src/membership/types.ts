/**
 * What the failure detector takes and gives: its options, the view of a member, state changes and what a beat, an
 * alert or a tick meant. Types only, so that the replica and tests can name them without the detector's code.
 */
import type { Hlc } from '../clock/hlc.js'
import type { MemberState } from '../record/types.js'
import type { Rejection } from '../reject-reason.js'

/** Timing and bounds of the detector, in ms. */
export interface DetectorOptions {
  /** This node's peer id: it watches its subjects and is never in its own table of members. */
  readonly self: string
  /** An observer that has not heard a subject's beat for this long alerts; one alert makes a member suspect. */
  readonly suspectAfter: number
  /**
   * A suspicion that no quorum confirms and the member does not refute is a death after this long; and a node
   * that hears nothing from the cluster at all (cut off) holds every member dead after this much silence. Also
   * how long a member must be held alive here, without a break, before it is established (see `isEstablished`).
   */
  readonly deadAfter: number
  /** How long a dead member (and its death mark) is remembered before it is forgotten. */
  readonly forgetAfter: number
  /** Most chain steps one beat may skip; bounds the hashing a single beat can cost. */
  readonly maxChainSteps: number
  /** Observers of each member (K rings). */
  readonly observers: number
  /** Alerts of distinct observers that make a member dead at once (at most the observers still alive here). */
  readonly quorum: number
  /**
   * Self-preservation: when more than this share of the established members this node knows (counting those that
   * died in the last `deadAfter`) fall silent or under suspicion at once, this node assumes it is the one cut off
   * and keeps them suspect and stale instead of dead. 1 disables it.
   */
  readonly selfPreservationThreshold: number
  /** Longest trouble (ms) self-preservation keeps a member from dying. */
  readonly selfPreservationLimit: number
  /**
   * How often the driver calls `tick` (ms). A tick later than that by more than a quarter of `suspectAfter` (and
   * more than one interval) means this node's own event loop stalled (a GC pause, a busy host, a suspended VM): beats may be waiting unread in its sockets, so
   * the stall does not count as anyone's silence (Lifeguard's local health, in its simplest form). Without it,
   * every gap between ticks counts in full.
   */
  readonly tickInterval?: number
}

/** A member as this node sees it. */
export interface MemberView {
  readonly peerId: string
  /** The name in the member's newest member record seen here; '' if it gives none. */
  readonly name: string
  readonly state: MemberState
  /** When this node last heard the member itself (a beat, a newer record) or first heard of it, on its clock. */
  readonly lastHeardMs: number
  /** Last verified beat sequence of the current chain. */
  readonly seq: number
  readonly chainId: number | undefined
  /** Newest stamp among the member's records seen here; when dead, its death mark. */
  readonly maxStamp: Hlc
  /** Kept suspect by self-preservation past the point it would have died. */
  readonly stale: boolean
  /** Observers whose alerts against the member's current incarnation this node holds. */
  readonly alerts: number
  /**
   * True when this node is one of the member's observers, so it hears the member's beats and `lastHeardMs` keeps
   * up while the member lives. Of any other member it hears only records and its observers' alerts.
   */
  readonly observed: boolean
}

/** Why a member changed state. `forced`: an operator forced a member dead here to leave (see `forceLeave`). */
export type TransitionReason = 'first-heard' | 'heartbeat' | 'record' | 'silence' | 'alerts' | 'leave' | 'forced'

/** A change of a member's state. */
export interface Transition {
  readonly peerId: string
  readonly from: MemberState | 'unknown'
  readonly to: MemberState
  readonly reason: TransitionReason
}

/** What a beat meant. */
export type BeatOutcome =
  /** Verified and newer than anything heard. */
  | { readonly kind: 'fresh', readonly transition?: Transition }
  /** Not newer than the last verified beat: drop it. */
  | { readonly kind: 'old' }
  /** No record of this member yet: pull its records. */
  | { readonly kind: 'unknown-member' }
  /** A chain this node has no anchor for: pull the member record. */
  | { readonly kind: 'unknown-chain' }
  /** The proof does not verify: penalise the sender. */
  | { readonly kind: 'rejected', readonly rejection: Rejection }

/** An alert against a member, as the replica hands it over (signature and namespace already checked). */
export interface AlertInput {
  readonly observer: string
  readonly subject: string
  readonly incarnation: Hlc
}

/** What an alert meant. `counted` alerts are news and worth gossiping on; the others are dropped quietly. */
export type AlertOutcome =
  | { readonly kind: 'counted', readonly transition?: Transition }
  | { readonly kind: 'ignored', readonly why: 'unknown-subject' | 'gone' | 'stale' | 'not-observer' | 'duplicate' }

/** An alert this node must sign and gossip, as one of the subject's observers. */
export interface OwnAlert {
  readonly subject: string
  readonly incarnation: Hlc
}

/** What a tick decided. */
export interface TickResult {
  readonly transitions: Transition[]
  readonly alerts: OwnAlert[]
}
