/**
 * `gossip-registry agent`: a registry node plus its HTTP gateway, in the foreground. Checks what it can before the
 * node starts (addresses, ports), logs its start-up and every member or instance change, and leaves gracefully on
 * SIGINT, SIGTERM or `PUT /v1/agent/leave`.
 */
import type { AddressInfo } from 'node:net'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { Socket } from 'node:dgram'
import type { Logger } from 'pino'
import { bindDns, serveDns } from '../gateway/dns.js'
import { createGateway } from '../gateway/server.js'
import { createRegistry, InvalidOptionError, type Registry } from '../index.js'
import { createAgentLogger, logChanges } from './log.js'
import { bindHttp, checkListenPorts, checkMultiaddrs, portError, probeTcp } from './preflight.js'
import { splitHostPort, type AgentSettings } from './settings.js'

/**
 * How long a node may stay alone before the agent warns. 10 s covers a bootstrap dial with retries and an mDNS
 * round (10 s interval) on a healthy network; later than that something is wrong and the operator should know.
 */
export const ALONE_WARNING_MS = 10_000

/** Runs the agent until a signal or a leave request; returns the exit code. */
export async function runAgent ({ registry: config, agent }: AgentSettings): Promise<number> {
  const log = createAgentLogger({ level: agent.logLevel, json: agent.logJson })
  const listen = checkMultiaddrs('listen', config.listen)
  const bootstrap = checkMultiaddrs('bootstrap', config.bootstrap)
  await checkListenPorts(listen)
  const dnsSocket = agent.dns === undefined ? undefined : await bindDnsOption(agent.dns)
  const server = await bindHttp(agent.http).catch((err: unknown) => {
    dnsSocket?.close()
    throw err
  })
  let registry: Registry
  try {
    registry = await createRegistry(config)
  } catch (err) {
    server.close()
    dnsSocket?.close()
    // The p2p port can still be taken between the check and libp2p's bind; say so the same way.
    const cause = findAddressInUse(err)
    throw cause === undefined ? err : portError('listen', config.listen.join(' '), cause.port, cause.err)
  }
  let leave = (): void => {}
  const stopped = new Promise<void>((resolve) => { leave = resolve })
  const gateway = await createGateway(registry, { token: agent.token, leaseTtl: agent.leaseTtl, leaseGrace: agent.leaseGrace, namespace: config.namespace, server, processMetrics: true, onLeave: () => { leave() } })
    .catch(async (err: unknown) => {
      server.close()
      dnsSocket?.close()
      await registry.stop()
      throw err
    })
  const { address, family, port } = server.address() as AddressInfo
  const url = `http://${family === 'IPv6' ? `[${address}]` : address}:${port}`
  log.info(`peer id ${registry.peerId}`)
  for (const addr of registry.multiaddrs) log.info(`listening on ${addr}`)
  log.info(`serving HTTP on ${url} (dashboard: ${url}/ui)`)
  const dns = dnsSocket === undefined ? undefined : serveDns(dnsSocket, registry, { namespace: config.namespace, onError: (err) => { log.warn(`DNS: ${err.message}`) } })
  if (dns !== undefined) {
    const { address: host, port: dnsPort } = dns.address()
    log.info(`serving DNS on ${host.includes(':') ? `[${host}]` : host}:${dnsPort} (try: dig @${host} -p ${dnsPort} <service>.service.${config.namespace}.gossip-registry SRV)`)
  }
  if (agent.token === undefined && !['127.0.0.1', '::1', 'localhost'].includes(address)) log.warn(`the HTTP API on ${url} accepts writes from anyone: set --token or --token-file`)
  logChanges(registry, log)
  const alone = watchJoin(registry, log, bootstrap, config.mdns)

  process.once('SIGINT', leave)
  process.once('SIGTERM', leave)
  await stopped
  clearTimeout(alone)
  log.info('leaving the cluster...')
  await gateway.close()
  await dns?.close()
  server.closeAllConnections()
  server.close()
  await registry.stop()
  log.info('left')
  return 0
}

/** Checks and binds `--dns` before the node starts, so a mistake or a taken port fails before anything joins. */
async function bindDnsOption (value: string): Promise<Socket> {
  const parts = splitHostPort(value)
  if (parts === undefined) throw new InvalidOptionError('dns', `\`--dns\`: expected host:port, e.g. 127.0.0.1:8600, got ${JSON.stringify(value)}`)
  return bindDns(parts.host, parts.port).catch((err: NodeJS.ErrnoException) => { throw portError('dns', value, parts.port, err) })
}

/** Logs the dials, then "joined: N members" at the first peer, or a warning naming the cause after ALONE_WARNING_MS. */
function watchJoin (registry: Registry, log: Logger, bootstrap: readonly Multiaddr[], mdns: boolean): NodeJS.Timeout {
  for (const addr of bootstrap) log.info(`dialling bootstrap ${addr.toString()}`)
  if (bootstrap.length === 0 && !mdns) log.info('no --bootstrap and mDNS off: this node stays alone until a peer dials it')
  let joined = false
  const onAlive = (): void => {
    if (joined) return
    joined = true
    log.info(`joined: ${registry.members().filter((m) => m.state === 'alive').length} members`)
  }
  registry.addEventListener('member:alive', onAlive)
  const timer = setTimeout(() => {
    if (joined) return
    explainAlone(bootstrap, mdns).then(
      (reason) => { if (!joined) log.warn(`still alone after ${ALONE_WARNING_MS / 1000} s: ${reason}`) },
      (err: unknown) => { log.warn(`still alone after ${ALONE_WARNING_MS / 1000} s (${err instanceof Error ? err.message : String(err)})`) }
    )
  }, ALONE_WARNING_MS)
  timer.unref()
  return timer
}

async function explainAlone (bootstrap: readonly Multiaddr[], mdns: boolean): Promise<string> {
  if (bootstrap.length === 0) return mdns ? 'no peer answered mDNS on this network, and no --bootstrap was given' : 'no --bootstrap given and mDNS is off'
  const reasons = await Promise.all(bootstrap.map(async (addr) => {
    const why = await probeTcp(addr, 2_000)
    return `bootstrap ${addr.toString()} ${why === undefined ? 'answers TCP but did not join (another --namespace or --network-key, or a wrong /p2p/ id?)' : `unreachable (${why})`}`
  }))
  return reasons.join('; ')
}

/** libp2p wraps a listen failure (`transportManager.faultTolerance`); find the EADDRINUSE inside and its port. */
function findAddressInUse (err: unknown): { err: NodeJS.ErrnoException, port: number } | undefined {
  for (let e = err as (NodeJS.ErrnoException & { errors?: unknown[], port?: number }) | undefined, depth = 0; e !== undefined && depth < 5; depth++) {
    if (e.code === 'EADDRINUSE') return { err: e, port: e.port ?? Number(/:(\d+)$/.exec(e.message)?.[1]) }
    const text = String(e.message ?? '')
    if (/EADDRINUSE/.test(text)) return { err: Object.assign(new Error(text), { code: 'EADDRINUSE' }), port: Number(/:(\d+)\b/.exec(text)?.[1]) }
    e = (e.cause ?? e.errors?.[0]) as typeof e
  }
  return undefined
}
