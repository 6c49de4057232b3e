/**
 * The LAN demo runs as documented: three namespaces, three nodes that find each other, and a clean-up.
 * Needs root, like the rest of test/netns.
 */
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { canUseNetns } from '../support/netns.js'

const root = fileURLToPath(new URL('../..', import.meta.url))
const tsx = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url))

describe.runIf(canUseNetns())('the LAN demo', () => {
  it('shows three hosts converging, then removes its namespaces', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [tsx, 'examples/lan-demo/index.ts'], { cwd: root, env: { ...process.env, DEMO_SECONDS: '8' }, timeout: 60_000 })
    expect(stdout).toMatch(/host 1 sees 3 member\(s\): (\w+=alive ?){3}/)
    expect(stdout).toContain('svc-3@1.0.0 10.89.0.3:8003')
    expect(stdout.trim().endsWith('namespaces removed')).toBe(true)
  }, 70_000)
})
