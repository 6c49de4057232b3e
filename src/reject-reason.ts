/**
 * Why a message from the network was refused. Rejections are counted by reason and logged at debug level;
 * they never throw past the net boundary. Append only: these names are metric labels.
 */
export type RejectReason =
  /** Larger than the limit for its kind, checked before decoding. */
  | 'oversized'
  /** Not decodable as the expected message or envelope. */
  | 'malformed'
  /** The envelope signature does not verify. */
  | 'bad-signature'
  /** Signed for another payload type or domain than the one expected here. */
  | 'wrong-type'
  /** A record of another namespace. */
  | 'wrong-namespace'
  /** Decoded, signed, but a field breaks a limit or a rule (the detail names the field). */
  | 'invalid-record'
  /** Stamped further in the future than `maxClockDrift`. */
  | 'future-stamp'
  /** Would give its owner more than `maxInstancesPerOwner` instances. */
  | 'too-many-instances'
  /** A record or heartbeat of a member this node holds dead, not newer than what it had. */
  | 'dead-member'
  /** A heartbeat whose hash-chain proof does not verify. */
  | 'bad-proof'
  /** A record from a peer this node was told not to accept records from. */
  | 'not-allowed'
  /** Over a per-peer rate limit. */
  | 'rate-limited'
  /** A stream or connection that did not finish a frame (or its handshake) within its bound: closed. */
  | 'stalled'
  /** A record this node already holds, byte for byte, sent again: counted, not verified a second time. */
  | 'duplicate'
  /** A record of an owner not yet established here, over what such owners together may make this node store. */
  | 'owner-budget'
  /** An inbound connection over the bound on connections still in their handshake from one address. */
  | 'too-many-pending'
  /**
   * A record that differs from one held with the same owner, id and stamp: its owner signed two versions of one
   * write. One wins by the tie-break everywhere; this counts the evidence against the owner.
   */
  | 'equivocation'
  /** A new record while this node holds `maxRecords` and has no record of an owner not yet established to evict. */
  | 'table-full'

/** A refusal with a human-readable detail, as pure functions return it. */
export interface Rejection {
  readonly reason: RejectReason
  readonly detail: string
}
