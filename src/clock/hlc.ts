/**
 * Hybrid logical clock (Kulkarni et al., "Logical Physical Clocks", 2014). A stamp is close to wall time but
 * never goes backwards and always moves past every stamp this node has seen. Pure: physical time comes in as
 * an argument, so tests and the simulator drive it with any clock.
 */

/** An HLC stamp: `wall` is milliseconds since the epoch, `logical` orders events within one millisecond. */
export interface Hlc {
  readonly wall: number
  readonly logical: number
}

/** The stamp before every real stamp. */
export const ZERO_HLC: Hlc = Object.freeze({ wall: 0, logical: 0 })

/** Total order on stamps: negative if `a` is older, positive if newer, 0 if equal. */
export function compareHlc (a: Hlc, b: Hlc): number {
  if (a.wall !== b.wall) return a.wall < b.wall ? -1 : 1
  if (a.logical !== b.logical) return a.logical < b.logical ? -1 : 1
  return 0
}

/** The newer of two stamps. */
export function maxHlc (a: Hlc, b: Hlc): Hlc {
  return compareHlc(a, b) >= 0 ? a : b
}

/** A stamp for a local event (a write): strictly after `last`, and at least `physicalMs`. */
export function tickHlc (last: Hlc, physicalMs: number): Hlc {
  if (physicalMs > last.wall) return { wall: physicalMs, logical: 0 }
  return { wall: last.wall, logical: last.logical + 1 }
}

/**
 * Moves the clock past a stamp received from elsewhere, so this node's next write orders after everything it
 * has seen. Callers reject stamps beyond `maxClockDrift` before witnessing them, so one bad peer cannot drag
 * the clock into the far future.
 */
export function witnessHlc (last: Hlc, remote: Hlc, physicalMs: number): Hlc {
  const wall = Math.max(last.wall, remote.wall, physicalMs)
  if (wall === last.wall && wall === remote.wall) return { wall, logical: Math.max(last.logical, remote.logical) + 1 }
  if (wall === last.wall) return { wall, logical: last.logical + 1 }
  if (wall === remote.wall) return { wall, logical: remote.logical + 1 }
  return { wall, logical: 0 }
}
