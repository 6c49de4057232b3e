/**
 * The simulator's envelope codec: the engine's `Envelopes` without Ed25519. A sealed record becomes a buffer of
 * exactly the size the signed envelope would have (payload plus the measured signing overhead), and opening it
 * looks the record up by the buffer's identity. Nobody forges in a simulation; what matters is that sizes, the
 * open-before-merge path and its rejections (oversized) are the engine's own.
 */
import type { Envelopes, OpenResult } from '../../src/engine/envelopes.js'
import { encodePayload } from '../../src/record/codec.js'
import type { Sealed } from '../../src/record/types.js'

/** One codec shared by every simulated node, so any node opens what any other sealed. */
export class SimEnvelopes {
  private readonly sealed = new WeakMap<Uint8Array, Sealed>()

  constructor (private readonly overheadBytes: number, private readonly maxBytes: number) {}

  /** The codec as one node's engine sees it. */
  forNode (): Envelopes {
    return {
      seal: async (record) => this.seal(record),
      open: async (bytes) => this.open(bytes)
    }
  }

  /** Seals synchronously (for a converged start that bypasses the network). */
  seal (record: Sealed): Uint8Array {
    const envelope = new Uint8Array(encodePayload(record).length + this.overheadBytes)
    this.sealed.set(envelope, record)
    return envelope
  }

  private open (bytes: Uint8Array): OpenResult {
    if (bytes.length > this.maxBytes) return { ok: false, rejection: { reason: 'oversized', detail: `envelope of ${bytes.length} bytes` } }
    const record = this.sealed.get(bytes)
    if (record === undefined) return { ok: false, rejection: { reason: 'malformed', detail: 'not sealed in this simulation' } }
    return { ok: true, record, envelope: bytes }
  }
}
