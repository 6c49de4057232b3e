/**
 * Topic and protocol names, all scoped by namespace and versioned, so clusters never mix and a future wire
 * change can run beside this one.
 */
import { DEFAULTS } from '../config.js'

/** Gossipsub topic of signed record envelopes. */
export function recordsTopic (namespace: string): string {
  return `/gossip-registry/${namespace}/records/1.0.0`
}

/** Stream protocol carrying a member's own heartbeats to one of its observers (2.0.0: observers, no relaying). */
export function beatProtocol (namespace: string): string {
  return `/gossip-registry/${namespace}/beat/2.0.0`
}

/** Stream protocol of the push-pull anti-entropy exchange. */
export function syncProtocol (namespace: string): string {
  return `/gossip-registry/${namespace}/sync/1.0.0`
}

/**
 * Largest frame of the sync protocol: a few hundred records, some 13 000 owner digests or entry summaries, or
 * 25 000 ids. Larger messages are split over several frames (see wire.proto's `more`).
 */
export const MAX_SYNC_FRAME_BYTES = 1024 * 1024

/**
 * Most owners, entries and ids one side reads in the digests, summaries and wants of one exchange, all their frames
 * together. The session needs each of those messages whole, so they are buffered until the last frame; records
 * are not (each is verified as it arrives, under its sender's budget). Past the bound the exchange ends and the
 * peer is struck (`oversized`).
 * Twice the default `maxRecords` (1 000 000): a summary lists at most the records of one table and their owners,
 * a digest one element per owner and a want a subset of what this side summarised, and no table holds more than
 * `maxRecords`. That is what a hostile peer can make one exchange hold: about 100 MB of decoded elements (some
 * 100 bytes each, however small on the wire), against about 500 MB for a table that full.
 */
export const MAX_SYNC_ELEMENTS = 2 * DEFAULTS.maxRecords

/**
 * Largest beat frame: a beat is about 35 bytes (chain id, sequence, 16-byte proof, stamp). A reader refuses
 * anything larger before buffering it.
 */
export const MAX_BEAT_FRAME_BYTES = 128

/**
 * Largest gossipsub frame (one RPC) this node sends or reads, unless one record needs more (gossipFrameBytes).
 * Gossipsub batches a heartbeat's IHAVE ids, an IWANT's answers and piggybacked control into one RPC of any size;
 * this node splits what it sends to fit (see node.ts), and a reader drops the peer's streams on a frame over the
 * bound. 18 KiB holds 4 records of the default 4 KiB, or 540 message ids of 34 bytes: gossipsub's largest IHAVE
 * (5 000 ids) then takes 10 frames, as many IHAVE messages as a receiver takes from one peer per heartbeat. Each
 * inbound gossip stream buffers at most one frame.
 */
export const GOSSIP_FRAME_BYTES = 18 * 1024

/** One gossiped record's framing in an RPC: field tags and lengths, and the topic (namespace of at most 64). */
const GOSSIP_MESSAGE_OVERHEAD_BYTES = 512

/** The gossip frame bound for a cluster whose records may reach `maxRecordBytes`: a frame holds at least one. */
export function gossipFrameBytes (maxRecordBytes: number): number {
  return Math.max(GOSSIP_FRAME_BYTES, maxRecordBytes + GOSSIP_MESSAGE_OVERHEAD_BYTES)
}

/** An anti-entropy exchange that takes longer than this is abandoned. */
export const SYNC_TIMEOUT_MS = 10_000

/**
 * Gossipsub's fan-out for records: a mesh of degree 3 (2 to 6) and IHAVE to 3 more peers per gossipsub
 * heartbeat, like memberlist's GossipNodes = 3, instead of gossipsub's defaults (6, 4 to 12, 6). Every copy a
 * node sends or receives costs a noise-encrypted yamux frame and a socket write; on loopback that is most of the
 * CPU of a delivered record. Measured at 10 nodes x 20 ops/s (`bench/churn-cost.ts`): 4.8 ms of CPU per
 * delivered record at the defaults, 3.2 ms with these; the simulator shows what it costs in hops
 * (docs/performance.md).
 * The publisher still sends to every peer it has (`floodPublish`, as gossipsub does by default): a node whose
 * mesh is thin must still get its own records and alerts out.
 */
export const GOSSIP_FANOUT = Object.freeze({ mesh: 3, meshLow: 2, meshHigh: 6, lazy: 3, floodPublish: true })
