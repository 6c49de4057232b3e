import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { readJsonLines, writeJsonLine } from '../../bench/report/jsonl.js'
import { markdownTable } from '../../bench/report/markdown.js'
import { renderLineChart, type ChartSpec } from '../../bench/report/plot.js'
import { round, summarize, type Summary } from '../../bench/report/stats.js'
import { writeSummary } from '../../bench/report/summary.js'
import type { ConvergenceResult } from '../../bench/convergence/scenario.js'

describe('summarize', () => {
  it('takes nearest-rank percentiles of 1..100 in any order', () => {
    const samples = Array.from({ length: 100 }, (_, i) => 100 - i)
    expect(summarize(samples)).toEqual({ count: 100, min: 1, p50: 50, p99: 99, max: 100, mean: 50.5 })
  })

  it.each([
    ['one sample', [7], { p50: 7, p99: 7 }],
    ['two samples', [1, 2], { p50: 1, p99: 2 }],
    ['ten samples', [10, 9, 8, 7, 6, 5, 4, 3, 2, 1], { p50: 5, p99: 10 }]
  ])('%s', (_name, samples, expected) => {
    expect(summarize(samples)).toMatchObject(expected)
  })

  it('leaves its input unsorted and refuses an empty input', () => {
    const samples = [3, 1, 2]
    summarize(samples)
    expect(samples).toEqual([3, 1, 2])
    expect(() => summarize([])).toThrow(RangeError)
  })

  it.each([
    [1.25, 1, 1.3],
    [-1.25, 1, -1.3],
    [1234.5678, 2, 1234.57],
    [2.5, 0, 3]
  ])('rounds %d to %d digits as %d', (value, digits, expected) => {
    expect(round(value, digits)).toBe(expected)
  })
})

describe('markdownTable', () => {
  it('right-aligns numeric columns, escapes pipes and shows missing cells as a dash', () => {
    const table = markdownTable(['query', 'calls/s', 'note'], [
      ['a|b', 12.5, undefined],
      ['plain', undefined, 'x']
    ])
    expect(table).toBe([
      '| query | calls/s | note |',
      '| --- | ---: | --- |',
      '| a\\|b | 12.5 | – |',
      '| plain | – | x |',
      ''
    ].join('\n'))
  })

  it('keeps a column left-aligned when one cell is text', () => {
    expect(markdownTable(['n'], [[1], ['two']]).split('\n')[1]).toBe('| --- |')
  })
})

describe('JSON lines', () => {
  let dir: string
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'bench-report-')) })
  afterEach(() => { rmSync(dir, { recursive: true, force: true }) })

  it('appends lines in a new folder and reads them back', () => {
    const file = join(dir, 'nested', 'results.jsonl')
    writeJsonLine(file, { bench: 'a', n: 1 })
    writeJsonLine(file, { bench: 'b', n: 2 })
    expect(readJsonLines<{ bench: string, n: number }>(file)).toEqual([{ bench: 'a', n: 1 }, { bench: 'b', n: 2 }])
  })

  it('skips blank lines and names the file and line of a bad one', () => {
    const file = join(dir, 'bad.jsonl')
    writeFileSync(file, '{"n":1}\n\n{"n":\n')
    expect(() => readJsonLines(file)).toThrow(`${file}:3:`)
    writeFileSync(file, '{"n":1}\n\n  \n{"n":2}\n')
    expect(readJsonLines(file)).toEqual([{ n: 1 }, { n: 2 }])
  })
})

describe('renderLineChart', () => {
  const chart: ChartSpec = {
    title: 'Lookups per second',
    x: { label: 'instances', log: true },
    y: { label: 'calls per second', log: true },
    series: [
      { name: 'registry', points: [{ x: 10, y: 2e7 }, { x: 1_000, y: 3e5 }, { x: 100_000, y: 2e3 }] },
      { name: 'core', points: [{ x: 10, y: 3e7 }, { x: 1_000, y: 4e5 }] }
    ],
    targets: [{ y: 5e6, label: 'target 5M/s' }]
  }

  it('draws an SVG with the title, each series and the target', async () => {
    const svg = await renderLineChart(chart)
    expect(svg.startsWith('<svg')).toBe(true)
    for (const text of ['Lookups per second', 'registry', 'core', 'target 5M/s']) expect(svg).toContain(text)
    expect(svg).toContain('stroke-dasharray')
  })

  it('rejects a value of 0 on a log axis and a chart without points', async () => {
    await expect(renderLineChart({ ...chart, series: [{ name: 'zero', points: [{ x: 0, y: 1 }] }] })).rejects.toThrow(RangeError)
    await expect(renderLineChart({ ...chart, targets: [{ y: 0, label: 'none' }] })).rejects.toThrow(RangeError)
    await expect(renderLineChart({ ...chart, series: [{ name: 'empty', points: [] }] })).rejects.toThrow(RangeError)
  })
})

describe('the summary of a results folder', () => {
  let dir: string
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'bench-summary-')) })
  afterEach(() => { rmSync(dir, { recursive: true, force: true }) })

  const latency = (p99: number): Summary => ({ count: 20, min: 1, p50: p99 / 2, p99, max: p99, mean: p99 / 2 })
  const convergence = (nodes: number, over: { p99: number, hangMs: number, cpuPercentPerNode: number, falseDeaths: number }): ConvergenceResult => ({
    bench: 'convergence', nodes, processes: 3, heartbeatMs: 1_000, deadAfterMs: 3_000, startupMs: 42_000, settleMs: 0, formation: { falseSuspicions: 40, falseDeaths: 7 }, register: latency(over.p99), deregister: latency(over.p99),
    samples: { register: [], deregister: [] }, detectionMs: 1_200, hangDetectionMs: over.hangMs, joinTableMs: 900, joinMembersMs: 900,
    steady: { seconds: 600, cpuPercentPerNode: over.cpuPercentPerNode, falseSuspicions: 3, falseDeaths: over.falseDeaths, loopDelayMaxMs: 40, rssMbPerNodeShared: 20, rssMbSingleNode: 90, rssMbAddedSingleNode: 50, payloadBytesInPerNodePerSec: 300, payloadBytesOutPerNodePerSec: 300, wireBytesPerNodePerSec: 900, messagesOutPerNodePerSec: 8 }
  })

  it('gives each of issue 16\'s targets its measured figure and verdict, and says what was not measured', async () => {
    writeJsonLine(join(dir, 'convergence.jsonl'), convergence(100, { p99: 250, hangMs: 2_400, cpuPercentPerNode: 0.5, falseDeaths: 0 }))
    writeJsonLine(join(dir, 'convergence.jsonl'), { bench: 'convergence-failed', nodes: 200, options: {}, error: 'no quorum of dials' })
    writeJsonLine(join(dir, 'churn.jsonl'), { bench: 'churn-cost', nodes: 20, opsPerSecond: 100, seconds: 60, ops: 6_000, settled: true, elapsedSeconds: 90, cpuSeconds: 150, cpuMsPerDeliveredRecord: 1.3, measured: 6_000, lagP50Ms: 20_000, lagP99Ms: 40_000, lagMaxMs: 41_000, requestLagP99Ms: 45_000, firstWindowP50Ms: 2_000, lastWindowP50Ms: 30_000, falseSuspicions: 0, falseDeaths: 0, loopDelayMaxMs: 500 })
    const text = await writeSummary(dir, 'npm run bench -- --full')
    const row = (name: string): string => text.split('\n').find((line) => line.startsWith(`| ${name}`)) ?? `no row ${name}`
    expect(row('real N = 100: forms')).toContain('yes, formed in 42 s (7 false deaths on the way)')
    expect(row('real N = 200: forms')).toMatch(/no: no quorum of dials \| missed/)
    expect(row('SIGSTOP (hang) → dead everywhere, N = 100')).toMatch(/2,400 ms \| met/)
    expect(row('CPU of all 100 idle nodes together')).toMatch(/50 % \| missed by 3.3×/)
    expect(row('register visible everywhere p99, N = 100')).toMatch(/250 ms \| missed by 2.5×/)
    expect(row('false deaths, 600 s steady at N = 100')).toMatch(/0 deaths \| met/)
    expect(row('churn: median lag from the request, last 10 s over first 10 s')).toMatch(/15 × \| missed by 10×/)
    expect(row('SIGKILL → dead everywhere, N = 10')).toContain('not measured in this run')
    expect(row('simulated register visible everywhere p99, N = 100 000')).toContain('not measured in this run')
  })
})
