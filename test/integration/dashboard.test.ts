/**
 * The dashboard, in Debian's chromium driven by playwright-core: it shows the members, and an instance
 * registered at a *second* agent appears live on the first agent's page, without a reload. Keeps a
 * screenshot in test-artifacts/dashboard.png. Needs /usr/bin/chromium (.ci/run installs it).
 */
import { existsSync, mkdirSync } from 'node:fs'
import { chromium, type Browser } from 'playwright-core'
import { afterAll, describe, expect, it } from 'vitest'
import { startAgent, type Agent } from '../support/agents.js'

const CHROMIUM = '/usr/bin/chromium'
const hasChromium = existsSync(CHROMIUM)
if (!hasChromium) console.warn(`dashboard test: skipped, it needs ${CHROMIUM} (apt-get install chromium)`)

describe('dashboard prerequisites', () => {
  it('are met when running in CI', () => {
    if (process.env.CI === 'true') expect(hasChromium, `CI must install ${CHROMIUM}`).toBe(true)
  })
})

describe.runIf(hasChromium)('the dashboard', () => {
  let browser: Browser | undefined
  const agents: Agent[] = []

  afterAll(async () => {
    await browser?.close()
    await Promise.allSettled(agents.map(async (agent) => agent.stop()))
  })

  it('updates live when an instance is registered at another agent', async () => {
    const first = await startAgent()
    agents.push(first)
    const second = await startAgent(['--bootstrap', first.multiaddr])
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
    expect(await row.innerText()).toMatch(/inventory\s+4\.2\.0\s+10\.20\.30\.40:7070\s+passing\s+eu, canary/)
    mkdirSync('test-artifacts', { recursive: true })
    await page.screenshot({ path: 'test-artifacts/dashboard.png', fullPage: true })
  }, 90_000)
})
