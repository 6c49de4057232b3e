/**
 * Byte sizes the membership models charge for each message: payload below, plus FRAMING on every message.
 * The all-to-all beat entry is the project's own encoding (encodeBeats of one beat with an Ed25519 owner,
 * a 32-bit chain id, a 2-byte sequence number, a 16-byte hash-chain proof and a records stamp), measured once:
 * 78 B. The other sizes are protobuf-style estimates: 1 B per field tag, varints at their encoded length.
 */

/** Noise (2-byte length + 16-byte tag) + yamux header (12 B) + length prefix (2 B): added to every message. */
export const FRAMING = 32
/** An Ed25519 peer id as bytes (identity multihash of the protobuf public key). */
export const PEER_ID = 38
/** A peer id as a protobuf field: tag + length + id. */
export const PEER_ID_FIELD = PEER_ID + 2
/** What signing adds to a message: Ed25519 signature (64 B) + public key / envelope header (~40 B). */
export const SIGNATURE = 104
/** An incarnation number as a field (tag + varint of up to 2 bytes). */
export const INCARNATION = 3
/** A probe or beat sequence number as a field (tag + varint of up to 4 bytes). */
export const SEQ = 5
/** A message type / small enum field. */
export const TYPE = 1
/** Gossipsub per-message overhead beyond the data: topic string (~24 B) and field tags. */
export const GOSSIPSUB_HEADER = 32
/** A gossipsub message id in IHAVE / IWANT (SHA-256 under StrictNoSign) with its field header. */
export const MESSAGE_ID = 34

/** All-to-all: one beat entry in a batch, measured with src/net/frames.ts encodeBeats. */
export const A2A_BEAT_ENTRY = 78
/** All-to-all: the batch's own field header. */
export const A2A_BATCH_HEADER = 2

/** SWIM: a direct ping. The sender is the authenticated connection's peer, so no source id. */
export const SWIM_PING = TYPE + SEQ
/** SWIM: an ack or a nack. */
export const SWIM_ACK = TYPE + SEQ
/** SWIM: an indirect ping request names its target. */
export const SWIM_PING_REQ = TYPE + SEQ + PEER_ID_FIELD
/** SWIM: a signed alive (refutation): subject, incarnation, signature. */
export const SWIM_ALIVE = TYPE + PEER_ID_FIELD + INCARNATION + SIGNATURE
/** SWIM: a signed suspect or dead: subject, incarnation, accuser, signature. */
export const SWIM_SUSPECT = TYPE + 2 * PEER_ID_FIELD + INCARNATION + SIGNATURE
/** SWIM: each piggybacked broadcast is length-prefixed inside a compound message. */
export const SWIM_PIGGYBACK_HEADER = 2
/** memberlist's UDP budget for one packet: piggybacked broadcasts fill what the message leaves of it. */
export const SWIM_PACKET_BUDGET = 1400

/** Observers: a direct beat to an observer: type, sequence number, incarnation (sender = connection's peer). */
export const RING_BEAT = TYPE + SEQ + INCARNATION
/** Observers: a direct ping (or its answer) to a silent subject before alerting. */
export const RING_PING = TYPE + SEQ
/** Observers: a signed alert: observer, subject, the subject's incarnation, ring number, signature. */
export const RING_ALERT = TYPE + 2 * PEER_ID_FIELD + INCARNATION + 2 + SIGNATURE + GOSSIPSUB_HEADER
/** Observers: a signed refutation (a higher incarnation of the accused). */
export const RING_REFUTE = TYPE + PEER_ID_FIELD + INCARNATION + SIGNATURE + GOSSIPSUB_HEADER
