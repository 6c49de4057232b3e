/**
 * Keeps the documented defaults (the `@default` lines of src/config.ts, which README copies) in step with
 * the DEFAULTS object the code uses.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { DEFAULTS } from '../../src/index.js'

const source = readFileSync(new URL('../../src/config.ts', import.meta.url), 'utf8')
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')

/** `@default` value of each option, as written in the TSDoc above it. */
function documentedDefaults (): Map<string, string> {
  const found = new Map<string, string>()
  const pattern = /@default ([^\n]+)\n(?:[^\n]*\n)*?\s{2}(\w+)\?:/g
  for (const match of source.matchAll(pattern)) found.set(match[2]!, match[1]!.trim())
  return found
}

describe('documented defaults', () => {
  const documented = documentedDefaults()

  it('documents every option', () => {
    expect([...documented.keys()].sort()).toEqual(Object.keys(DEFAULTS).sort())
  })

  it.each(Object.entries(DEFAULTS))('`%s` is documented with its real default', (option, value) => {
    const text = documented.get(option)!
    if (typeof value === 'number') expect(Number(text.split(' ')[0]!.replaceAll('_', ''))).toBe(value)
    else if (typeof value === 'boolean' || typeof value === 'string') expect(text).toContain(typeof value === 'string' ? `'${value}'` : String(value))
    else if (Array.isArray(value)) expect(text).toBe(JSON.stringify(value).replaceAll('"', "'").replaceAll(',', ', '))
  })

  it('lists every option in the README options table with the same default', () => {
    for (const [option, text] of documented) {
      const row = readme.split('\n').find((line) => line.startsWith(`| \`${option}\` |`))
      expect(row, `README row for ${option}`).toBeDefined()
      expect(row).toContain(text.split(' (')[0])
    }
  })
})
