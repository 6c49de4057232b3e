#!/usr/bin/env node
/**
 * Command line. `gossip-registry agent` runs a node with its HTTP gateway in the foreground (what `npm start`
 * runs); the other commands talk to a running agent over HTTP.
 */
import { parseArgs } from 'node:util'
import { RegistryError } from '../index.js'
import { runAgent } from './agent.js'
import { runClientCommand, CLIENT_COMMANDS } from './client.js'

const USAGE = `Usage: gossip-registry <command> [options]

Commands:
  agent                      run a node and its HTTP API in the foreground (Ctrl-C leaves gracefully)
  services                   list services with healthy instances
  lookup <service>           list instances  [--version <range>] [--tag <tag>]... [--all]
  members                    list members and their state
  register <service> <version> <address> <port>   register an instance through the agent  [--ttl <ms>] [--tag <tag>]...
  deregister <id>            deregister an instance registered through the agent
  watch [service]            print changes as they happen (Ctrl-C to stop)

Agent options:
  --http <host:port>         HTTP API address (default 127.0.0.1:8500)
  --token <token>            require "Authorization: Bearer <token>" on writes
  --listen <multiaddr>       libp2p address to listen on, repeatable (default /ip4/0.0.0.0/tcp/0)
  --bootstrap <multiaddr>    peer to dial at start and when isolated, repeatable
  --no-mdns                  do not discover peers on the LAN by multicast DNS
  --mdns-interface <ip>      IPv4 address of the interface mDNS uses (default: all)
  --key-file <path>          keep this node's identity in a file (created if missing)
  --namespace <name>         cluster name (default "default")

Client options:
  --agent <url>              agent to talk to (default http://127.0.0.1:8500)
  --token <token>            token of that agent, for register and deregister
  --json                     print JSON instead of tables
  --help                     print this help`

async function main (argv: string[]): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        http: { type: 'string' },
        token: { type: 'string' },
        listen: { type: 'string', multiple: true },
        bootstrap: { type: 'string', multiple: true },
        'no-mdns': { type: 'boolean', default: false },
        'mdns-interface': { type: 'string' },
        'key-file': { type: 'string' },
        namespace: { type: 'string' },
        agent: { type: 'string' },
        json: { type: 'boolean', default: false },
        version: { type: 'string' },
        tag: { type: 'string', multiple: true },
        all: { type: 'boolean', default: false },
        ttl: { type: 'string' },
        help: { type: 'boolean', default: false }
      }
    })
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${USAGE}`)
    return 2
  }
  const { values, positionals } = parsed
  const [command = 'agent', ...args] = positionals
  if (values.help) {
    console.log(USAGE)
    return 0
  }
  try {
    if (command === 'agent') return await runAgent(values)
    if ((CLIENT_COMMANDS as readonly string[]).includes(command)) return await runClientCommand(command as (typeof CLIENT_COMMANDS)[number], args, values)
  } catch (err) {
    console.error(err instanceof RegistryError ? `${err.code}: ${err.message}` : (err as Error).message)
    return 1
  }
  console.error(`Unknown command \`${command}\`\n\n${USAGE}`)
  return 2
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code }, (err: unknown) => {
  console.error(err)
  process.exitCode = 1
})
