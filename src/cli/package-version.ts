/**
 * This package's version, for `--version`: read from the nearest package.json above this file, which is two levels
 * up from src/cli and three from dist/src/cli, so the same code works run from source and built.
 */
import { readFileSync } from 'node:fs'

/** The `version` of the gossip-registry package.json above this module. */
export function packageVersion (): string {
  let dir = new URL('.', import.meta.url)
  for (let depth = 0; depth < 5; depth++) {
    try {
      const json = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as { name?: string, version?: string }
      if (json.name === 'gossip-registry' && json.version !== undefined) return json.version
    } catch {
      // No package.json at this level: look one higher.
    }
    dir = new URL('..', dir)
  }
  return 'unknown'
}
