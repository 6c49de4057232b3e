/**
 * Which open connections carry no gossip, and should be closed and dialled again. Gossipsub opens its streams
 * only when libp2p's registrar reports a peer connected, once per peer until every connection to it has closed.
 * So a connection can be left without gossip in two ways: its peer had both gossip streams and lost one (a frame
 * over its bound, a reset: gossipsub drops the peer and keeps the connection), or it opened while another
 * connection to the same peer was still closing (both ends reconnecting at once after such a loss), so the
 * registrar never reported it and neither end opens a stream. Pure: the caller brings the connections and the time.
 */

/**
 * How long a connection may stay open without both gossip streams before it is taken for one that will never get
 * them. Identify, which reports the peer's protocols to the registrar, gives up after 5 s; gossipsub opens its
 * streams within a round trip of that. Twice that bound leaves a loaded node room to finish.
 */
export const GOSSIP_STREAMS_GRACE_MS = 10_000

/** What the check needs of an open connection. */
export interface OpenConnection {
  readonly id: string
  readonly peer: string
}

/** Remembers, across maintenance rounds, which connections had gossip and since when the others have had none. */
export class GossipLinks {
  /** Connections whose peer had both gossip streams at the last round. */
  private linked = new Set<string>()
  /** Connections without gossip since they were first seen so (monotonic ms), not yet given up on. */
  private bare = new Map<string, number>()

  /**
   * One round: returns the peers to reconnect, each once, whose connection lost its gossip streams since the last
   * round or has had none for GOSSIP_STREAMS_GRACE_MS. Connections that are gone are forgotten.
   */
  check (connections: readonly OpenConnection[], hasGossip: (peer: string) => boolean, nowMs: number): string[] {
    const [linkedBefore, bareBefore] = [this.linked, this.bare]
    this.linked = new Set()
    this.bare = new Map()
    const reconnect = new Set<string>()
    for (const { id, peer } of connections) {
      if (hasGossip(peer)) {
        this.linked.add(id)
        continue
      }
      const bareSince = bareBefore.get(id) ?? nowMs
      if (linkedBefore.has(id) || nowMs - bareSince >= GOSSIP_STREAMS_GRACE_MS) reconnect.add(peer)
      else this.bare.set(id, bareSince)
    }
    return [...reconnect]
  }
}
