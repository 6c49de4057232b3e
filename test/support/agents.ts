/**
 * Agents as real processes (`gossip-registry agent` through tsx, entering at the bin as users do), on loopback with mDNS off and an OS-chosen
 * HTTP port, for tests of the HTTP API, the CLI and the dashboard. Each is stopped by SIGINT (graceful) and
 * SIGKILLed if it does not exit in time.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { root, spawnScript, tsxArgs, type Spawned } from './processes.js'

const cli = 'src/cli/bin.ts'

/** A running agent. */
export interface Agent {
  readonly url: string
  readonly multiaddr: string
  readonly child: ChildProcess
  /** Settles with the exit code. */
  readonly exited: Promise<number | null>
  output: () => string
  stop: () => Promise<void>
}

/** Runs the CLI with arguments and returns its exit code and output. */
export async function runCli (args: string[], options: { env?: Record<string, string>, node?: string, nodeArgs?: string[] } = {}): Promise<{ code: number | null, stdout: string, stderr: string }> {
  const child = spawn(options.node ?? process.execPath, [...(options.nodeArgs ?? []), ...tsxArgs, cli, ...args], { cwd: root, env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] })
  const timer = setTimeout(() => { child.kill('SIGKILL') }, 30_000)
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString() })
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
  clearTimeout(timer)
  return { code, stdout, stderr }
}

/** Spawns a CLI process that keeps running (agent, watch). */
export function spawnCli (args: string[], env: Record<string, string> = {}): Spawned {
  return spawnScript(cli, args, env)
}

/**
 * Starts an agent and waits (bounded) until it prints its HTTP address. `launch` runs the CLI: this repository's
 * sources by default, or another build of it (the installed package's bin).
 */
export async function startAgent (extra: string[] = [], env: Record<string, string> = {}, launch: (args: string[], env: Record<string, string>) => Spawned = spawnCli): Promise<Agent> {
  const { child, output, exited } = launch(['agent', '--no-mdns', '--http', '127.0.0.1:0', '--listen', '/ip4/127.0.0.1/tcp/0', ...extra], env)
  const deadline = Date.now() + 30_000
  let url: string | undefined
  let multiaddr: string | undefined
  while (url === undefined || multiaddr === undefined) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`agent did not start: ${output()}`)
    url = /serving HTTP on (http:\/\/\S+)/.exec(output())?.[1]
    multiaddr = /listening on (\S+)/.exec(output())?.[1]
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return {
    url,
    multiaddr,
    child,
    exited,
    output,
    stop: async () => {
      if (child.exitCode !== null) return
      child.kill('SIGINT')
      const timer = setTimeout(() => { child.kill('SIGKILL') }, 10_000)
      await exited
      clearTimeout(timer)
    }
  }
}
