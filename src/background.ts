/**
 * Work nobody awaits. In an embedded registry an unhandled rejection is the host process's crash, so every such
 * promise goes through here: a failure is logged, and that is all.
 */
import type { Logger } from '@libp2p/interface'

/** Runs `work` without awaiting it; if it rejects, logs that this node could not do `what`. */
export function background (work: Promise<unknown>, log: Logger, what: string): void {
  work.catch((err: unknown) => { log.error('could not %s: %e', what, err) })
}
