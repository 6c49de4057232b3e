/**
 * Properties of the failure detector (fast-check) over random interleavings of beats (fresh, replayed and
 * forged), records (older or newer than anything seen) and clock ticks.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { compareHlc, type Hlc } from '../../src/clock/hlc.js'
import { FailureDetector } from '../../src/membership/detector.js'
import type { Transition } from '../../src/membership/types.js'
import { HashChain } from '../../src/membership/hash-chain.js'
import type { InstanceRecord, MemberRecord } from '../../src/record/types.js'

const numRuns = Number(process.env.FC_RUNS ?? 200)
const PEER = '12D3KooWPeer'
// Two members: this node is the peer's only observer, so its own alert is the quorum.
const options = { self: 'self', observers: 4, quorum: 3, suspectAfter: 3_000, deadAfter: 10_000, forgetAfter: 1_000_000, maxChainSteps: 500, selfPreservationThreshold: 1, selfPreservationLimit: 60_000 }
const chain = HashChain.create(new Uint8Array(32).fill(3), 500)

type Op =
  | { kind: 'advance', ms: number }
  | { kind: 'beat', step: number }
  | { kind: 'replay', back: number }
  | { kind: 'forge', step: number }
  | { kind: 'record', delta: number }

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 6_000 }) }),
  fc.record({ kind: fc.constant('beat' as const), step: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant('replay' as const), back: fc.integer({ min: 0, max: 5 }) }),
  fc.record({ kind: fc.constant('forge' as const), step: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant('record' as const), delta: fc.integer({ min: -50, max: 50 }) })
)

function memberRecord (stamp: Hlc): MemberRecord {
  return { kind: 'member', deleted: false, owner: PEER, id: '', namespace: 'default', stamp, addrs: [], chain: { chainId: 1, anchor: chain.anchor, length: chain.length }, leaving: false }
}

function instanceRecord (stamp: Hlc): InstanceRecord {
  return { kind: 'instance', deleted: false, owner: PEER, id: 'x', namespace: 'default', stamp, service: 's', version: '1.0.0', address: 'h', port: 1, tags: [], metadata: {}, weight: 1, status: 'passing' }
}

interface Step { op: Op, transitions: Transition[], fresh: boolean, newerRecord: boolean }

/** The detector's clock after `ops`: the sum of their advances. */
function lastTime (ops: readonly Op[]): number {
  return ops.reduce((total, op) => total + (op.kind === 'advance' ? op.ms : 0), 0)
}

/** Runs the ops against a detector and returns what each did. */
function run (ops: readonly Op[]): { steps: Step[], detector: FailureDetector, now: number } {
  const detector = new FailureDetector(options)
  detector.join(0)
  let now = 0
  let issued = 0
  let maxWall = 1_000
  detector.observeRecord(memberRecord({ wall: maxWall, logical: 0 }), now)
  // A first beat: the observer has heard its subject, so silence counts from suspectAfter on.
  detector.observeBeat(PEER, 1, ++issued, chain.reveal(issued), now)
  const steps: Step[] = []
  for (const op of ops) {
    const step: Step = { op, transitions: [], fresh: false, newerRecord: false }
    switch (op.kind) {
      case 'advance':
        now += op.ms
        step.transitions.push(...detector.tick(now).transitions)
        break
      case 'beat': {
        if (issued + op.step > chain.length) break
        issued += op.step
        const outcome = detector.observeBeat(PEER, 1, issued, chain.reveal(issued), now)
        step.fresh = outcome.kind === 'fresh'
        if (outcome.kind === 'fresh' && outcome.transition !== undefined) step.transitions.push(outcome.transition)
        break
      }
      case 'replay': {
        const seq = issued - op.back
        if (seq < 1) break
        const outcome = detector.observeBeat(PEER, 1, seq, chain.reveal(seq), now)
        if (outcome.kind === 'fresh' && outcome.transition !== undefined) step.transitions.push(outcome.transition)
        step.fresh = outcome.kind === 'fresh'
        break
      }
      case 'forge': {
        const outcome = detector.observeBeat(PEER, 1, issued + op.step, new Uint8Array(16).fill(op.step), now)
        expect(outcome.kind).toBe('rejected')
        break
      }
      case 'record': {
        const stamp = { wall: maxWall + op.delta, logical: 0 }
        step.newerRecord = op.delta > 0
        if (op.delta > 0) maxWall = stamp.wall
        if (!detector.admits(PEER, stamp)) break
        const transition = detector.observeRecord(instanceRecord(stamp), now)
        if (transition !== undefined) step.transitions.push(transition)
        break
      }
    }
    steps.push(step)
  }
  return { steps, detector, now }
}

describe('failure detector properties', () => {
  it('revives a dead member only on a fresh verified beat or a record newer than its death', () => {
    fc.assert(fc.property(fc.array(opArb, { maxLength: 60 }), (ops) => {
      for (const step of run(ops).steps) {
        for (const t of step.transitions) {
          if (t.from === 'dead' && t.to === 'alive') {
            expect(step.fresh || step.newerRecord, `revived by ${JSON.stringify(step.op)}`).toBe(true)
          }
        }
      }
    }), { numRuns })
  })

  it('never suspects a member that beats more often than suspectAfter', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: options.suspectAfter - 1 }), { maxLength: 60 }), (gaps) => {
      const ops: Op[] = gaps.flatMap((ms) => [{ kind: 'advance', ms }, { kind: 'beat', step: 1 }] as Op[])
      for (const step of run(ops).steps) expect(step.transitions).toEqual([])
    }), { numRuns })
  })

  it('has a subject silent for deadAfter dead after the next tick (its only observer is the quorum)', () => {
    fc.assert(fc.property(fc.array(opArb, { maxLength: 40 }), fc.integer({ min: options.deadAfter, max: 30_000 }), (ops, silence) => {
      const { detector } = run([...ops, { kind: 'advance', ms: silence }])
      expect(detector.get(PEER)?.state).toBe('dead')
    }), { numRuns })
  })

  it('has a subject silent for suspectAfter, times its observer\'s local health, after a fresh beat dead after the next tick', () => {
    fc.assert(fc.property(fc.array(opArb, { maxLength: 40 }), fc.integer({ min: 0, max: 30_000 }), (ops, extra) => {
      const { steps, detector } = run([...ops, { kind: 'beat', step: 1 }])
      fc.pre(steps.at(-1)?.fresh === true)
      // Each alert of this node that a beat proved wrong makes it wait one suspectAfter longer, for a while.
      const silence = options.suspectAfter * (1 + detector.healthScore) + extra
      detector.tick(lastTime(ops) + silence)
      expect(detector.get(PEER)?.state).toBe('dead')
    }), { numRuns })
  })

  it('waits no longer than suspectAfter while no alert of this node was ever proved wrong', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: options.suspectAfter - 1 }), { maxLength: 30 }), fc.integer({ min: options.suspectAfter, max: 30_000 }), (gaps, silence) => {
      const ops: Op[] = gaps.flatMap((ms) => [{ kind: 'advance', ms }, { kind: 'beat', step: 1 }] as Op[])
      const { detector } = run([...ops, { kind: 'advance', ms: silence }])
      expect(detector.healthScore).toBe(0)
      expect(detector.get(PEER)?.state).toBe('dead')
    }), { numRuns })
  })

  it('depends only on its inputs', () => {
    fc.assert(fc.property(fc.array(opArb, { maxLength: 60 }), (ops) => {
      const a = run(ops)
      const b = run(ops)
      expect(a.steps.map((s) => s.transitions)).toEqual(b.steps.map((s) => s.transitions))
      expect(a.detector.members(a.now)).toEqual(b.detector.members(b.now))
    }), { numRuns })
  })

  it('keeps the death mark at the newest stamp seen', () => {
    fc.assert(fc.property(fc.array(opArb, { maxLength: 60 }), (ops) => {
      const { detector } = run([...ops, { kind: 'advance', ms: options.deadAfter }])
      const view = detector.get(PEER)!
      expect(detector.admits(PEER, view.maxStamp)).toBe(false)
      expect(detector.admits(PEER, { wall: view.maxStamp.wall + 1, logical: 0 })).toBe(true)
      expect(compareHlc(view.maxStamp, { wall: 1_000, logical: 0 })).toBeGreaterThanOrEqual(0)
    }), { numRuns })
  })
})
