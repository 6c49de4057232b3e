/**
 * The seam between a node's policy (the engine) and the wire. `net/` implements it on libp2p; the simulator
 * implements it in memory. The engine never learns which: every guarantee it may rely on is stated here, per
 * method, and nothing else. Like memberlist's `Transport` and yjs's test connector.
 */
import type { Hlc } from '../clock/hlc.js'
import type { LwwTable } from '../table/table.js'
import type { Rejection, RejectReason } from '../reject-reason.js'

/**
 * What the engine decides about a received record envelope. A gossip transport forwards only `accept`ed ones,
 * and penalises the sender for `reject`. `stop`: the sender is over its budget or banned; read nothing more from
 * it now (an exchange ends there; gossip treats it as `ignore`).
 */
export type Verdict = 'accept' | 'ignore' | 'reject' | 'stop'

/** What an anti-entropy exchange needs from the local node, on either side of it. */
export interface SyncPeer {
  /** The local table the session reads (digests, summaries, wanted entries). */
  readonly table: LwwTable
  /**
   * For an owner dead or left here, the newest stamp its death covers: only its records newer than that can be
   * admitted (they bring it back), so only those are pulled. Undefined for any other owner.
   */
  deathMark: (owner: string) => Hlc | undefined
  /** The peer's summary lists records of `owner`, which is dead here (the initiator's side only). */
  disputed: (owner: string) => void
  /** Verifies and merges one envelope received from `from`, exactly like a gossiped one. */
  ingest: (envelope: Uint8Array, from: string) => Promise<Verdict>
}

/** How an exchange ended, for stats and logs. */
export interface SyncOutcome {
  /** Records handed to the peer. */
  readonly sent: number
  /** Records received from it (whatever they were judged). */
  readonly received: number
  /** Bytes this side wrote, frames included. */
  readonly bytesOut: number
  /** Frames this side wrote. */
  readonly framesOut: number
}

/** The network as the engine uses it. No method throws: failures are reported by return value. */
export interface Transport {
  /** Peer ids of the neighbours connected now (in no particular order; the caller may reorder the array). */
  connectedPeers: () => string[]
  /** Addresses other nodes can dial to reach this one (each ends in /p2p/<peer id>). */
  multiaddrs: () => string[]
  /**
   * Gossips a signed envelope to the cluster. Best-effort: it may reach some nodes late or never (loss, no
   * peer yet); anti-entropy repairs what it misses. Resolves with the bytes handed to the wire (0 if none).
   */
  publish: (envelope: Uint8Array) => Promise<number>
  /**
   * Sends a beat to one observer, dialling it at `addrs` (the addresses its member record advertises) when no
   * connection is open. Best-effort and perishable: dropped (false) rather than queued when the link is busy or
   * cannot be opened, since the next beat supersedes it.
   */
  sendBeats: (peer: string, batch: Uint8Array, addrs: readonly string[]) => Promise<boolean>
  /**
   * Runs one anti-entropy exchange with a peer (all owners, or only `owners`). Reliable or failed as a whole:
   * every frame arrives in order, or the exchange is abandoned (undefined) and nothing about the peer is
   * assumed. At most one exchange per peer at a time: a second concurrent call resolves undefined at once.
   */
  sync: (peer: string, owners?: Iterable<string>) => Promise<SyncOutcome | undefined>
  /**
   * Pushes envelopes straight to `peers` (dialling them if need be), or to every neighbour, within `timeoutMs`:
   * a leave notice, or a notice to a member that it is dead here. Best-effort.
   */
  push: (envelopes: readonly Uint8Array[], timeoutMs: number, peers?: readonly string[]) => Promise<void>
  /** Closes every connection with a peer (one just banned). */
  disconnect: (peer: string) => Promise<void>
  /**
   * Is the peer reachable right now? Dials it (reusing an open connection, else at `addrs`) within `timeoutMs`.
   * Reliable in what it says: `open` means a connection to the peer itself is open; `refused` that its host
   * answered and nothing listens there (the process is gone); `silent` that nothing answered in time or the host
   * cannot be routed to, which is no evidence either way (a crashed host, or this node cut off).
   */
  probe: (peer: string, timeoutMs: number, addrs: readonly string[]) => Promise<ProbeAnswer>
}

/** What a probe learned: see `Transport.probe`. */
export type ProbeAnswer = 'open' | 'refused' | 'silent'

/** What the transport hands to the engine: everything that arrives, undecoded. */
export interface TransportHandlers extends SyncPeer {
  /** A gossiped record envelope from a neighbour; `reject` costs the neighbour gossip score. */
  gossip: (envelope: Uint8Array, from: string) => Promise<Verdict>
  /** A batch of heartbeats from a neighbour. */
  beats: (batch: Uint8Array, from: string) => void
  /** A connection this node dialled opened: the moment for anti-entropy (only the dialler starts it). */
  connected: (peer: string) => void
  /**
   * The last connection with a peer closed. A crashed process's connections close at once (its kernel resets
   * them), a hung one's do not: for an observer, a hint worth checking at once rather than after suspectAfter.
   */
  disconnected: (peer: string) => void
  /** May this peer start an anti-entropy exchange now? */
  admitSync: (peer: string) => boolean
  /** This node answered an exchange a peer started: what it wrote, for the traffic counters. */
  answered: (outcome: SyncOutcome) => void
  /** A peer broke a protocol (malformed frames, a record twice, too many invalid records in one exchange). */
  misbehaved: (peer: string, rejection: Rejection) => void
  /**
   * The transport refused or closed something on its own (a stalled stream, a connection over a bound): counted
   * by reason, never a strike, since a slow link looks the same. `peer` is undefined before a handshake names it.
   */
  dropped: (peer: string | undefined, reason: RejectReason, detail: string) => void
}
