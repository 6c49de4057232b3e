/**
 * The documentation pages are reference pages: each has a table of contents listing exactly its sections, every
 * link inside docs/ and README points at a page and an anchor that exist, and README stays a front page.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { describe, expect, it } from 'vitest'

const docs = new URL('../../docs/', import.meta.url)
const pages = readdirSync(docs).filter((name) => name.endsWith('.md'))
const read = (url: URL): string => readFileSync(url, 'utf8')
/** GitHub's anchor of a heading. */
const slug = (heading: string): string => heading.toLowerCase().replace(/[^\w\- ]/g, '').replaceAll(' ', '-')
const headings = (text: string, level: string): string[] => text.replace(/```[\s\S]*?```/g, '').split('\n').filter((l) => l.startsWith(`${level} `)).map((l) => l.slice(level.length + 1))

describe('docs/', () => {
  it('has the reference pages', () => {
    expect(pages).toEqual(expect.arrayContaining(['api.md', 'options.md', 'errors.md', 'agent.md', 'http.md', 'security.md', 'performance.md', 'internals.md']))
  })

  it.each(pages)('%s has a table of contents listing its sections', (page) => {
    const text = read(new URL(page, docs))
    const sections = headings(text, '##').filter((h) => h !== 'Contents')
    const contents = /## Contents\n\n((?:- .*\n)+)/.exec(text)?.[1]
    expect(contents, `${page} has a "## Contents" list`).toBeDefined()
    expect([...contents!.matchAll(/\(#([^)]+)\)/g)].map((m) => m[1])).toEqual(sections.map(slug))
  })

  it.each([...pages.map((p) => new URL(p, docs)), new URL('../../README.md', import.meta.url)])('links of %s resolve', (url) => {
    for (const [, target] of read(url).matchAll(/\]\(([^)\s]+)\)/g)) {
      if (/^https?:/.test(target!)) continue
      const [file, anchor] = target!.split('#')
      const resolved = file === '' ? url : new URL(file!, url)
      expect(existsSync(resolved), `${target} from ${url.pathname}`).toBe(true)
      if (anchor !== undefined && resolved.pathname.endsWith('.md')) {
        expect(headings(read(resolved), '##').concat(headings(read(resolved), '###')).map(slug), `${target} from ${url.pathname}`).toContain(anchor)
      }
    }
  })
})

describe('README', () => {
  it('is a front page: at most 150 lines, the two set-up commands first', () => {
    const text = read(new URL('../../README.md', import.meta.url))
    expect(text.split('\n').length).toBeLessThanOrEqual(150)
    expect(text.split('\n').slice(0, 6).join('\n')).toMatch(/npm install && npm start[\s\S]*npm test/)
  })
})
