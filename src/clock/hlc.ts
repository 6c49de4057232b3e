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

/**
 * Largest logical part of a stamp: it travels as a uint32 (record.proto), so one more would wrap to a lower
 * stamp on the wire.
 */
export const MAX_LOGICAL = 0xffff_ffff

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

/**
 * The smallest stamp after `stamp`. Past `MAX_LOGICAL` the counter carries into the wall part (one millisecond
 * on, logical 0) instead of wrapping or saturating: a wrapped stamp would order before the writes it follows
 * (a deregistration losing to the registration it ends), and a saturated one would tie with them. The carry
 * adds at most 1 ms to the clock's lead over wall time: received stamps are at most `maxClockDrift` ahead, so
 * a peer that sends `(now + maxClockDrift, MAX_LOGICAL)` moves this clock to `now + maxClockDrift + 1` and no
 * further, and honest nodes never come near the limit (2^32 events in one millisecond). So received stamps need
 * no tighter limit on their logical part than the wire's.
 */
function successor (stamp: Hlc): Hlc {
  if (stamp.logical < MAX_LOGICAL) return { wall: stamp.wall, logical: stamp.logical + 1 }
  return { wall: stamp.wall + 1, logical: 0 }
}

/** A stamp for a local event (a write): strictly after `last`, and at least `physicalMs`. */
export function tickHlc (last: Hlc, physicalMs: number): Hlc {
  // Whole milliseconds: the wire carries an integer, and a clock may give fractions (a simulator's does).
  const physical = Math.floor(physicalMs)
  if (physical > last.wall) return { wall: physical, logical: 0 }
  return successor(last)
}

/**
 * Moves the clock past a stamp received from elsewhere, so this node's next write orders after everything it
 * has seen. Callers reject stamps beyond `maxClockDrift` before witnessing them, so one bad peer cannot drag
 * the clock into the far future.
 */
export function witnessHlc (last: Hlc, remote: Hlc, physicalMs: number): Hlc {
  const latest = maxHlc(last, remote)
  const physical = Math.floor(physicalMs)
  if (physical > latest.wall) return { wall: physical, logical: 0 }
  return successor(latest)
}
