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

  it('draws its chain seeds and first chain id from the source it is given, so a seeded one repeats exactly', () => {
    const counting = (): (size: number) => Uint8Array => {
      let next = 0
      return (size) => Uint8Array.from({ length: size }, () => next++ & 0xff)
    }
    const [a, b] = [new OwnBeats(2, counting()), new OwnBeats(2, counting())]
    expect(a.anchor).toEqual(b.anchor)
    // The 32 seed bytes come first (0-31), then the chain id's 4 (32-35), big-endian.
    expect(a.anchor.chainId).toBe(0x20212223)
    for (let i = 0; i < 3; i++) expect(a.next(stamp)).toEqual(b.next(stamp))
    expect(a.anchor).toEqual(b.anchor)
    expect(new OwnBeats(2).anchor.anchor).not.toEqual(new OwnBeats(2).anchor.anchor)
  })
})
