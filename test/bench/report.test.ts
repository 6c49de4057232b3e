import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { readJsonLines, writeJsonLine } from '../../bench/report/jsonl.js'
import { markdownTable } from '../../bench/report/markdown.js'
import { renderLineChart, type ChartSpec } from '../../bench/report/plot.js'
import { round, summarize } from '../../bench/report/stats.js'

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
