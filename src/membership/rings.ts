/**
 * Who watches whom: K hash rings over the members of a view (Rapid, Suresh et al., USENIX ATC 2018). On ring i
 * members are ordered by a hash of (i, peer id); a member's observers are its successors on the K rings, its
 * subjects its predecessors. Every node that holds the same view computes the same relation, with no
 * coordinator, and each member is watched by at most K others whatever N is. Pure.
 */
import { sha256 } from '@noble/hashes/sha2'

const encoder = new TextEncoder()

/** Position of a peer on ring `ring`: the first 4 bytes of SHA-256("ring:peer"), as an unsigned integer. */
export function ringPosition (ring: number, peerId: string): number {
  const digest = sha256(encoder.encode(`${ring}:${peerId}`))
  return ((digest[0]! << 24) | (digest[1]! << 16) | (digest[2]! << 8) | digest[3]!) >>> 0
}

/**
 * Ring positions by peer, shared by every view in the process (a position depends on nothing else): several
 * nodes in one process, and a node whose view changes, hash each member once. Cleared when full, so a flood of
 * made-up members costs hashing, never memory.
 */
const positions = new Map<string, number[]>()
const MAX_CACHED_PEERS = 16_384

function positionOf (ring: number, peerId: string): number {
  let cached = positions.get(peerId)
  if (cached === undefined) {
    if (positions.size >= MAX_CACHED_PEERS) positions.clear()
    cached = []
    positions.set(peerId, cached)
  }
  return cached[ring] ??= ringPosition(ring, peerId)
}

interface Placed {
  readonly position: number
  readonly peerId: string
}

/** The K rings of one view. Rebuild with `update` when the view changes. */
export class Rings {
  private rings: Placed[][] = []

  constructor (readonly count: number) {
    if (!Number.isInteger(count) || count < 1) throw new RangeError(`ring count must be a positive integer, got ${count}`)
  }

  /** Places the members of the view (duplicates ignored). O(K N log N); positions are cached (see `positionOf`). */
  update (members: Iterable<string>): void {
    const unique = [...new Set(members)]
    this.rings = Array.from({ length: this.count }, (_, ring) => unique
      .map((peerId) => ({ position: positionOf(ring, peerId), peerId }))
      .sort(comparePlaced))
  }

  /** Members in the view. */
  get size (): number {
    return this.rings[0]?.length ?? 0
  }

  /**
   * The observers of `subject`: on each ring, the first `window` members after it (the subject itself excluded),
   * distinct, in ring order. The subject need not be in the view: its place is where its hash falls.
   */
  observersOf (subject: string, window = 1): string[] {
    const found = new Set<string>()
    for (let ring = 0; ring < this.rings.length; ring++) {
      const placed = this.rings[ring]!
      let i = upperBound(placed, { position: positionOf(ring, subject), peerId: subject })
      for (let taken = 0, seen = 0; taken < window && seen < placed.length; seen++, i++) {
        const next = placed[i % placed.length]!
        if (next.peerId === subject) continue
        found.add(next.peerId)
        taken++
      }
    }
    return [...found]
  }

  /** The subjects of `observer` (a member of the view): on each ring, the member just before it, distinct. */
  subjectsOf (observer: string): string[] {
    const found = new Set<string>()
    for (let ring = 0; ring < this.rings.length; ring++) {
      const placed = this.rings[ring]!
      if (placed.length < 2) continue
      const at = lowerBound(placed, { position: positionOf(ring, observer), peerId: observer })
      if (placed[at % placed.length]!.peerId !== observer) continue
      found.add(placed[(at - 1 + placed.length) % placed.length]!.peerId)
    }
    found.delete(observer)
    return [...found]
  }
}

function comparePlaced (a: Placed, b: Placed): number {
  return a.position - b.position || (a.peerId < b.peerId ? -1 : a.peerId > b.peerId ? 1 : 0)
}

/** First index whose element is >= `key`. */
function lowerBound (placed: readonly Placed[], key: Placed): number {
  let lo = 0
  let hi = placed.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (comparePlaced(placed[mid]!, key) < 0) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** First index whose element is > `key`. */
function upperBound (placed: readonly Placed[], key: Placed): number {
  let lo = 0
  let hi = placed.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if (comparePlaced(placed[mid]!, key) <= 0) lo = mid + 1
    else hi = mid
  }
  return lo
}
