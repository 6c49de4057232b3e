/**
 * Per-peer state with a bound: hostile input can name endless peer ids, so past `max` entries the oldest one
 * is forgotten (it starts over, which only ever makes this node more lenient to it, never less). Pure.
 */

/** A map from peer id to state, created on first use, holding at most `max` peers. */
export class PerPeer<T> {
  private readonly entries = new Map<string, T>()

  constructor (private readonly create: () => T, private readonly max = 10_000) {}

  /** The state of `peer`, created if missing. */
  get (peer: string): T {
    let entry = this.entries.get(peer)
    if (entry === undefined) {
      entry = this.create()
      if (this.entries.size >= this.max) this.entries.delete(this.entries.keys().next().value!)
      this.entries.set(peer, entry)
    }
    return entry
  }

  /** The state of `peer` if there is one, without creating it. */
  peek (peer: string): T | undefined {
    return this.entries.get(peer)
  }
}
