/**
 * `call()` with failover: pick an instance, call it with a timeout; on error or timeout, note the failure for
 * outlier ejection and try another instance, up to `retries` more times. Calls in flight are counted for the
 * least-pending strategy.
 */
import { NoHealthyInstanceError } from '../errors.js'
import type { Instance } from '../record/types.js'
import type { Balancer } from './balancer.js'
import type { OutlierDetector } from './outlier.js'
import { instanceKey } from './strategy.js'

/** What the failover loop needs. */
export interface FailoverDeps {
  readonly balancer: Balancer
  readonly outliers: OutlierDetector
  readonly inFlight: Map<string, number>
  readonly now: () => number
}

/** Options of one call. */
export interface FailoverOptions {
  readonly service: string
  readonly retries: number
  readonly timeoutMs: number
  readonly key?: string
  readonly signal?: AbortSignal
}

/** Calls `fn` on instances of the service until one succeeds, the retries run out, or none is left. */
export async function callWithFailover<T> (deps: FailoverDeps, options: FailoverOptions, fn: (instance: Instance, signal: AbortSignal) => Promise<T>): Promise<T> {
  const tried = new Set<string>()
  const errors: Error[] = []
  for (let attempt = 0; attempt <= options.retries; attempt++) {
    options.signal?.throwIfAborted()
    const instance = deps.balancer.pickExcept(tried, options.key)
    if (instance === undefined) break
    const key = instanceKey(instance)
    tried.add(key)
    const timeout = AbortSignal.timeout(options.timeoutMs)
    const signal = options.signal === undefined ? timeout : AbortSignal.any([timeout, options.signal])
    deps.outliers.begin(key, deps.now())
    deps.inFlight.set(key, (deps.inFlight.get(key) ?? 0) + 1)
    try {
      const result = await raceAbort(fn(instance, signal), signal)
      deps.outliers.succeed(key)
      return result
    } catch (err) {
      // The caller giving up is not the instance's fault, but it ends the call (and a trial call) all the same.
      if (options.signal?.aborted === true) {
        deps.outliers.abandon(key)
        throw err
      }
      deps.outliers.fail(key, deps.now())
      errors.push(err instanceof Error ? err : new Error(String(err)))
    } finally {
      const count = (deps.inFlight.get(key) ?? 1) - 1
      if (count === 0) deps.inFlight.delete(key)
      else deps.inFlight.set(key, count)
    }
  }
  throw new NoHealthyInstanceError(options.service, [...tried], errors)
}

/** Settles with `promise`, or rejects when `signal` aborts first (a callee that ignores the signal still times out). */
async function raceAbort<T> (promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) throw signal.reason
  let onAbort: (() => void) | undefined
  const aborted = new Promise<never>((_resolve, reject) => {
    onAbort = () => { reject(signal.reason instanceof Error ? signal.reason : new Error('aborted')) }
    signal.addEventListener('abort', onAbort, { once: true })
  })
  try {
    return await Promise.race([promise, aborted])
  } finally {
    signal.removeEventListener('abort', onAbort!)
  }
}
