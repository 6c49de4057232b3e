/**
 * What every modelled membership design offers the harness.
 */
import type { Engine } from './engine.js'

export interface Design {
  /** Schedules every node's timers. The view starts converged: every member alive at incarnation 0. */
  start: () => void
  /** Members whose failure this model follows (all of them, or the traced sample). */
  readonly subjects: readonly number[]
  /** Peers holding a connection to `node`, which see it close when `node` crashes. */
  connections: (node: number) => Iterable<number>
  /** `node` saw its connection to `gone` close. */
  onDisconnect: (node: number, gone: number) => void
}

export type DesignFactory = (engine: Engine) => Design
