#!/usr/bin/env node
/**
 * Command line: `gossip-registry agent` runs one node in the foreground and prints its members and instances
 * as they change. Flags map one-to-one onto registry options.
 */
import { parseArgs } from 'node:util'
import { createRegistry, RegistryError, type Registry } from '../index.js'
import { renderTable } from './table.js'

const USAGE = `Usage: gossip-registry agent [options]

Runs one registry node in the foreground: prints its peer id and addresses, then the
member and instance tables whenever they change. Ctrl-C leaves the cluster gracefully.

Options:
  --listen <multiaddr>     address to listen on, repeatable (default /ip4/0.0.0.0/tcp/0)
  --bootstrap <multiaddr>  peer to dial at start, repeatable (with /p2p/<peer id>)
  --no-mdns                do not discover peers on the LAN by multicast DNS
  --mdns-interface <ip>    IPv4 address of the interface mDNS uses (default: all)
  --key-file <path>        keep this node's identity in a file (created if missing)
  --namespace <name>       cluster name (default "default")
  --help                   print this help`

async function main (argv: string[]): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        listen: { type: 'string', multiple: true },
        bootstrap: { type: 'string', multiple: true },
        'no-mdns': { type: 'boolean', default: false },
        'mdns-interface': { type: 'string' },
        'key-file': { type: 'string' },
        namespace: { type: 'string' },
        help: { type: 'boolean', default: false }
      }
    })
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${USAGE}`)
    return 2
  }
  const { values, positionals } = parsed
  const command = positionals[0] ?? 'agent'
  if (values.help) {
    console.log(USAGE)
    return 0
  }
  if (command !== 'agent') {
    console.error(`Unknown command \`${command}\`\n\n${USAGE}`)
    return 2
  }
  let registry: Registry
  try {
    registry = await createRegistry({
      listen: values.listen,
      bootstrap: values.bootstrap,
      mdns: !values['no-mdns'],
      mdnsInterface: values['mdns-interface'],
      keyFile: values['key-file'],
      namespace: values.namespace
    })
  } catch (err) {
    console.error(err instanceof RegistryError ? `${err.code}: ${err.message}` : err)
    return 1
  }
  console.log(`peer id   ${registry.peerId}`)
  for (const addr of registry.multiaddrs) console.log(`listening ${addr}`)
  printTables(registry)
  let pending: NodeJS.Timeout | undefined
  const reprint = (): void => {
    // Coalesce bursts (a node joining brings many instances at once) into one reprint.
    pending ??= setTimeout(() => { pending = undefined; printTables(registry) }, 100)
  }
  for (const type of ['instance:up', 'instance:down', 'instance:changed', 'member:alive', 'member:suspect', 'member:dead'] as const) {
    registry.addEventListener(type, reprint)
  }
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve)
    process.once('SIGTERM', resolve)
  })
  clearTimeout(pending)
  console.log('leaving the cluster...')
  await registry.stop()
  return 0
}

function printTables (registry: Registry): void {
  const now = Date.now()
  console.log(`\n${new Date(now).toISOString()}`)
  console.log(renderTable(['member', 'state', 'last heard', 'instances'], registry.members().map((m) => [
    m.self ? `${m.peerId} (self)` : m.peerId,
    m.state,
    m.self ? '-' : `${((now - m.lastSeen) / 1000).toFixed(1)} s ago`,
    String(m.instances)
  ])))
  const rows = registry.services().flatMap((service) => registry.lookup(service, { includeUnhealthy: true }).map((i) => [
    service, i.version, `${i.address}:${i.port}`, i.status, i.tags.join(','), i.owner.slice(-8)
  ]))
  console.log(renderTable(['service', 'version', 'address', 'status', 'tags', 'owner'], rows))
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code }, (err: unknown) => {
  console.error(err)
  process.exitCode = 1
})
