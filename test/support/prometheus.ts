/**
 * Debian's Prometheus (`/usr/bin/prometheus`, installed by .ci/run) as a child process: loopback only, an
 * OS-chosen port, a temporary storage directory removed on stop. Each test stops what it starts, in `finally`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, type AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const PROMETHEUS = '/usr/bin/prometheus'

/** Why Prometheus tests cannot run here, or undefined when they can. */
export function prometheusMissing (): string | undefined {
  return existsSync(PROMETHEUS) ? undefined : `${PROMETHEUS} is not installed (Debian package \`prometheus\`; .ci/run installs it as root)`
}

/**
 * Why this Prometheus cannot read a scrape config block such as `consul_sd_configs` (promtool's answer), or
 * undefined when it can. Debian builds its package without some discovery mechanisms: Consul SD is disabled
 * since 2.33.5+ds1-4 ("Disable Consul SD until its Debian package is back in shape").
 */
export async function sdUnsupported (block: string): Promise<string | undefined> {
  const dir = await mkdtemp(join(tmpdir(), 'gr-promtool-'))
  try {
    const file = join(dir, 'check.yml')
    await writeFile(file, `scrape_configs:\n  - job_name: probe\n    ${block}:\n      - ${block === 'http_sd_configs' ? 'url: http://127.0.0.1:1/' : 'server: 127.0.0.1:1'}\n`)
    const check = spawnSync('/usr/bin/promtool', ['check', 'config', file], { encoding: 'utf8', timeout: 30_000 })
    return check.status === 0 ? undefined : `promtool check config: ${`${check.stdout}${check.stderr}`.trim().replace(/\s+/g, ' ')}`
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** A running Prometheus. */
export interface Prometheus {
  readonly url: string
  readonly child: ChildProcess
  output: () => string
  /** Active targets (`/api/v1/targets`) of one job: their discovered labels. */
  targets: (job: string) => Promise<Array<Record<string, string>>>
  stop: () => Promise<void>
}

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort (): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => { resolve() }))
  return port
}

/** Starts Prometheus with `config` (YAML) and waits (bounded) until it is ready. */
export async function startPrometheus (config: string): Promise<Prometheus> {
  const dir = await mkdtemp(join(tmpdir(), 'gr-prometheus-'))
  await writeFile(join(dir, 'prometheus.yml'), config)
  const port = await freePort()
  const child = spawn(PROMETHEUS, [
    `--config.file=${join(dir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`
  ], { stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => { output += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => { output += chunk.toString() })
  const exited = new Promise<void>((resolve) => child.once('exit', () => { resolve() }))
  const url = `http://127.0.0.1:${port}`
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM')
      const timer = setTimeout(() => { child.kill('SIGKILL') }, 10_000)
      await exited
      clearTimeout(timer)
    }
    await rm(dir, { recursive: true, force: true })
  }
  try {
    const deadline = Date.now() + 30_000
    for (;;) {
      if (child.exitCode !== null) throw new Error(`prometheus exited: ${output}`)
      if (Date.now() > deadline) throw new Error(`prometheus not ready in 30 s: ${output}`)
      const ready = await fetch(`${url}/-/ready`).then((r) => r.ok, () => false)
      if (ready) break
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  } catch (err) {
    await stop()
    throw err
  }
  return {
    url,
    child,
    output: () => output,
    targets: async (job) => {
      const body = await (await fetch(`${url}/api/v1/targets?state=active`)).json() as { data: { activeTargets: Array<{ discoveredLabels: Record<string, string> }> } }
      return body.data.activeTargets.map((t) => t.discoveredLabels).filter((labels) => labels.job === job)
    },
    stop
  }
}
