/**
 * This node's connections, kept from libp2p's open and close events. libp2p's `getConnections()` builds a new
 * array per call by concatenating one array per peer, and the maintenance round needs the connections twice per
 * heartbeat: at N = 50 in one process that walk was a twentieth of an idle node's work (docs/performance.md,
 * "Idle cost"). Kept here, a round reads them without allocating.
 */
import type { Connection } from '@libp2p/interface'

/** A connection with its peer id as a string, made once when it opens. */
export interface TrackedConnection {
  readonly id: string
  readonly peer: string
  readonly connection: Connection
}

/** The connections of one node, by connection id, with how many each peer has. */
export class OpenConnections {
  private readonly byId = new Map<string, TrackedConnection>()
  private readonly perPeer = new Map<string, number>()

  /** A connection opened (or was found at start). Idempotent. */
  opened (connection: Connection): void {
    if (this.byId.has(connection.id)) return
    const peer = connection.remotePeer.toString()
    this.byId.set(connection.id, { id: connection.id, peer, connection })
    this.perPeer.set(peer, (this.perPeer.get(peer) ?? 0) + 1)
  }

  /** A connection closed. Idempotent. */
  closed (connection: Connection): void {
    const tracked = this.byId.get(connection.id)
    if (tracked === undefined) return
    this.byId.delete(connection.id)
    const left = (this.perPeer.get(tracked.peer) ?? 1) - 1
    if (left > 0) this.perPeer.set(tracked.peer, left)
    else this.perPeer.delete(tracked.peer)
  }

  /** Every connection not yet closed (some may be closing: see `Connection.status`). */
  all (): IterableIterator<TrackedConnection> {
    return this.byId.values()
  }

  /** Peers with at least one connection. */
  peers (): IterableIterator<string> {
    return this.perPeer.keys()
  }

  /** True if `peer` has a connection. */
  has (peer: string): boolean {
    return this.perPeer.has(peer)
  }

  get size (): number {
    return this.byId.size
  }

  get peerCount (): number {
    return this.perPeer.size
  }
}
