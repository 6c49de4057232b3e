/**
 * How the engine seals its own records and opens everyone else's. The node signs with its key
 * (`signedEnvelopes` in record/sign.ts); the simulator, which never meets a forger, swaps in an unsigned codec of
 * the same size so a hundred thousand nodes do not spend their time in Ed25519.
 */
import type { OpenResult } from '../record/sign.js'
import type { Sealed } from '../record/types.js'

export type { OpenResult }

/** Seals records owned by this node and opens envelopes from the network. */
export interface Envelopes {
  /** Signs a record (or an alert) this node owns; the result is what peers receive. */
  seal: (record: Sealed) => Promise<Uint8Array>
  /**
   * Opens envelope bytes from the network: size, shape, signature and record limits. Never throws; a failure
   * is a rejection naming its reason. A successful result carries the canonical envelope to keep and forward.
   */
  open: (bytes: Uint8Array) => Promise<OpenResult>
}
