/**
 * `gossip-registry agent`: a registry node plus its HTTP gateway, in the foreground. Prints its identity and
 * one line per member or instance change; leaves gracefully on SIGINT or SIGTERM.
 */
import { createGateway } from '../gateway/server.js'
import { createRegistry, InvalidOptionError } from '../index.js'

/** The agent's command-line values. */
export interface AgentFlags {
  http?: string
  token?: string
  listen?: string[]
  bootstrap?: string[]
  'no-mdns'?: boolean
  'mdns-interface'?: string
  'key-file'?: string
  namespace?: string
}

/** Where the HTTP API listens by default: loopback, so an agent without a token is not open to the network. */
export const DEFAULT_HTTP = '127.0.0.1:8500'

/** Runs the agent until a signal; returns the exit code. */
export async function runAgent (flags: AgentFlags): Promise<number> {
  const http = flags.http ?? DEFAULT_HTTP
  const match = /^(.*):(\d{1,5})$/.exec(http)
  if (match === null || Number(match[2]) > 65_535) throw new InvalidOptionError('http', `Expected \`--http\` to be host:port, got \`${http}\``)
  const registry = await createRegistry({
    listen: flags.listen,
    bootstrap: flags.bootstrap,
    mdns: flags['no-mdns'] !== true,
    mdnsInterface: flags['mdns-interface'],
    keyFile: flags['key-file'],
    namespace: flags.namespace
  })
  const gateway = await createGateway(registry, { token: flags.token, namespace: flags.namespace })
  try {
    await gateway.listen({ host: match[1]!.replace(/^\[(.*)\]$/, '$1'), port: Number(match[2]) })
  } catch (err) {
    await registry.stop()
    throw err
  }
  const where = gateway.addresses().map((a) => typeof a === 'string' ? a : `http://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`)
  console.log(`peer id   ${registry.peerId}`)
  for (const addr of registry.multiaddrs) console.log(`listening ${addr}`)
  console.log(`http api  ${where.join(' ')}  (dashboard: ${where[0]}/ui)`)
  const stamp = (): string => new Date().toISOString()
  registry.addEventListener('member:alive', (e) => { console.log(`${stamp()} member ${e.detail.member.peerId} ${e.detail.from} -> alive`) })
  registry.addEventListener('member:suspect', (e) => { console.log(`${stamp()} member ${e.detail.member.peerId} ${e.detail.from} -> suspect`) })
  registry.addEventListener('member:dead', (e) => { console.log(`${stamp()} member ${e.detail.member.peerId} ${e.detail.from} -> dead`) })
  for (const type of ['instance:up', 'instance:down', 'instance:changed'] as const) {
    registry.addEventListener(type, (e) => {
      const i = e.detail.instance
      console.log(`${stamp()} instance ${e.detail.type} ${i.service}@${i.version} ${i.address}:${i.port} ${i.status} (${i.id} of ${i.owner.slice(-8)})`)
    })
  }
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve)
    process.once('SIGTERM', resolve)
  })
  console.log('leaving the cluster...')
  await gateway.close()
  await registry.stop()
  return 0
}
