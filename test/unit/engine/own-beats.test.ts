import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { nodeChainStep, OwnBeats } from '../../../src/engine/own-beats.js'
import { chainStep, verifyReveal } from '../../../src/membership/hash-chain.js'

const stamp = { wall: 1, logical: 0 }

describe('OwnBeats', () => {
  it('reveals the chain beat by beat and starts a new chain when it runs out', () => {
    const beats = new OwnBeats(2)
    const first = beats.anchor
    const one = beats.next(stamp)
    expect(one.renewed).toBe(false)
    expect(chainStep(one.beat.proof)).toEqual(first.anchor)
    expect(beats.next(stamp)).toMatchObject({ renewed: false, beat: { seq: 2 } })
    const fresh = beats.next(stamp)
    expect(fresh.renewed).toBe(true)
    expect(beats.anchor.chainId).toBe((first.chainId + 1) >>> 0)
    expect(fresh.beat).toMatchObject({ chainId: beats.anchor.chainId, seq: 1 })
    expect(chainStep(fresh.beat.proof)).toEqual(beats.anchor.anchor)
  })

  it('builds its chain with a step that agrees with the observers\' chainStep', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 0, maxLength: 64 }), (value) => {
      expect(Buffer.from(nodeChainStep(value))).toEqual(Buffer.from(chainStep(value)))
    }))
    // A whole chain: every beat verifies against the anchor the member record signs, as an observer checks it.
    const beats = new OwnBeats(64)
    const { anchor } = beats.anchor
    for (let seq = 1; seq <= 64; seq++) {
      const { beat } = beats.next(stamp)
      expect(verifyReveal({ seq: 0, value: anchor }, seq, beat.proof, 64)).toBe(true)
    }
  })
})
