/**
 * The only place with timers. It calls into the registry at the rhythms the options set; everything it calls
 * reads time from the injected clock, so the same core runs under a simulator's manual clock without it.
 */
import type { ResolvedConfig } from '../config.js'
import { tickInterval } from '../engine/engine.js'

/** The periodic work of a node. Each task must not throw. */
export interface DriverTasks {
  /** Send this node's heartbeat to its observers. */
  beat: () => void
  /** Age members (alerts, deaths) and reap tombstones. */
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


/** Starts the timers. Timers are unref'd: an embedded registry never keeps its host process alive. */
export function startDriver (config: ResolvedConfig, tasks: DriverTasks): Driver {
  const timers = [
    setInterval(tasks.beat, config.heartbeatInterval),
    setInterval(tasks.tick, tickInterval(config.heartbeatInterval)),
    setInterval(tasks.antiEntropy, config.antiEntropyInterval),
    setInterval(tasks.maintain, config.heartbeatInterval)
  ]
  for (const timer of timers) timer.unref()
  // Bootstrap addresses without a peer id are dialled by `maintain`: at once, not a heartbeat after start.
  tasks.maintain()
  return {
    stop: () => { for (const timer of timers) clearInterval(timer) }
  }
}
