/**
 * A binary min-heap: the least item first, in O(log n) per push and pop. It cannot remove an item from the
 * middle; callers that need to skip items popped after they stopped mattering, and rebuild it when those pile up.
 */

/** Items by `before`: the first is the one no other item comes before. */
export class MinHeap<T> {
  private items: T[] = []

  constructor (private readonly before: (a: T, b: T) => boolean) {}

  get size (): number {
    return this.items.length
  }

  /** The first item, without removing it. */
  peek (): T | undefined {
    return this.items[0]
  }

  push (item: T): void {
    const items = this.items
    let i = items.push(item) - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!this.before(item, items[parent]!)) break
      items[i] = items[parent]!
      i = parent
    }
    items[i] = item
  }

  /** Removes and returns the first item. */
  pop (): T | undefined {
    const items = this.items
    const first = items[0]
    const last = items.pop()
    if (items.length > 0 && last !== undefined) this.siftDown(0, last)
    return first
  }

  /** Replaces every item (O(n)). */
  rebuild (items: Iterable<T>): void {
    this.items = [...items]
    for (let i = (this.items.length >> 1) - 1; i >= 0; i--) this.siftDown(i, this.items[i]!)
  }

  private siftDown (start: number, item: T): void {
    const items = this.items
    const n = items.length
    let i = start
    for (;;) {
      let child = 2 * i + 1
      if (child >= n) break
      if (child + 1 < n && this.before(items[child + 1]!, items[child]!)) child++
      if (!this.before(items[child]!, item)) break
      items[i] = items[child]!
      i = child
    }
    items[i] = item
  }
}
