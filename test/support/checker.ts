/**
 * A Jepsen-style checker for the registry: it records every acknowledged register and deregister, and every
 * crash of an owner, and says what each live node's table must hold at quiescence. A crash ends an owner's
 * instances (its member dies; a restart with the same key supersedes them), so only instances acknowledged
 * since the owner's last crash, and not deregistered since, are expected.
 */

/** What one node's view got wrong. */
export interface Anomalies {
  /** Acknowledged and never deregistered, but missing. */
  readonly lost: string[]
  /** Present, but deregistered (or ended by a crash). */
  readonly resurrected: string[]
  /** Present more than once. */
  readonly duplicated: string[]
}

/** History of one test run. */
export class Checker {
  private readonly epochs = new Map<string, number>()
  private readonly present = new Map<string, { owner: string, epoch: number }>()
  /**
   * When each operation was acknowledged (and requested), by `owner/id` and kind, for lag measurements. A node
   * that is behind acknowledges late, so only the request time tells how far behind it was.
   */
  readonly acks: Array<{ key: string, kind: 'up' | 'down', atMs: number, requestedAtMs: number }> = []

  /** An acknowledged registration. */
  registered (owner: string, id: string, atMs: number, requestedAtMs = atMs): void {
    this.present.set(`${owner}/${id}`, { owner, epoch: this.epochs.get(owner) ?? 0 })
    this.acks.push({ key: `${owner}/${id}`, kind: 'up', atMs, requestedAtMs })
  }

  /** An acknowledged deregistration. */
  deregistered (owner: string, id: string, atMs: number, requestedAtMs = atMs): void {
    this.present.delete(`${owner}/${id}`)
    this.acks.push({ key: `${owner}/${id}`, kind: 'down', atMs, requestedAtMs })
  }

  /** An owner crashed (SIGKILL): everything it registered before is gone. */
  crashed (owner: string): void {
    this.epochs.set(owner, (this.epochs.get(owner) ?? 0) + 1)
  }

  /** The `owner/id` keys every live node must show at quiescence. */
  expected (): Set<string> {
    return new Set([...this.present].filter(([, v]) => v.epoch === (this.epochs.get(v.owner) ?? 0)).map(([key]) => key))
  }

  /** Compares one node's view (`owner/id` keys, duplicates kept) with what is expected. */
  check (view: readonly string[]): Anomalies {
    const expected = this.expected()
    const seen = new Set<string>()
    const duplicated: string[] = []
    for (const key of view) {
      if (seen.has(key)) duplicated.push(key)
      seen.add(key)
    }
    return {
      lost: [...expected].filter((key) => !seen.has(key)),
      resurrected: [...seen].filter((key) => !expected.has(key)),
      duplicated
    }
  }
}
