/**
 * Turns change events into an async iterator with a bounded buffer: a consumer that falls too far behind gets
 * a `WatchOverflowError` instead of silently missing changes or growing memory without bound.
 */
import { WatchOverflowError } from './errors.js'
import type { Change } from './events.js'

/** Most changes buffered for one slow `changes()` consumer. */
export const MAX_BUFFERED_CHANGES = 10_000

/** Subscribes with `subscribe` (which returns an unsubscribe function) and yields each change until `signal` aborts. */
export async function * iterateChanges (subscribe: (listener: (change: Change) => void) => () => void, signal?: AbortSignal): AsyncGenerator<Change, void, undefined> {
  const buffer: Change[] = []
  let overflowed = false
  let wake: (() => void) | undefined
  const unsubscribe = subscribe((change) => {
    if (buffer.length >= MAX_BUFFERED_CHANGES) overflowed = true
    else buffer.push(change)
    wake?.()
  })
  const onAbort = (): void => { wake?.() }
  signal?.addEventListener('abort', onAbort)
  try {
    while (signal?.aborted !== true) {
      const next = buffer.shift()
      if (next !== undefined) {
        yield next
        continue
      }
      if (overflowed) throw new WatchOverflowError(MAX_BUFFERED_CHANGES)
      await new Promise<void>((resolve) => { wake = resolve })
      wake = undefined
    }
  } finally {
    signal?.removeEventListener('abort', onAbort)
    unsubscribe()
  }
}
