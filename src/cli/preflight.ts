/**
 * Checks that run before the agent's node starts, so a mistake is one line naming the flag instead of a libp2p
 * stack trace after the node has joined: multiaddrs that parse, p2p ports that are free, and the HTTP server bound
 * first. Also the TCP probe that says why a bootstrap peer is unreachable.
 */
import type { Server } from 'node:http'
import { connect, createServer } from 'node:net'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { InvalidOptionError } from '../errors.js'
import { splitHostPort } from './settings.js'

/** Parses every multiaddr of `--listen` or `--bootstrap`; a bootstrap address needs a TCP port and a host. */
export function checkMultiaddrs (flag: 'listen' | 'bootstrap', addrs: readonly string[]): Multiaddr[] {
  return addrs.map((text) => {
    const example = flag === 'listen' ? '/ip4/0.0.0.0/tcp/4001' : '/ip4/10.0.0.5/tcp/4001/p2p/12D3KooW...'
    let addr: Multiaddr
    try {
      addr = multiaddr(text)
    } catch (err) {
      throw new InvalidOptionError(flag, `\`--${flag}\` ${JSON.stringify(text)} is not a multiaddr (${(err as Error).message}); expected e.g. ${example}`)
    }
    const names = addr.getComponents().map((c) => c.name)
    if (!names.includes('tcp') || !/^(ip4|ip6|dns|dns4|dns6)$/.test(names[0] ?? '')) {
      throw new InvalidOptionError(flag, `\`--${flag}\` ${JSON.stringify(text)} needs a host and a TCP port (this node speaks TCP only); expected e.g. ${example}`)
    }
    return addr
  })
}

/** Host and port of a TCP multiaddr. */
export function hostPort (addr: Multiaddr): { host: string, port: number } {
  const parts = addr.getComponents()
  return { host: parts[0]?.value ?? '', port: Number(parts.find((c) => c.name === 'tcp')?.value) }
}

/** Throws naming `--listen` if a fixed p2p port is taken (tcp/0 always finds one). */
export async function checkListenPorts (addrs: readonly Multiaddr[]): Promise<void> {
  for (const addr of addrs) {
    const { host, port } = hostPort(addr)
    if (port === 0) continue
    const server = createServer()
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen({ host, port, exclusive: true }, resolve)
    }).catch((err: NodeJS.ErrnoException) => { throw portError('listen', addr.toString(), port, err) })
    await new Promise((resolve) => server.close(resolve))
  }
}

/** Binds the HTTP server before the node starts: a taken `--http` port fails before anything joins. */
export async function bindHttp (http: string): Promise<Server> {
  // resolveAgentSettings has checked the form already.
  const { host, port } = splitHostPort(http)!
  // Not `import ... from 'node:http'`: an ES module import of a built-in reads every export, and node:http's
  // WebSocket getter then loads undici, 45 ms of the agent's start-up for nothing (docs/performance.md).
  const server = process.getBuiltinModule('node:http').createServer()
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen({ host, port }, resolve)
  }).catch((err: NodeJS.ErrnoException) => { throw portError('http', http, port, err) })
  return server
}

/** One line naming the flag and the port, for the errors an operator can fix. */
export function portError (flag: 'http' | 'listen' | 'dns', value: string, port: number, err: NodeJS.ErrnoException): Error {
  if (err.code === 'EADDRINUSE') return new InvalidOptionError(flag, `\`--${flag}\` ${value}: port ${port} is already in use; stop what holds it or choose another port`)
  if (err.code === 'EACCES') return new InvalidOptionError(flag, `\`--${flag}\` ${value}: no permission to listen on port ${port}; use a port above 1023`)
  if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND') return new InvalidOptionError(flag, `\`--${flag}\` ${value}: this host has no such address`)
  return err
}

/** Why a bootstrap peer cannot be reached over TCP (`connection refused`, `timed out`), or undefined if it can. */
export async function probeTcp (addr: Multiaddr, timeoutMs: number): Promise<string | undefined> {
  const { host, port } = hostPort(addr)
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs })
    const done = (reason: string | undefined): void => { socket.destroy(); resolve(reason) }
    socket.once('connect', () => { done(undefined) })
    socket.once('timeout', () => { done(`no answer within ${timeoutMs} ms`) })
    socket.once('error', (err: NodeJS.ErrnoException) => { done(err.code === 'ECONNREFUSED' ? 'connection refused' : err.message) })
  })
}
