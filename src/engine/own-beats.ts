/**
 * This node's heartbeat hash chain: the next beat to send its observers, and a fresh chain (whose anchor must
 * be signed in a new member record) when the current one runs out. The seed is secret: whoever held it could
 * beat for this node.
 */
import { randomBytes } from 'node:crypto'
import type { Hlc } from '../clock/hlc.js'
import { HashChain } from '../membership/hash-chain.js'
import type { ChainAnchor } from '../record/types.js'

/** One beat as it goes to an observer: the sender is the member. */
export interface OwnBeat {
  readonly chainId: number
  readonly seq: number
  /** Hash-chain preimage: hashing it `seq` times gives the anchor. */
  readonly proof: Uint8Array
  /** The newest stamp among the member's own records, so an observer notices within one beat it is behind. */
  readonly recordsStamp: Hlc
}

/** The heartbeats of one node. */
export class OwnBeats {
  private chain: HashChain
  private chainId: number
  private seq = 0

  /**
   * @param random the source of chain seeds and the first chain id. Cryptographic by default, as a seed must be
   * unguessable; the simulator passes a seeded one, so that a run repeats exactly from its seed (chain ids set
   * the size of every beat frame).
   */
  constructor (private readonly chainLength: number, private readonly random: (size: number) => Uint8Array = randomBytes) {
    this.chain = HashChain.create(random(32), chainLength)
    const id = random(4)
    this.chainId = new DataView(id.buffer, id.byteOffset, 4).getUint32(0)
  }

  /** The current chain, as the member record signs it. */
  get anchor (): ChainAnchor {
    return { chainId: this.chainId, anchor: this.chain.anchor, length: this.chain.length }
  }

  /**
   * The next beat. `renewed` is true when the chain ran out and a new one was started: its anchor must be signed
   * (in a new member record) before observers can verify the beats that follow.
   */
  next (recordsStamp: Hlc): { beat: OwnBeat, renewed: boolean } {
    let renewed = false
    if (this.seq >= this.chain.length) {
      this.chain = HashChain.create(this.random(32), this.chainLength)
      this.chainId = (this.chainId + 1) >>> 0
      this.seq = 0
      renewed = true
    }
    this.seq++
    return { beat: { chainId: this.chainId, seq: this.seq, proof: this.chain.reveal(this.seq), recordsStamp }, renewed }
  }
}
