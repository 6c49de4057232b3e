/**
 * This node's heartbeat chain and the beats waiting for the next flush: its own, and the fresh beats of others
 * it relays (only the latest per owner, since a newer beat makes an older one worthless).
 */
import { randomBytes, randomInt } from 'node:crypto'
import type { Hlc } from './clock/hlc.js'
import { HashChain } from './membership/hash-chain.js'
import type { ChainAnchor } from './record/types.js'
import type { BeatInput } from './replica.js'

/** Own heartbeats and the relay queue of one node. */
export class BeatQueue {
  private chain: HashChain
  private chainId: number
  private seq = 0
  private readonly pending = new Map<string, BeatInput>()

  constructor (private readonly self: string, private readonly chainLength: number) {
    this.chain = HashChain.create(randomBytes(32), chainLength)
    this.chainId = randomInt(0, 2 ** 32 - 1)
  }

  /** The current chain, as the member record signs it. */
  get anchor (): ChainAnchor {
    return { chainId: this.chainId, anchor: this.chain.anchor, length: this.chain.length }
  }

  /**
   * Queues this node's next beat. Returns true when the chain ran out and a new one was started: its anchor must
   * be signed (in a new member record) for peers to verify the beats that follow.
   */
  beat (recordsStamp: Hlc): boolean {
    let renewed = false
    if (this.seq >= this.chain.length) {
      this.chain = HashChain.create(randomBytes(32), this.chainLength)
      this.chainId = (this.chainId + 1) >>> 0
      this.seq = 0
      renewed = true
    }
    this.seq++
    this.pending.set(this.self, { owner: this.self, chainId: this.chainId, seq: this.seq, proof: this.chain.reveal(this.seq), recordsStamp })
    return renewed
  }

  /** Queues a fresh beat of another member for relaying. */
  relay (beat: BeatInput): void {
    this.pending.set(beat.owner, beat)
  }

  /** True if nothing waits to be sent. */
  get isEmpty (): boolean {
    return this.pending.size === 0
  }

  /** Takes every queued beat. */
  drain (): BeatInput[] {
    const beats = [...this.pending.values()]
    this.pending.clear()
    return beats
  }
}
