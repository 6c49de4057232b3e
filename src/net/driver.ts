/**
 * The only place with timers. It calls into the registry at the rhythms the options set; everything it calls
 * reads time from the injected clock, so the same core runs under a simulator's manual clock without it.
 */
import type { ResolvedConfig } from '../config.js'

/** The periodic work of a node. Each task must not throw. */
export interface DriverTasks {
  /** Emit this node's own heartbeat. */
  beat: () => void
  /** Push queued beats (own and relayed) to a few random neighbours. */
  flush: () => void
  /** Age members and reap tombstones. */
  tick: () => void
  /** One anti-entropy round with a random neighbour. */
  antiEntropy: () => void
  /** Dial members or bootstrap peers when below the target number of connections. */
  maintain: () => void
}

/** A running driver. */
export interface Driver {
  stop: () => void
}

/**
 * Relayed beats are flushed four times per heartbeat interval: each hop then adds at most a quarter interval
 * of delay, so a beat crosses the O(log N) hops of the overlay well within one interval, while own beats and
 * relays still share batches.
 */
export const FLUSHES_PER_HEARTBEAT = 4

/** Starts the timers. Timers are unref'd: an embedded registry never keeps its host process alive. */
export function startDriver (config: ResolvedConfig, tasks: DriverTasks): Driver {
  const quarter = Math.max(1, Math.floor(config.heartbeatInterval / FLUSHES_PER_HEARTBEAT))
  const timers = [
    setInterval(tasks.beat, config.heartbeatInterval),
    setInterval(() => { tasks.tick(); tasks.flush() }, quarter),
    setInterval(tasks.antiEntropy, config.antiEntropyInterval),
    setInterval(tasks.maintain, config.heartbeatInterval)
  ]
  for (const timer of timers) timer.unref()
  return {
    stop: () => { for (const timer of timers) clearInterval(timer) }
  }
}
