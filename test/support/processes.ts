/**
 * TypeScript entry points of this repository run as child processes (node 22 + tsx), with their output
 * collected, for tests of the CLI, the agent and the examples.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

export const root = fileURLToPath(new URL('../..', import.meta.url))
/**
 * Node arguments that run a TypeScript file with tsx's loader in the same process. Not tsx's CLI: that runs the
 * script in a grandchild and relays signals only if the grandchild confirms within 30 ms, which a loaded
 * machine misses (it then kills it and exits 143); here a signal reaches the script itself. `tsx` resolves from
 * the working directory: spawn with `cwd: root`.
 */
export const tsxArgs: readonly string[] = ['--import', 'tsx']

/** A running script. */
export interface Spawned {
  readonly child: ChildProcess
  output: () => string
  readonly exited: Promise<number | null>
}

/** Runs `script` (relative to the repository root) with arguments and extra environment. */
export function spawnScript (script: string, args: readonly string[] = [], env: Record<string, string> = {}): Spawned {
  return spawnNode([...tsxArgs, script, ...args], env, root)
}

/** Runs this Node with `args` in `cwd`, stdout and stderr collected together. */
export function spawnNode (args: readonly string[], env: Record<string, string>, cwd: string): Spawned {
  const child = spawn(process.execPath, args, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout!.on('data', (chunk: Buffer) => { output += chunk.toString() })
  child.stderr!.on('data', (chunk: Buffer) => { output += chunk.toString() })
  return { child, output: () => output, exited: new Promise((resolve) => child.once('exit', resolve)) }
}

/** What a bounded run printed and how it ended. */
export interface Run { code: number | null, stdout: string, stderr: string }

/** Runs a command to its end with a time bound, killing it (SIGKILL) when the bound passes. */
export async function runBounded (command: string, args: readonly string[], options: { cwd: string, timeoutMs: number, env?: NodeJS.ProcessEnv }): Promise<Run> {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] })
  const timer = setTimeout(() => { child.kill('SIGKILL') }, options.timeoutMs)
  let stdout = ''
  let stderr = ''
  child.stdout!.on('data', (chunk: Buffer) => { stdout += chunk.toString() })
  child.stderr!.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve))
  clearTimeout(timer)
  return { code, stdout, stderr }
}

/** The system's own Node (older than the project's on these machines), for the version check's tests. */
export const SYSTEM_NODE = '/usr/bin/node'
/** Its major version, or 0 where there is none. */
export const systemNodeMajor = existsSync(SYSTEM_NODE) ? Number(execFileSync(SYSTEM_NODE, ['-p', 'process.versions.node']).toString().split('.')[0]) : 0
