/**
 * GitHub-flavoured markdown tables for benchmark reports (bench/results/*.md, console output). Formatting only:
 * callers round their numbers first (see stats.ts `round`).
 */

/** A table cell: a number, text, or `undefined` for "not measured" (shown as an en dash). */
export type Cell = string | number | undefined

const MISSING = '–'

/**
 * A markdown table. A column whose cells are all numbers (or missing) is right-aligned so digits line up;
 * any text in a column keeps it left-aligned. Pipes and line breaks inside cells are escaped, so a cell can
 * never split the row.
 */
export function markdownTable (headers: readonly string[], rows: ReadonlyArray<ReadonlyArray<Cell>>): string {
  const numeric = headers.map((_, column) => rows.every((row) => {
    const cell = row[column]
    return cell === undefined || typeof cell === 'number'
  }))
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`
  return [
    line(headers.map(escapeCell)),
    line(numeric.map((isNumeric) => isNumeric ? '---:' : '---')),
    ...rows.map((row) => line(headers.map((_, column) => format(row[column]))))
  ].join('\n') + '\n'
}

function format (cell: Cell): string {
  if (cell === undefined) return MISSING
  return escapeCell(typeof cell === 'number' ? String(cell) : cell)
}

function escapeCell (text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ')
}
