/**
 * Command-line parsing the benches share: bad sizes and timings are refused with the flag named; every bench
 * prints its usage for `--help` and refuses a flag it does not know with exit code 2 and the usage.
 */
import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { parseSeed, parseSizes, parseTimings } from '../../bench/report/cli.js'
import { root, runBounded, tsxArgs } from '../support/processes.js'

/** Every bench a user runs by itself: the .ts files at the top of bench/. */
const BENCHES = readdirSync(join(root, 'bench')).filter((name) => name.endsWith('.ts'))

describe('bench command line', () => {
  it('parses sizes and refuses what no cluster can be', () => {
    expect(parseSizes('10,25,200')).toEqual([10, 25, 200])
    expect(() => parseSizes('10,two')).toThrow(/--nodes/)
    expect(() => parseSizes('2')).toThrow(/--nodes/)
  })

  it('takes a seed the simulator\'s generator accepts, and names the flag otherwise', () => {
    expect(parseSeed('7')).toBe(7)
    expect(parseSeed(String(0xffff_ffff))).toBe(0xffff_ffff)
    for (const bad of ['-1', '1.5', 'one', String(2 ** 32)]) expect(() => parseSeed(bad)).toThrow(/--seed/)
  })

  it('derives suspect and dead from the heartbeat as the defaults do, and needs the heartbeat for either', () => {
    expect(parseTimings({})).toBeUndefined()
    expect(parseTimings({ heartbeat: '5000' })).toEqual({ heartbeatMs: 5_000, suspectAfterMs: 20_000, deadAfterMs: 100_000 })
    expect(parseTimings({ heartbeat: '200', dead: '2500' })).toEqual({ heartbeatMs: 200, suspectAfterMs: 800, deadAfterMs: 2_500 })
    expect(() => parseTimings({ dead: '1000' })).toThrow(/--heartbeat/)
    expect(() => parseTimings({ heartbeat: 'soon' })).toThrow(/heartbeatMs/)
  })

  it.each(BENCHES)('%s prints its usage for --help and refuses an unknown flag', async (bench) => {
    const run = async (flag: string): ReturnType<typeof runBounded> => runBounded(process.execPath, [...tsxArgs, join('bench', bench), flag], { cwd: root, timeoutMs: 30_000 })
    const help = await run('--help')
    expect(help.code, help.stderr).toBe(0)
    expect(help.stdout).toContain(`bench/${bench}`)
    const wrong = await run('--no-such-flag')
    expect(wrong.code, wrong.stderr).toBe(2)
    expect(wrong.stderr).toContain("'--no-such-flag'")
    expect(wrong.stderr).toContain(`bench/${bench}`)
  })
})
