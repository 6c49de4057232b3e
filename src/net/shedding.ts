/**
 * Which peers a node hangs up on when it holds too many connections. Every node dials until it has `targetPeers`,
 * and anyone may dial it, so a bootstrap peer collects a connection from every member that ever joined through
 * it. Once it holds libp2p's `maxConnections`, libp2p's pruner closes the newest inbound connection first: every
 * newcomer is cut off before its first exchange, and a cluster larger than that bound never forms through one
 * bootstrap address (measured: 102 nodes in 6 processes bootstrapping to one seed, 34 of them alone for good).
 * Shedding keeps the count at a few times `targetPeers`, so the room libp2p keeps is there for newcomers.
 *
 * What stays: the beat links (this node's observers and subjects: closing one would make an observer probe, and
 * cost a new handshake), the gossip mesh (3 peers each: records travel the mesh, and a mesh cut by shedding held
 * registrations back by seconds at N = 100 until gossipsub grafted new peers), and connections younger than
 * SHED_GRACE_MS (a newcomer gets its first anti-entropy exchange and time to dial members of its own). Peers that
 * dialled this node go first: they chose it, often as their bootstrap, and dial others when they drop below their
 * own target. Pure: the caller brings the time and the randomness.
 */
import { pick } from '../random.js'

/** Above this many connected peers per `targetPeers`, a node sheds: 2 leaves a wide band so shedding rarely starts. */
export const SHED_ABOVE_TARGET_FACTOR = 2
/**
 * Connections younger than this are kept: a newcomer's first exchange and its own dials take a few heartbeats,
 * seconds on a loaded host (at N = 100 on one box, handshakes took up to 3.6 s).
 */
export const SHED_GRACE_MS = 10_000
/** Peers hung up on per maintenance round, at most: members that must dial elsewhere do not all do so at once. */
export const MAX_SHED_PER_ROUND = 2

/** What shedding needs of one connection. */
export interface ShedCandidate {
  readonly peer: string
  /** When it opened (ms, the clock `nowMs` is on). */
  readonly openedAtMs: number
  readonly inbound: boolean
}

export interface ShedInput {
  readonly connections: Iterable<ShedCandidate>
  /** Peers never shed: those with a beat stream to or from this node, and its gossip mesh. */
  readonly kept: ReadonlySet<string>
  readonly targetPeers: number
  readonly nowMs: number
  readonly random: () => number
}

/** True when a node with `peerCount` connected peers holds more than shedding allows. */
export function isCrowded (peerCount: number, targetPeers: number): boolean {
  return peerCount > SHED_ABOVE_TARGET_FACTOR * targetPeers
}

/** The peers to hang up on this round: none while this node has at most `SHED_ABOVE_TARGET_FACTOR` x target. */
export function peersToShed ({ connections, kept, targetPeers, nowMs, random }: ShedInput): string[] {
  // A peer is one candidate whatever its connections: all of them go, and all must be old enough.
  const peers = new Map<string, { inbound: boolean, old: boolean }>()
  for (const { peer, openedAtMs, inbound } of connections) {
    const old = nowMs - openedAtMs >= SHED_GRACE_MS
    const seen = peers.get(peer)
    peers.set(peer, seen === undefined ? { inbound, old } : { inbound: seen.inbound && inbound, old: seen.old && old })
  }
  if (!isCrowded(peers.size, targetPeers)) return []
  const excess = peers.size - SHED_ABOVE_TARGET_FACTOR * targetPeers
  const inbound: string[] = []
  const outbound: string[] = []
  for (const [peer, { inbound: dialledUs, old }] of peers) {
    if (!old || kept.has(peer)) continue
    ;(dialledUs ? inbound : outbound).push(peer)
  }
  const count = Math.min(excess, MAX_SHED_PER_ROUND)
  const shed = pick(inbound, count, random)
  return shed.length === count ? shed : [...shed, ...pick(outbound, count - shed.length, random)]
}
