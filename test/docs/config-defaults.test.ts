/**
 * Keeps the documented defaults (the `@default` lines of src/config.ts, which docs/options.md copies) in step with
 * the DEFAULTS object the code uses, and docs/options.md in step with the agent's option table (flag, variable).
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { DEFAULTS } from '../../src/index.js'
import { AGENT_DEFAULTS, AGENT_FLAGS, REGISTRY_FLAGS, envName, flagName } from '../../src/cli/options.js'

const source = readFileSync(new URL('../../src/config.ts', import.meta.url), 'utf8')
const optionsPage = readFileSync(new URL('../../docs/options.md', import.meta.url), 'utf8')

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

  const rowOf = (option: string): string | undefined => optionsPage.split('\n').find((line) => line.startsWith(`| \`${option}\` |`))

  it('lists every option in docs/options.md with the same default', () => {
    for (const [option, text] of documented) {
      const row = rowOf(option)
      expect(row, `docs/options.md row for ${option}`).toBeDefined()
      expect(row).toContain(text.split(' (')[0])
    }
  })

  it('gives every agent option its flag and variable in docs/options.md, with the agent default', () => {
    for (const option of [...Object.keys(REGISTRY_FLAGS), ...Object.keys(AGENT_FLAGS)]) {
      const row = rowOf(option)
      expect(row, `docs/options.md row for ${option}`).toBeDefined()
      expect(row).toContain(option === 'mdns' ? '`--no-mdns`' : `\`--${flagName(option)}\``)
      expect(row).toContain(envName(option))
    }
    for (const [option, value] of Object.entries(AGENT_DEFAULTS)) {
      const shown = typeof value === 'string' ? `'${value}'` : typeof value === 'number' ? value.toLocaleString('en').replaceAll(',', '_') : String(value)
      expect(rowOf(option)?.split(' | ')[1], `default of ${option}`).toBe(shown)
    }
  })
})
