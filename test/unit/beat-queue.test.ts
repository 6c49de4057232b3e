import { describe, expect, it } from 'vitest'
import { BeatQueue } from '../../src/beat-queue.js'
import { chainStep } from '../../src/membership/hash-chain.js'

const stamp = { wall: 1, logical: 0 }

describe('BeatQueue', () => {
  it('reveals the chain beat by beat and starts a new chain when it runs out', () => {
    const queue = new BeatQueue('self', 2)
    const first = queue.anchor
    expect(queue.beat(stamp)).toBe(false)
    const [one] = queue.drain()
    expect(chainStep(one!.proof)).toEqual(first.anchor)
    expect(queue.beat(stamp)).toBe(false)
    expect(queue.drain()[0]!.seq).toBe(2)
    expect(queue.beat(stamp)).toBe(true)
    const [fresh] = queue.drain()
    expect(queue.anchor.chainId).toBe((first.chainId + 1) >>> 0)
    expect(fresh).toMatchObject({ chainId: queue.anchor.chainId, seq: 1 })
    expect(chainStep(fresh!.proof)).toEqual(queue.anchor.anchor)
  })

  it('keeps only the latest beat per owner until drained', () => {
    const queue = new BeatQueue('self', 10)
    queue.relay({ owner: 'p', chainId: 1, seq: 3, proof: new Uint8Array(16), recordsStamp: stamp })
    queue.relay({ owner: 'p', chainId: 1, seq: 4, proof: new Uint8Array(16), recordsStamp: stamp })
    queue.beat(stamp)
    expect(queue.drain().map((b) => `${b.owner}:${b.seq}`).sort()).toEqual(['p:4', 'self:1'])
    expect(queue.isEmpty).toBe(true)
  })
})
