import { describe, expect, it } from 'vitest'
import { OwnBeats } from '../../../src/engine/own-beats.js'
import { chainStep } from '../../../src/membership/hash-chain.js'

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
})
