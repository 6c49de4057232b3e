/**
 * Prints the markdown table of every row in a compare.jsonl (several runs append to one file), ordered by
 * kind (matrix, then flat), N, loss and design; a configuration run twice shows its latest row.
 *
 *   npx tsx bench/membership/table.ts [bench/results/membership/compare.jsonl]
 */
import { isMain } from '../report/cli.js'
import { readJsonLines } from '../report/jsonl.js'
import { DESIGNS, markdownTable, type CompareRow } from './compare.js'

export function orderedRows (rows: readonly CompareRow[]): CompareRow[] {
  const latest = new Map<string, CompareRow>()
  for (const row of rows) latest.set(`${row.kind}/${row.nodes}/${row.loss}/${row.design}`, row)
  const rank = (name: string): number => {
    const i = DESIGNS.findIndex((d) => d.name === name)
    return i < 0 ? DESIGNS.length : i
  }
  return [...latest.values()].sort((a, b) =>
    (a.kind === b.kind ? 0 : a.kind === 'matrix' ? -1 : 1) || a.nodes - b.nodes || a.loss - b.loss || rank(a.design) - rank(b.design))
}

if (isMain(import.meta.url)) {
  const file = process.argv[2] ?? 'bench/results/membership/compare.jsonl'
  console.log(markdownTable(orderedRows(readJsonLines<CompareRow>(file))))
}
