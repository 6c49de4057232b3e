/**
 * Member names end to end, with two agents as real processes (mDNS off, one bootstraps to the other): each shows
 * the other's `--name` (or GOSSIP_REGISTRY_NAME) in /v1/members, in `members` and in its log; once one is killed and
 * dead at the other, `members prune` forgets it there, and `force-leave` refuses a member that is alive.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { runCli, startAgent, type Agent } from '../support/agents.js'

interface Member { peerId: string, name: string, state: string, self: boolean }

let a: Agent
let b: Agent

const membersAt = async (agent: Agent): Promise<Member[]> => ((await (await fetch(`${agent.url}/v1/members`)).json()) as { members: Member[] }).members

beforeAll(async () => {
  a = await startAgent(['--name', 'alpha'])
  b = await startAgent(['--bootstrap', a.multiaddr], { GOSSIP_REGISTRY_NAME: 'beta.eu-1' })
}, 60_000)

afterAll(async () => {
  await Promise.allSettled([a?.stop(), b?.stop()])
})

describe('member names across two agents', () => {
  it("shows each agent's name at the other, in /v1/members, in the CLI and in the log", async () => {
    await vi.waitFor(async () => {
      expect((await membersAt(a)).map((m) => [m.name, m.state, m.self])).toEqual(expect.arrayContaining([['alpha', 'alive', true], ['beta.eu-1', 'alive', false]]))
      expect((await membersAt(b)).map((m) => [m.name, m.state, m.self])).toEqual(expect.arrayContaining([['beta.eu-1', 'alive', true], ['alpha', 'alive', false]]))
    }, { timeout: 20_000, interval: 200 })

    const table = await runCli(['members', '--agent', a.url])
    expect(table.code).toBe(0)
    const lines = table.stdout.trim().split('\n')
    expect(lines[0]).toMatch(/^name\s+member\s+state\s+last heard\s+instances$/)
    expect(lines.find((line) => line.startsWith('beta.eu-1 '))).toMatch(/^beta\.eu-1\s+12D3\S+\s+alive\s/)
    expect(lines.find((line) => line.startsWith('alpha '))).toMatch(/\(agent\)\s+alive/)
    await vi.waitFor(() => { expect(a.output()).toMatch(/member \S+ unknown -> alive \(\S+\) name=beta\.eu-1/) }, { timeout: 5_000, interval: 100 })
  }, 40_000)

  it('refuses to force out a member alive here, by name', async () => {
    const refused = await runCli(['force-leave', 'beta.eu-1', '--agent', a.url])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain('409 ERR_MEMBER_NOT_GONE')
    expect((await membersAt(a)).find((m) => m.name === 'beta.eu-1')?.state).toBe('alive')
  }, 30_000)

  it('prunes a killed agent once it is dead here, with `members prune`', async () => {
    b.child.kill('SIGKILL')
    await b.exited
    await vi.waitFor(async () => {
      expect((await membersAt(a)).find((m) => m.name === 'beta.eu-1')?.state).toBe('dead')
    }, { timeout: 30_000, interval: 200 })
    const pruned = await runCli(['members', 'prune', '--agent', a.url, '--json'])
    expect(pruned.code).toBe(0)
    expect(JSON.parse(pruned.stdout)).toEqual({ success: true, pruned: 1 })
    expect((await membersAt(a)).map((m) => m.name)).toEqual(['alpha'])
    const listed = await runCli(['members', '--agent', a.url])
    expect(listed.stdout).not.toContain('beta.eu-1')
    expect(listed.stdout.trim().split('\n')).toHaveLength(2)
  }, 60_000)
})
