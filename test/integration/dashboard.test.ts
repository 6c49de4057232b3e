/**
 * The dashboard, in Debian's chromium driven by playwright-core: it shows the members with their address and
 * state, an instance registered at a *second* agent appears live on the first agent's page without a reload,
 * a live member's "last heard" stays under the heartbeat interval plus a margin, the filter box narrows the
 * tables, a hung member's "last heard" counts up and its instance turns suspect, then goes, and a member that
 * left reads left. Keeps a screenshot in test-artifacts/dashboard.png. Needs /usr/bin/chromium (.ci/run installs it).
 */
import { existsSync, mkdirSync } from 'node:fs'
import { chromium, type Browser } from 'playwright-core'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { DEFAULTS } from '../../src/index.js'
import { startAgent, type Agent } from '../support/agents.js'

const CHROMIUM = '/usr/bin/chromium'
const hasChromium = existsSync(CHROMIUM)
if (!hasChromium) console.warn(`dashboard test: skipped, it needs ${CHROMIUM} (apt-get install chromium)`)

describe('dashboard prerequisites', () => {
  it('are met when running in CI', () => {
    if (process.env.CI === 'true') expect(hasChromium, `CI must install ${CHROMIUM}`).toBe(true)
  })
})

/**
 * The dashboard's agent alerts later than the others, so a crashed member it observes is suspect there (one alert,
 * from the other observer) for about 6 s before its own alert completes the quorum: long enough to be seen, by a
 * page that re-reads members every second, on a box busy with the rest of the suite.
 */
const FIRST_SUSPECT_AFTER = 8_000
/** Attempts at a third agent that observes the second beside the first (each fails with chance 1/8, see below). */
const THIRD_AGENT_TRIES = 6

/**
 * True once the agent at `url` holds exactly `alive` alive, no other member living, and observes `peer`. Observers
 * follow from a node's view, so the answer stands only once the view is exactly what it will stay: a first agent
 * that has not yet heard of a new third one still observes everyone, and may stop observing `peer` when it does;
 * one that still counts an earlier, stopped third (its leave not delivered yet) observes over four members and
 * may stop observing `peer` when that one ages out.
 */
async function observes (url: string, peer: string, alive: readonly string[]): Promise<boolean> {
  const { members } = await (await fetch(`${url}/v1/members`)).json() as { members: Array<{ peerId: string, state: string, observed: boolean }> }
  const living = members.filter((m) => m.state === 'alive' || m.state === 'suspect')
  const exact = living.length === alive.length && alive.every((p) => living.some((m) => m.peerId === p && m.state === 'alive'))
  return exact && members.find((m) => m.peerId === peer)?.observed === true
}

/** What the agent at `url` lists, one `name state observed|unobserved` each: for failure messages. */
async function listing (url: string): Promise<string> {
  const { members } = await (await fetch(`${url}/v1/members`)).json() as { members: Array<{ name: string, peerId: string, state: string, observed?: boolean }> }
  return members.map((m) => `${m.name || m.peerId.slice(-8)} ${m.state} ${m.observed === true ? 'observed' : 'unobserved'}`).join('; ')
}

/** An agent's peer id, from its start-up line. */
function peerIdOf (agent: Agent): string {
  return /peer id (\S+)/.exec(agent.output())![1]!
}

/** True if the agent at `url` last heard `peer` less than `withinMs` ago, on its own clock. */
async function heardWithin (url: string, peer: string, withinMs: number): Promise<boolean> {
  const { members, now } = await (await fetch(`${url}/v1/members`)).json() as { members: Array<{ peerId: string, lastSeen: number }>, now: number }
  const seen = members.find((m) => m.peerId === peer)?.lastSeen
  return seen !== undefined && now - seen < withinMs
}

/**
 * Starts a third agent joined to `first` such that both observe `peer`: its key decides its ring positions, so
 * one that does not is stopped and another started, a bounded number of times.
 */
async function observedByBoth (first: Agent, peer: string): Promise<Agent> {
  for (let attempt = 1; attempt <= THIRD_AGENT_TRIES; attempt++) {
    const third = await startAgent(['--bootstrap', first.multiaddr, '--name', 'dash-three'])
    const all = [peerIdOf(first), peer, peerIdOf(third)]
    const both = await vi.waitFor(async () => {
      expect(await observes(first.url, peer, all) && await observes(third.url, peer, all)).toBe(true)
    }, { timeout: 5_000, interval: 200 }).then(() => true, () => false)
    // The third must also hear the second's beats, not only count it as its subject: a new observer that has
    // never been beaten to alerts only when another observer accuses, so it would follow the first's alert at
    // once, and the second would die with no suspect phase to see. Beats come every heartbeatInterval.
    const beating = both && await vi.waitFor(async () => {
      await new Promise((resolve) => setTimeout(resolve, DEFAULTS.heartbeatInterval * 3))
      expect(await heardWithin(third.url, peer, DEFAULTS.heartbeatInterval * 2)).toBe(true)
    }, { timeout: 5_000, interval: 200 }).then(() => true, () => false)
    if (beating) return third
    await third.stop()
  }
  throw new Error(`no third agent observed ${peer} beside the first in ${THIRD_AGENT_TRIES} tries`)
}

describe.runIf(hasChromium)('the dashboard', () => {
  let browser: Browser | undefined
  const agents: Agent[] = []

  afterAll(async () => {
    await browser?.close()
    await Promise.allSettled(agents.map(async (agent) => agent.stop()))
  })

  it('updates live when an instance is registered at another agent', async () => {
    const first = await startAgent(['--suspect-after', String(FIRST_SUSPECT_AFTER)])
    agents.push(first)
    const second = await startAgent(['--bootstrap', first.multiaddr, '--name', 'dash-two'])
    agents.push(second)
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync']
    })
    const page = await browser.newPage({ viewport: { width: 1100, height: 700 } })
    await page.goto(`${first.url}/ui`)
    await page.locator('#live', { hasText: 'live' }).waitFor({ timeout: 15_000 })
    await page.locator('#members tbody tr').nth(1).waitFor({ timeout: 15_000 })
    expect(await page.locator('#members tbody tr').count()).toBe(2)

    const response = await fetch(`${second.url}/v1/instances`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ service: 'inventory', version: '4.2.0', address: '10.20.30.40', port: 7070, tags: ['eu', 'canary'], ttl: 60_000 })
    })
    expect(response.status).toBe(201)
    const row = page.locator('#instances tr[data-service="inventory"]')
    await row.waitFor({ timeout: 15_000 })
    expect(await row.innerText()).toMatch(/inventory\s+4\.2\.0\s+10\.20\.30\.40:7070\s+passing\s+alive\s+eu, canary/)

    // The second member: its address, its state, and a "last heard" that stays fresh while it beats. The page
    // refreshes members every second and heartbeats come every heartbeatInterval: 2 s of margin covers both
    // plus a busy machine.
    const peer = peerIdOf(second)
    const member = page.locator(`#members tr[data-peer="${peer}"]`)
    await member.waitFor({ timeout: 15_000 })
    expect(await member.innerText()).toMatch(/\/ip4\/127\.0\.0\.1\/tcp\/\d+\s+alive/)
    expect(await member.locator('.name').innerText()).toBe('dash-two')
    const boundS = (DEFAULTS.heartbeatInterval + 2_000) / 1000
    const seen: number[] = []
    for (let sample = 0; sample < 8; sample++) {
      seen.push(Number(/([\d.]+) s ago/.exec(await member.locator('.heard').innerText())![1]))
      await page.waitForTimeout(500)
    }
    expect(Math.max(...seen), `last heard samples ${seen.join(', ')}`).toBeLessThan(boundS)

    // A third member: it confirms the second's death, and leaves gracefully at the end. With three members the
    // rings may give the second one observer only; then the first alert kills it and it is never suspect (quorum
    // is capped at the observers there are). A third that both observe is kept: the second's observers are then
    // the first and the third, the third alerts at its suspectAfter (2 s) and makes the second suspect here, and
    // the first's own alert, at its longer suspectAfter, completes the quorum of two.
    const third = await observedByBoth(first, peer)
    agents.push(third)
    await page.locator('#members tbody tr').nth(2).waitFor({ timeout: 15_000 })

    await page.fill('#filter', 'no-such-thing')
    await expect.poll(async () => page.locator('#instances tr[data-service]').count(), { timeout: 5_000 }).toBe(0)
    await page.fill('#filter', 'dash-two')
    await expect.poll(async () => page.locator('#members tr[data-peer]').count(), { timeout: 5_000 }).toBe(1)
    expect(await page.locator('#members tr[data-peer]').getAttribute('data-peer')).toBe(peer)
    await page.fill('#filter', 'canary')
    await expect.poll(async () => page.locator('#instances tr[data-service="inventory"]').count(), { timeout: 5_000 }).toBe(1)
    await page.fill('#filter', '')
    mkdirSync('test-artifacts', { recursive: true })
    await page.screenshot({ path: 'test-artifacts/dashboard.png', fullPage: true })

    // A hang (SIGSTOP: its port still accepts, nothing answers): the page keeps counting "last heard" up while the
    // member is silent (it is live, not a snapshot), its instance turns suspect with it, then leaves the page once
    // the quorum of alerts kills it. (A crash on one host is quicker: a dial refused at its address is proof, and
    // the member dies without a suspect phase.)
    // The hang must find the first agent observing the second, as observedByBoth left it, and its page showing so.
    // (Twice in CI, and once in three local runs, the page read "not observed here" from the hang on: the listing's
    // `observed` came from rings not yet rebuilt after the third joined, so observedByBoth kept a third that the
    // first does not share the second with. The listing now rebuilds them first; this check says so if it recurs.)
    const all = [peerIdOf(first), peer, peerIdOf(third)]
    await vi.waitFor(async () => {
      const observed = await observes(first.url, peer, all) && await observes(third.url, peer, all)
      expect(observed, `before the hang, first: ${await listing(first.url)}; third: ${await listing(third.url)}`).toBe(true)
      expect(await member.locator('.heard').innerText({ timeout: 1_000 })).toMatch(/s ago/)
    }, { timeout: 15_000, interval: 200 })
    second.child.kill('SIGSTOP')
    // Every text the cell showed goes in the message: a failure must tell "not observed here" while alive (the
    // rings moved) from a death reached before the page showed the count go up, and either from a row gone.
    const readings: string[] = []
    let lastText: string | undefined
    await vi.waitFor(async () => {
      const text = await member.locator('.heard').innerText({ timeout: 1_000 }).catch(() => '(no row)')
      if (lastText !== text) readings.push(`${text} (first: ${await listing(first.url)})`)
      lastText = text
      expect(Number(/([\d.]+) s ago/.exec(text)?.[1] ?? 0), `"last heard" of the hung member read ${readings.map((r) => JSON.stringify(r)).join(', ')}`).toBeGreaterThan(1)
    }, { timeout: DEFAULTS.suspectAfter + 10_000, interval: 200 })
    await expect.poll(async () => row.locator('td.member').innerText().catch(() => 'gone'), { timeout: FIRST_SUSPECT_AFTER, interval: 100 }).toBe('suspect')
    await expect.poll(async () => row.count(), { timeout: DEFAULTS.deadAfter + 15_000, interval: 200 }).toBe(0)
    second.child.kill('SIGKILL')

    // A graceful leave reads `left`, not dead.
    const thirdPeer = peerIdOf(third)
    await third.stop()
    await expect.poll(async () => page.locator(`#members tr[data-peer="${thirdPeer}"] td.state`).innerText().catch(() => 'gone'), { timeout: 10_000, interval: 200 }).toBe('left')
  }, 120_000)
})
