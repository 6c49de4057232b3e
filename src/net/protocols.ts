/**
 * Topic and protocol names, all scoped by namespace and versioned, so clusters never mix and a future wire
 * change can run beside this one.
 */

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

/** Largest frame of the sync protocol: a few hundred records. Larger sets are split over several frames. */
export const MAX_SYNC_FRAME_BYTES = 1024 * 1024

/**
 * Largest beat frame: a beat is about 35 bytes (chain id, sequence, 16-byte proof, stamp). A reader refuses
 * anything larger before buffering it.
 */
export const MAX_BEAT_FRAME_BYTES = 128

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
