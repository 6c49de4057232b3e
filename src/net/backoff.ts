/**
 * Per-target back-off after failed attempts (dials, beat-link opens): the first retry waits `minMs`, each further
 * failure doubles the wait up to `maxMs`, a success forgets the target. At most `maxEntries` targets are kept; past
 * that the oldest is forgotten (it is retried at once). Reads the monotonic clock.
 */
export class Backoff {
  private readonly entries = new Map<string, { retryAtMs: number, backoffMs: number, error: string }>()

  constructor (private readonly minMs: number, private readonly maxMs: number, private readonly maxEntries: number) {}

  /** True when `key` may be tried now. */
  ready (key: string, nowMs = performance.now()): boolean {
    return nowMs >= (this.entries.get(key)?.retryAtMs ?? 0)
  }

  /** Notes a failed attempt at `key`, with why. */
  failed (key: string, error: unknown, nowMs = performance.now()): void {
    const backoffMs = Math.min((this.entries.get(key)?.backoffMs ?? this.minMs / 2) * 2, this.maxMs)
    // Re-inserted, so the map's order is the order of last failure and the oldest is evicted first.
    this.entries.delete(key)
    this.entries.set(key, { retryAtMs: nowMs + backoffMs, backoffMs, error: error instanceof Error ? error.message : String(error) })
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!)
  }

  /** Notes a success at `key`: its next failure starts from `minMs` again. */
  succeeded (key: string): void {
    this.entries.delete(key)
  }

  /** The targets backed off, with their last error (diagnostics). */
  failing (): Array<{ target: string, error: string }> {
    return [...this.entries].map(([target, { error }]) => ({ target, error }))
  }
}
