/**
 * Plain-text tables for the terminal: columns padded to their widest cell.
 */

/** Renders rows under a header, columns separated by two spaces. An empty table says "(none)". */
export function renderTable (header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)))
  const line = (cells: readonly string[]): string => cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd()
  const body = rows.length === 0 ? ['(none)'] : rows.map(line)
  return [line(header), ...body].join('\n')
}
