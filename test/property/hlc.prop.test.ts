/**
 * The hybrid logical clock against hostile but legal input (fast-check): whatever stamps peers send within
 * `maxClockDrift` (logical parts up to the wire's maximum included), this node's own stamps keep increasing
 * and reach the wire unchanged, so a later write (a deregistration) always wins over an earlier one.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { compareHlc, tickHlc, witnessHlc, ZERO_HLC, type Hlc } from '../../src/clock/hlc.js'
import { DEFAULTS } from '../../src/config.js'
import { decodePayload, encodePayload } from '../../src/record/codec.js'
import { MAX_STAMP_LOGICAL as MAX_LOGICAL } from '../../src/record/limits.js'
import type { InstanceTombstone } from '../../src/record/types.js'

const numRuns = Number(process.env.FC_RUNS ?? 200)
const owner = '12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN'
const start = 1_700_000_000_000

/** What happens next at this node: time passes, a peer's stamp arrives, or this node writes. */
type Step =
  | { kind: 'time', ms: number }
  | { kind: 'witness', ahead: number, logical: number }
  | { kind: 'write' }

const stepArb: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('time' as const), ms: fc.integer({ min: 0, max: 5 }) }),
  // A legal remote stamp: up to maxClockDrift ahead (or behind), its logical part anywhere a uint32 reaches,
  // with the maximum and its neighbours (the dangerous values) drawn often.
  fc.record({
    kind: fc.constant('witness' as const),
    ahead: fc.oneof(fc.integer({ min: -5, max: 5 }), fc.constant(DEFAULTS.maxClockDrift), fc.integer({ min: -DEFAULTS.maxClockDrift, max: DEFAULTS.maxClockDrift })),
    logical: fc.oneof(fc.constantFrom(MAX_LOGICAL, MAX_LOGICAL - 1, 0), fc.integer({ min: 0, max: MAX_LOGICAL }))
  }),
  fc.record({ kind: fc.constant('write' as const) })
)

function roundTrip (stamp: Hlc): Hlc {
  const record: InstanceTombstone = { kind: 'instance', deleted: true, owner, id: 'i-1', namespace: 'default', stamp, service: 'orders' }
  return decodePayload(encodePayload(record), owner).stamp
}

describe('hybrid logical clock under legal remote stamps', () => {
  it('gives strictly increasing local stamps that survive encode/decode unchanged', () => {
    fc.assert(fc.property(fc.array(stepArb, { minLength: 1, maxLength: 60 }), (steps) => {
      let now = start
      let clock: Hlc = ZERO_HLC
      let lastLocal: Hlc = ZERO_HLC
      for (const step of steps) {
        if (step.kind === 'time') {
          now += step.ms
        } else if (step.kind === 'witness') {
          // As the replica does: a stamp beyond maxClockDrift is rejected before it is witnessed.
          const remote = { wall: now + step.ahead, logical: step.logical }
          if (remote.wall <= now + DEFAULTS.maxClockDrift) clock = witnessHlc(clock, remote, now)
        } else {
          clock = tickHlc(clock, now)
          expect(compareHlc(clock, lastLocal)).toBeGreaterThan(0)
          expect(roundTrip(clock)).toEqual(clock)
          lastLocal = clock
        }
      }
    }), { numRuns })
  })
})
