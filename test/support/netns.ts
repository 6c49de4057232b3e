/**
 * A LAN of network namespaces for mDNS and partition tests: a "switch" namespace with two bridges and one
 * namespace per host, each joined to a bridge by a veth pair. Multicast never leaves these namespaces.
 * Needs root (ip netns). `destroy()` deletes everything it made, and is safe to call after a failure.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { root, tsxArgs } from './processes.js'

const runner = fileURLToPath(new URL('../netns/runner.ts', import.meta.url))

function ip (...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] })
}

/** True when this process may create network namespaces. */
export function canUseNetns (): boolean {
  if (process.getuid?.() !== 0) return false
  try {
    execFileSync('ip', ['netns', 'list'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

/** Hosts on a bridged subnet, each in its own namespace. */
export class Lan {
  readonly hosts: string[]
  private readonly prefix: string
  private readonly switchNs: string
  private created: string[] = []

  /** `subnet` is the first three octets, e.g. `10.88.0`; host i gets `.i+1`. */
  constructor (count: number, readonly subnet: string) {
    // Short and unique per process: interface names are limited to 15 characters.
    this.prefix = `gr${process.pid % 100_000}`
    this.switchNs = `${this.prefix}sw`
    this.hosts = Array.from({ length: count }, (_, i) => `${this.prefix}h${i + 1}`)
  }

  /** The address of host `i` (0-based). */
  address (i: number): string {
    return `${this.subnet}.${i + 1}`
  }

  /** Creates the switch and the hosts. */
  create (): void {
    ip('netns', 'add', this.switchNs)
    this.created.push(this.switchNs)
    for (const bridge of ['br0', 'br1']) {
      ip('-n', this.switchNs, 'link', 'add', bridge, 'type', 'bridge')
      ip('-n', this.switchNs, 'link', 'set', bridge, 'up')
    }
    for (const [i, host] of this.hosts.entries()) {
      ip('netns', 'add', host)
      this.created.push(host)
      const hostEnd = `${this.prefix}e${i + 1}`
      ip('link', 'add', hostEnd, 'type', 'veth', 'peer', 'name', this.port(i))
      ip('link', 'set', hostEnd, 'netns', host)
      ip('link', 'set', this.port(i), 'netns', this.switchNs)
      ip('-n', this.switchNs, 'link', 'set', this.port(i), 'master', 'br0', 'up')
      ip('-n', host, 'link', 'set', hostEnd, 'name', 'eth0')
      ip('-n', host, 'addr', 'add', `${this.address(i)}/24`, 'dev', 'eth0')
      ip('-n', host, 'link', 'set', 'eth0', 'up')
      ip('-n', host, 'link', 'set', 'lo', 'up')
      // mDNS sends to 224.0.0.251: without a route for it the packets have nowhere to go.
      ip('-n', host, 'route', 'add', '224.0.0.0/4', 'dev', 'eth0')
    }
  }

  /** Cuts host `i`'s cable at the switch. */
  cut (i: number): void {
    ip('-n', this.switchNs, 'link', 'set', this.port(i), 'down')
  }

  /** Plugs host `i`'s cable back in. */
  restore (i: number): void {
    ip('-n', this.switchNs, 'link', 'set', this.port(i), 'up')
  }

  /** Moves the given hosts to a second bridge: the two groups can no longer reach each other. */
  split (group: readonly number[]): void {
    for (const i of group) ip('-n', this.switchNs, 'link', 'set', this.port(i), 'master', 'br1')
  }

  /** Puts every host back on the first bridge. */
  heal (): void {
    for (const i of this.hosts.keys()) ip('-n', this.switchNs, 'link', 'set', this.port(i), 'master', 'br0')
  }

  /** Deletes every namespace this LAN made (their interfaces go with them). Never throws. */
  destroy (): void {
    for (const ns of this.created.reverse()) {
      try {
        ip('netns', 'del', ns)
      } catch {
        // Already gone.
      }
    }
    this.created = []
  }

  private port (i: number): string {
    return `${this.prefix}s${i + 1}`
  }
}

/** A registry node running in a namespace, driven over stdin/stdout (see test/netns/runner.ts). */
export class NsNode {
  readonly peerId: Promise<string>
  private readonly child: ChildProcess
  private readonly pending = new Map<number, { resolve: (value: unknown) => void, reject: (err: Error) => void }>()
  private nextId = 1
  readonly exited: Promise<number | null>
  output = ''
  /** Set once the process has exited: later calls fail with it at once. */
  private exitError: Error | undefined

  /** Runs the node inside `namespace`, or, when it is undefined, as a plain child process on this host. */
  constructor (namespace: string | undefined, options: Record<string, unknown>) {
    // NODE_CPU_PROF_DIR=<folder> profiles every node (`--cpu-prof` is not allowed in NODE_OPTIONS).
    const profile = process.env.NODE_CPU_PROF_DIR === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${process.env.NODE_CPU_PROF_DIR}`]
    const command = [process.execPath, ...profile, ...tsxArgs, runner, JSON.stringify(options)]
    this.child = namespace === undefined
      ? spawn(command[0]!, command.slice(1), { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] })
      : spawn('ip', ['netns', 'exec', namespace, ...command], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] })
    this.exited = new Promise((resolve) => this.child.once('exit', resolve))
    this.child.stderr!.on('data', (chunk: Buffer) => { this.output += chunk.toString() })
    let ready: (id: string) => void
    let failed: (err: Error) => void
    this.peerId = new Promise((resolve, reject) => { ready = resolve; failed = reject })
    void this.exited.then((code) => {
      const err = new Error(`node in ${namespace} exited (${code}): ${this.output.slice(-2_000)}`)
      failed(err)
      // A call in flight when the process dies (a SIGKILL mid-churn) is never answered: fail it, or its caller
      // waits for ever.
      for (const call of this.pending.values()) call.reject(err)
      this.pending.clear()
      this.exitError = err
    })
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      const message = JSON.parse(line) as { ready?: string, id?: number, result?: unknown, error?: string, events?: Array<{ event: string, instance: string, owner: string, atMs: number }> }
      if (message.ready !== undefined) ready(message.ready)
      for (const e of message.events ?? []) this.events.push({ event: e.event, id: e.instance, owner: e.owner, atMs: e.atMs })
      const call = message.id === undefined ? undefined : this.pending.get(message.id)
      if (call === undefined) return
      this.pending.delete(message.id!)
      if (message.error !== undefined) call.reject(new Error(message.error))
      else call.resolve(message.result)
    })
  }

  /** The pid of the process (inside `ip netns exec` when in a namespace). */
  get pid (): number {
    return this.child.pid!
  }

  /** Calls a registry method in the namespace. */
  async call<T = unknown> (method: string, ...params: unknown[]): Promise<T> {
    if (this.exitError !== undefined) throw this.exitError
    const id = this.nextId++
    const result = new Promise<T>((resolve, reject) => { this.pending.set(id, { resolve: resolve as (value: unknown) => void, reject }) })
    this.child.stdin!.write(`${JSON.stringify({ id, method, params })}\n`)
    return result
  }

  /** Changes of the node's visible set, stamped by the node (it prints them in batches), for lag measurements. */
  readonly events: Array<{ event: string, id: string, owner: string, atMs: number }> = []

  /** Kills the process at once, as a crash would: no leave, no flush. */
  async kill (): Promise<void> {
    if (this.child.exitCode === null) this.child.kill('SIGKILL')
    await this.exited
  }

  /** Ends the node: politely through stop(), or by SIGKILL if it does not exit in time. */
  async stop (): Promise<void> {
    if (this.child.exitCode !== null) return
    this.child.stdin!.end()
    const timer = setTimeout(() => { this.child.kill('SIGKILL') }, 5_000)
    await this.exited
    clearTimeout(timer)
  }
}
