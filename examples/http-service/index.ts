/**
 * A small HTTP service that embeds the registry and registers itself as `hello@1.0.0`.
 * Run: npm run example:service   (stops on Ctrl-C, or by itself after EXAMPLE_SECONDS, default 300)
 */
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createRegistry } from '../../src/index.js'

/** The libp2p port clients bootstrap to; fixed so the client needs no configuration. */
export const SERVICE_P2P_PORT = 4545

const server = createServer((req, res) => {
  res.setHeader('content-type', 'application/json')
  res.end(JSON.stringify({ hello: 'world', pid: process.pid, path: req.url }))
})
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
const { port } = server.address() as AddressInfo

// mDNS off: examples run on a shared host. On a LAN, drop `mdns: false` and the fixed listen address.
const registry = await createRegistry({ mdns: false, listen: [`/ip4/127.0.0.1/tcp/${SERVICE_P2P_PORT}`] })
const instance = await registry.register({ service: 'hello', version: '1.0.0', address: '127.0.0.1', port, tags: ['example'] })
console.log(`hello@1.0.0 serving http://127.0.0.1:${port} as instance ${instance.id}`)
console.log(`registry node ${registry.peerId} on ${registry.multiaddrs.join(' ')}`)

const seconds = Number(process.env.EXAMPLE_SECONDS ?? 300)
await new Promise<void>((resolve) => {
  const timer = setTimeout(resolve, seconds * 1000)
  const stop = (): void => { clearTimeout(timer); resolve() }
  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
})
await registry.stop()
server.close()
console.log('stopped')
