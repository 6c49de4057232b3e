// Compiles src/ to dist/ (and bundles the agent) only when a source is newer than the last build, so a start with
// nothing changed costs a directory walk (tens of ms), not a TypeScript run (seconds). Run after an install (the
// `dependencies` script) and by `npm start` (scripts/start.mjs). Plain JS on purpose: it must run before anything
// is compiled.
import { spawnSync } from 'node:child_process'
import { readdirSync, statSync, utimesSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const stamp = 'dist/.tsbuildinfo'
const inputs = ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'scripts/bundle-agent.mjs']

/** Newest modification time (ms) of the files under `dir`. */
function newest (dir) {
  let latest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs)
  }
  return latest
}

/** Builds when a source or a build input is newer than the last build; exits the process if the build fails. */
export function buildIfStale () {
  const built = (() => { try { return statSync(stamp).mtimeMs } catch { return 0 } })()
  const sources = Math.max(newest('src'), ...inputs.map((file) => statSync(file).mtimeMs))
  if (sources <= built) return
  const result = spawnSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' })
  if (result.status !== 0) process.exit(result.status ?? 1)
  // tsc leaves its build info untouched when nothing changed; mark this build as current either way.
  const now = new Date()
  utimesSync(stamp, now, now)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) buildIfStale()
