// Runs before `npm pack` and `npm publish` (prepack): a full build of src/ into dist/, minus what an earlier build
// left of sources deleted since, so the tarball holds exactly today's sources compiled. The build is incremental
// (tsc's build info), so a pack right after `npm start` costs seconds, not a rebuild from nothing.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'

const OUTPUT = /\.(?:js|d\.ts|js\.map)$/

/** Removes outputs under `dir` (dist/src/...) whose source under src/ is gone. */
function prune (dir) {
  if (!existsSync(dir)) return
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) prune(path)
    else if (OUTPUT.test(entry.name) && !existsSync(path.slice('dist/'.length).replace(OUTPUT, '.ts'))) rmSync(path)
  }
}

prune('dist/src')
const result = spawnSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' })
process.exit(result.status ?? 1)
