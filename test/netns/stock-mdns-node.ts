/**
 * A plain libp2p node (tcp, noise, yamux, identify) discovering by the stock @libp2p/mdns, for the mDNS interop
 * test. Arguments: a JSON `{ serviceTag, listen }`. It prints JSON lines: `{"ready": peerId}` once listening,
 * then `{"mdns": peerId, "addrs"}` for each peer the stock mDNS module reports, `{"discovery": peerId}` for each
 * libp2p `peer:discovery` event, and `{"connection": peerId, "direction"}` for each connection opened. It stops
 * when stdin ends.
 */
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { identify } from '@libp2p/identify'
import { mdns } from '@libp2p/mdns'
import { tcp } from '@libp2p/tcp'
import { createLibp2p } from 'libp2p'
import type { PeerDiscovery, PeerInfo } from '@libp2p/interface'

const { serviceTag, listen } = JSON.parse(process.argv[2] ?? '{}') as { serviceTag: string, listen: string }
const send = (message: unknown): void => { process.stdout.write(`${JSON.stringify(message)}\n`) }

const node = await createLibp2p({
  addresses: { listen: [listen] },
  transports: [tcp()],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()],
  services: {
    identify: identify(),
    // A service slot rather than `peerDiscovery`: libp2p wires it for discovery the same way, and the script
    // can listen to the module itself. libp2p's `peer:discovery` also fires for a peer first learned from an
    // inbound connection, so only the module's own events prove that its mDNS found the peer.
    mdns: mdns({ serviceTag, interval: 1_000 })
  }
})
const discovery = node.services.mdns as PeerDiscovery
discovery.addEventListener('peer', (event: CustomEvent<PeerInfo>) => {
  send({ mdns: event.detail.id.toString(), addrs: event.detail.multiaddrs.map((ma) => ma.toString()) })
})
node.addEventListener('peer:discovery', (event) => { send({ discovery: event.detail.id.toString() }) })
node.addEventListener('connection:open', (event) => {
  send({ connection: event.detail.remotePeer.toString(), direction: event.detail.direction })
})
send({ ready: node.peerId.toString() })

// Reading to the end keeps the node up until the test closes stdin.
for await (const chunk of process.stdin) void chunk
await node.stop()
