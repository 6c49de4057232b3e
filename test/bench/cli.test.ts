/**
 * Command-line parsing the cluster benches share: bad sizes and timings are refused with the flag named.
 */
import { describe, expect, it } from 'vitest'
import { parseSizes, parseTimings } from '../../bench/report/cli.js'

describe('bench command line', () => {
  it('parses sizes and refuses what no cluster can be', () => {
    expect(parseSizes('10,25,200')).toEqual([10, 25, 200])
    expect(() => parseSizes('10,two')).toThrow(/--nodes/)
    expect(() => parseSizes('2')).toThrow(/--nodes/)
  })

  it('derives suspect and dead from the heartbeat as the defaults do, and needs the heartbeat for either', () => {
    expect(parseTimings({})).toBeUndefined()
    expect(parseTimings({ heartbeat: '5000' })).toEqual({ heartbeatMs: 5_000, suspectAfterMs: 20_000, deadAfterMs: 100_000 })
    expect(parseTimings({ heartbeat: '200', dead: '2500' })).toEqual({ heartbeatMs: 200, suspectAfterMs: 800, deadAfterMs: 2_500 })
    expect(() => parseTimings({ dead: '1000' })).toThrow(/--heartbeat/)
    expect(() => parseTimings({ heartbeat: 'soon' })).toThrow(/heartbeatMs/)
  })
})
