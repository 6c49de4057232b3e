/**
 * Local health (Lifeguard, Dadgar et al., 2018; memberlist's awareness.go): how far this node's own alerts are to
 * be trusted. Each alert of this node proved wrong (the subject beat here or refuted it) adds one, and a quiet
 * period (`deadAfter`) without another takes one off; the detector waits `factor` (1 + the penalty) times its usual
 * silence before it alerts. Pure: time is an argument.
 */

/**
 * Highest penalty. An observer whose alerts were wrong is slow to hear (its host or its subjects' hosts are
 * overloaded, its links lossy), and its next alerts are likely wrong too: on a box where 100 nodes form at once
 * they were, and every false alert that reached a quorum killed a live member, whose records were dropped and
 * fetched again, which loaded the box further. Capped, so that a subject that goes silent and refutes on purpose
 * can slow this node's detection at most this many times over, and the other observers of its subjects still
 * alert on time.
 */
export const MAX_HEALTH_PENALTY = 4

/** One node's local health score, from 0 (healthy) to MAX_HEALTH_PENALTY. */
export class LocalHealth {
  private penalty = 0
  /** When the penalty last moved: recovery counts a quiet period from there. */
  private movedMs = 0

  /** @param quietMs a period without a wrong alert that takes one off the penalty (the detector's `deadAfter`) */
  constructor (private readonly quietMs: number) {}

  /** The penalty: alerts of this node proved wrong lately, net of recovery. */
  get score (): number {
    return this.penalty
  }

  /** How many times the usual silence this node waits before it alerts. */
  get factor (): number {
    return 1 + this.penalty
  }

  /** One of this node's alerts was proved wrong at `nowMs`. */
  provedWrong (nowMs: number): void {
    this.penalty = Math.min(MAX_HEALTH_PENALTY, this.penalty + 1)
    this.movedMs = nowMs
  }

  /** Takes one off the penalty if a quiet period has passed since it last moved (call it every tick). */
  recover (nowMs: number): void {
    if (this.penalty === 0 || nowMs - this.movedMs < this.quietMs) return
    this.penalty--
    this.movedMs = nowMs
  }
}
