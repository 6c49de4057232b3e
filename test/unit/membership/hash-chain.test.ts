import { describe, expect, it } from 'vitest'
import { CHAIN_VALUE_BYTES, chainStep, HashChain, verifyReveal } from '../../../src/membership/hash-chain.js'

const seed = new Uint8Array(32).fill(7)

describe('HashChain', () => {
  const chain = HashChain.create(seed, 100)

  it('anchors at H^length of the seed end and reveals preimages in order', () => {
    expect(chain.anchor).toHaveLength(CHAIN_VALUE_BYTES)
    expect(chainStep(chain.reveal(1))).toEqual(chain.anchor)
    expect(chainStep(chain.reveal(51))).toEqual(chain.reveal(50))
  })

  it('refuses beats outside the chain', () => {
    expect(() => chain.reveal(0)).toThrow(RangeError)
    expect(() => chain.reveal(101)).toThrow(RangeError)
    expect(() => HashChain.create(seed, 0)).toThrow(RangeError)
    expect(() => HashChain.create(new Uint8Array(4), 10)).toThrow(RangeError)
  })

  it.each([
    ['the next beat', 0, 1, true],
    ['a beat that skips ahead', 0, 40, true],
    ['a later beat from a verified one', 10, 11, true],
    ['the same beat again', 10, 10, false],
    ['an earlier beat', 10, 5, false],
    ['a skip beyond maxSteps', 0, 60, false]
  ])('verifies %s: from %i to %i -> %s', (_name, from, to, expected) => {
    const known = { seq: from, value: from === 0 ? chain.anchor : chain.reveal(from) }
    expect(verifyReveal(known, to, to === 0 ? chain.anchor : chain.reveal(to), 50)).toBe(expected)
  })

  it('refuses a forged proof and a proof of the wrong length', () => {
    expect(verifyReveal({ seq: 0, value: chain.anchor }, 1, new Uint8Array(16), 50)).toBe(false)
    expect(verifyReveal({ seq: 0, value: chain.anchor }, 1, chain.reveal(1).subarray(0, 8), 50)).toBe(false)
    const other = HashChain.create(new Uint8Array(32).fill(8), 100)
    expect(verifyReveal({ seq: 0, value: chain.anchor }, 1, other.reveal(1), 50)).toBe(false)
  })
})
