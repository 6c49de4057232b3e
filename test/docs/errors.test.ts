/**
 * Keeps docs/errors.md's table and the error codes in src/errors.ts in step, both ways, and docs/http.md's table
 * of the gateway's own codes with HTTP_CODES.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { HTTP_CODES } from '../../src/gateway/errors.js'

const source = readFileSync(new URL('../../src/errors.ts', import.meta.url), 'utf8')
const page = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8')
const httpPage = readFileSync(new URL('../../docs/http.md', import.meta.url), 'utf8')

describe('error codes', () => {
  const declared = [...source.matchAll(/\| '(ERR_[A-Z_]+)'/g)].map((m) => m[1]).sort()
  const thrown = [...new Set([...source.matchAll(/'(ERR_[A-Z_]+)'\)/g)].map((m) => m[1]))].sort()
  const documented = [...page.matchAll(/\| `(ERR_[A-Z_]+)` \|/g)].map((m) => m[1]).sort()

  it('every declared code is thrown by some error class', () => {
    expect(thrown).toEqual(declared)
  })

  it('docs/errors.md documents exactly the declared codes', () => {
    expect(documented).toEqual(declared)
  })

  it("docs/http.md documents exactly the gateway's own codes, with their status", () => {
    const rows = [...httpPage.matchAll(/^\| (\d{3}) \| `(ERR_[A-Z_]+)` \|/gm)].map((m) => [Number(m[1]), m[2]])
    expect(rows).toEqual(Object.entries(HTTP_CODES).map(([status, code]) => [Number(status), code]))
  })
})
