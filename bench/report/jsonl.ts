/**
 * Benchmark results as JSON lines: one object per line, appended, so runs accumulate in one file and a
 * crashed run leaves every earlier line readable. No schema here: each benchmark owns its fields.
 */
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs'
import { dirname } from 'node:path'

/** Appends `result` as one JSON line to `file`, creating its folder if needed. */
export function writeJsonLine (file: string, result: object): void {
  mkdirSync(dirname(file), { recursive: true })
  appendFileSync(file, `${JSON.stringify(result)}\n`)
}

/**
 * Every JSON line of `file`, blank lines skipped. The type is the caller's promise: lines are parsed, not checked.
 *
 * @throws Error naming the file and the 1-based line number when a line is not JSON, so a hand-edited or
 *   truncated results file points at the line to fix.
 */
export function readJsonLines<T> (file: string): T[] {
  const lines = readFileSync(file, 'utf8').split('\n')
  const results: T[] = []
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]?.trim() ?? ''
    if (line === '') continue
    try {
      results.push(JSON.parse(line) as T)
    } catch (err) {
      throw new Error(`${file}:${i + 1}: not a JSON line (${err instanceof Error ? err.message : String(err)})`, { cause: err })
    }
  }
  return results
}
