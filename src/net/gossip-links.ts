/**
 * Which open connections lost their gossip, and should be closed and dialled again. Gossipsub drops a peer whose
 * gossip stream failed (a frame over its bound, a reset) but keeps the connection, and opens streams only when
 * libp2p's registrar reports a peer connected: once per peer, until every connection to it has closed. So a
 * connection whose peer had both gossip streams and lost one is reconnected at the next round.
 *
 * The reconnection itself can fail the same way: both ends lose the streams at once and both reconnect, and the
 * new connection may open while the old one is still closing; the registrar then never reports it and neither end
 * opens a stream. A peer reconnected after a loss is therefore watched: if it still has no gossip after
 * GOSSIP_STREAMS_GRACE_MS, it is reconnected again, up to MAX_RECONNECTS times. A connection that never had gossip
 * and follows no loss is left alone: under load at N = 100 identify times out on some connections, which then carry
 * beats and anti-entropy but no gossip, and closing those every few seconds kept the cluster from forming.
 * Pure: the caller brings the connections and the time.
 */

/**
 * How long a peer reconnected after a loss may go without both gossip streams before it is reconnected again.
 * Identify, which reports the peer's protocols to the registrar, gives up after 5 s; gossipsub opens its streams
 * within a round trip of that. Twice that bound leaves a loaded node room to finish.
 */
export const GOSSIP_STREAMS_GRACE_MS = 10_000
/** Reconnections of one peer after one loss of gossip: bounded, so a peer that never gossips is not dialled forever. */
export const MAX_RECONNECTS = 3

/** What the check needs of an open connection. */
export interface OpenConnection {
  readonly id: string
  readonly peer: string
}

/** A peer reconnected after it lost its gossip: since when (monotonic ms) and how many times. */
interface Reconnecting {
  sinceMs: number
  attempts: number
}

/** Remembers, across maintenance rounds, which connections had gossip and which peers are being reconnected. */
export class GossipLinks {
  /** Connections whose peer had both gossip streams at the last round. */
  private linked = new Set<string>()
  private readonly reconnecting = new Map<string, Reconnecting>()

  /** One round: returns the peers to reconnect now, each once. */
  check (connections: Iterable<OpenConnection>, hasGossip: (peer: string) => boolean, nowMs: number): string[] {
    const linkedBefore = this.linked
    this.linked = new Set()
    const reconnect = new Set<string>()
    const bare = new Set<string>()
    for (const { id, peer } of connections) {
      if (hasGossip(peer)) {
        this.linked.add(id)
        this.reconnecting.delete(peer)
      } else if (linkedBefore.has(id)) {
        reconnect.add(peer)
        this.reconnecting.set(peer, { sinceMs: nowMs, attempts: 1 })
      } else {
        bare.add(peer)
      }
    }
    for (const [peer, state] of this.reconnecting) {
      if (reconnect.has(peer) || nowMs - state.sinceMs < GOSSIP_STREAMS_GRACE_MS) continue
      // Not connected by now (its dial failed, or it is gone): dialling is maintenance's ordinary business.
      if (!bare.has(peer) || state.attempts >= MAX_RECONNECTS) {
        this.reconnecting.delete(peer)
        continue
      }
      reconnect.add(peer)
      state.sinceMs = nowMs
      state.attempts++
    }
    return [...reconnect]
  }
}
