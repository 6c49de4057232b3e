/**
 * Keeps README's error table and the error codes in src/errors.ts in step, both ways.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

const source = readFileSync(new URL('../../src/errors.ts', import.meta.url), 'utf8')
const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8')

describe('error codes', () => {
  const declared = [...source.matchAll(/\| '(ERR_[A-Z_]+)'/g)].map((m) => m[1]).sort()
  const thrown = [...new Set([...source.matchAll(/'(ERR_[A-Z_]+)'\)/g)].map((m) => m[1]))].sort()
  const documented = [...readme.matchAll(/\| `(ERR_[A-Z_]+)` \|/g)].map((m) => m[1]).sort()

  it('every declared code is thrown by some error class', () => {
    expect(thrown).toEqual(declared)
  })

  it('README documents exactly the declared codes', () => {
    expect(documented).toEqual(declared)
  })
})
