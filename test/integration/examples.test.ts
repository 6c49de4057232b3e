/**
 * The examples run as docs/api.md says: the service registers itself, the client finds it through the
 * registry and calls it, and the service leaves on SIGINT.
 */
import type { ChildProcess } from 'node:child_process'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { spawnScript, type Spawned } from '../support/processes.js'

const children: ChildProcess[] = []

function run (script: string, env: Record<string, string> = {}): Spawned {
  const spawned = spawnScript(script, [], env)
  children.push(spawned.child)
  return spawned
}

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL')
})

describe('examples', () => {
  it('a client finds the example service through the registry and calls it', async () => {
    const service = run('examples/http-service/index.ts', { EXAMPLE_SECONDS: '60' })
    await vi.waitFor(() => { expect(service.output()).toContain('registry node') }, { timeout: 20_000, interval: 100 })

    const client = run('examples/client/index.ts')
    expect(await client.exited).toBe(0)
    expect(client.output()).toMatch(/found hello@1\.0\.0 at 127\.0\.0\.1:\d+/)
    expect(client.output()).toContain('"hello":"world"')

    service.child.kill('SIGINT')
    expect(await service.exited).toBe(0)
    expect(service.output()).toContain('stopped')
  }, 60_000)
})
