/**
 * Builds the libp2p node: TCP, noise, yamux, identify, gossipsub, and discovery (mDNS, bootstrap). All libp2p
 * construction lives here, so a move to another libp2p major touches this folder only.
 */
import type { GossipsubEvents } from '@chainsafe/libp2p-gossipsub'
import type { Identify } from '@libp2p/identify'
import { prefixLogger, defaultLogger } from '@libp2p/logger'
import type { Libp2pOptions } from 'libp2p'
import type { Libp2p, PrivateKey, PubSub } from '@libp2p/interface'
import type { ResolvedConfig } from '../config.js'
import { PendingInbound } from './pending-inbound.js'
import { GOSSIP_FANOUT, gossipFrameBytes, recordsTopic } from './protocols.js'

/** The libp2p node with the services the registry uses. */
export type RegistryLibp2p = Libp2p<{ identify: Identify, pubsub: PubSub<GossipsubEvents>, pendingInbound: PendingInbound }>

/** Inbound connections that may be in their handshake at once (libp2p's default is 10). */
const MAX_INCOMING_PENDING = 64

/**
 * Of those, how many one address may hold: a quarter, so one host's idle sockets leave the rest to others. A
 * bootstrap node sees a whole cluster start at once, often from one address (NAT, containers, one host in tests),
 * but an honest handshake ends in milliseconds, so even then few are in flight together; a newcomer over the
 * bound closes its address's oldest pending connection, not itself (see PendingInbound.admit).
 */
const MAX_PENDING_PER_ADDRESS = MAX_INCOMING_PENDING / 4

/**
 * How long an inbound connection may take to finish its handshake (libp2p's default is 10 s). The handshake is a
 * few round trips, well under a second even across continents; this node's own dials give up after 5 s
 * (Network's DIAL_TIMEOUT_MS), so a dialler still unfinished by then has given up too, or never meant to finish.
 */
const INBOUND_UPGRADE_TIMEOUT_MS = 5_000
/** Outbound handshakes at once (see the connection manager below). */
const MAX_PARALLEL_DIALS = 4

/**
 * The libp2p stack, loaded when the first node is created rather than when the package is imported: it is most of
 * the package's import time (about 0.3 s) and memory, and a program that imports gossip-registry for its types,
 * errors or key helpers, or the CLI printing its version, never needs it. mDNS, bootstrap and pnet load only when
 * their option is on.
 */
async function loadStack () {
  const [libp2p, tcp, noise, yamux, identify, gossipsub, score, frames, windows, writes] = await Promise.all([
    import('libp2p'), import('@libp2p/tcp'), import('@chainsafe/libp2p-noise'), import('@chainsafe/libp2p-yamux'),
    import('@libp2p/identify'), import('@chainsafe/libp2p-gossipsub'), import('@chainsafe/libp2p-gossipsub/score'),
    import('./gossip-frames.js'), import('./lazy-window-updates.js'), import('./coalesced-writes.js')
  ])
  return {
    createLibp2p: libp2p.createLibp2p,
    tcp: tcp.tcp,
    noise: noise.noise,
    yamux: yamux.yamux,
    identify: identify.identify,
    gossipsub: gossipsub.gossipsub,
    createTopicScoreParams: score.createTopicScoreParams,
    splittingFrames: frames.splittingFrames,
    lazyWindowUpdates: windows.lazyWindowUpdates,
    coalescedWrites: writes.coalescedWrites
  }
}

/** The swarm.key text libp2p private networks expect, around a 64-hex-digit key. */
function swarmKey (hex: string): Uint8Array {
  return new TextEncoder().encode(`/key/swarm/psk/1.0.0/\n/base16/\n${hex.toLowerCase()}`)
}

/**
 * Creates (and starts) the libp2p node for a registry. `isDenied` refuses peers (not on the allow-list, or
 * banned) before any protocol runs.
 */
export async function createNode (config: ResolvedConfig, privateKey: PrivateKey, isDenied: (peer: string) => boolean = () => false): Promise<RegistryLibp2p> {
  const { createLibp2p, tcp, noise, yamux, identify, gossipsub, createTopicScoreParams, splittingFrames, lazyWindowUpdates, coalescedWrites } = await loadStack()
  const topic = recordsTopic(config.namespace)
  const peerDiscovery: NonNullable<Libp2pOptions['peerDiscovery']> = []
  if (config.mdns) {
    const { lanDiscovery } = await import('./mdns.js')
    // The service tag scopes discovery by namespace: two clusters on one LAN never dial each other.
    peerDiscovery.push(lanDiscovery({
      serviceTag: `_gossip-registry-${config.namespace}._udp.local`,
      interval: config.mdnsInterval,
      interfaceAddress: config.mdnsInterface
    }))
  }
  // @libp2p/bootstrap needs peer ids; addresses without one are dialled by Network.maintain() instead.
  const withPeerId = config.bootstrap.filter((addr) => addr.includes('/p2p/'))
  if (withPeerId.length > 0) {
    const { bootstrap } = await import('@libp2p/bootstrap')
    peerDiscovery.push(bootstrap({ list: withPeerId, timeout: 0 }))
  }
  const preSharedKey = config.networkKey === undefined ? undefined : (await import('@libp2p/pnet')).preSharedKey
  const pendingInbound = new PendingInbound(MAX_PENDING_PER_ADDRESS, INBOUND_UPGRADE_TIMEOUT_MS)
  const frameBytes = gossipFrameBytes(config.maxRecordBytes)
  return createLibp2p({
    privateKey,
    addresses: { listen: [...config.listen] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [coalescedWrites(lazyWindowUpdates(yamux()))],
    peerDiscovery,
    ...(config.networkKey !== undefined && preSharedKey !== undefined && { connectionProtector: preSharedKey({ psk: swarmKey(config.networkKey) }) }),
    connectionGater: {
      // Runs as an inbound connection starts its handshake, after libp2p's own limits admitted it.
      denyInboundConnection: async (maConn) => {
        pendingInbound.admit(maConn)
        return false
      },
      denyDialPeer: async (peerId) => isDenied(peerId.toString()),
      denyInboundEncryptedConnection: async (peerId) => isDenied(peerId.toString()),
      denyOutboundEncryptedConnection: async (peerId) => isDenied(peerId.toString())
    },
    logger: config.logPrefix === '' ? defaultLogger() : prefixLogger(config.logPrefix),
    // libp2p pings every connection every 10 s on a new stream (a stream, a protocol negotiation and a logger
    // each time): measured, the largest share of an idle node's work. Beats already prove the links to a member's
    // observers alive, and yamux's keep-alive frames keep idle connections open through NAT.
    connectionMonitor: { enabled: false },
    connectionManager: {
      // Room for the peers we keep on purpose plus everyone who dials us; gossip needs no full mesh.
      maxConnections: Math.max(64, config.targetPeers * 4),
      // libp2p accepts 5 connections a second per remote address by default. A bootstrap node sees a whole
      // cluster start at once, often from one address (NAT, containers, one host in tests): let it in.
      inboundConnectionThreshold: 100,
      // Handshakes this node runs at once as the dialler (libp2p's default: 100). Each costs CPU on both sides;
      // at N = 100 on one box, unbounded ones timed out faster than they finished and the cluster never formed.
      // Dials to a peer already connected do not count.
      maxParallelDials: MAX_PARALLEL_DIALS,
      maxIncomingPendingConnections: MAX_INCOMING_PENDING,
      inboundUpgradeTimeout: INBOUND_UPGRADE_TIMEOUT_MS
    },
    services: {
      // Not a protocol: a service slot is how the network reaches the gater's counts on this node.
      pendingInbound: () => pendingInbound,
      identify: identify(),
      pubsub: splittingFrames(gossipsub({
        // Every record carries its owner's signature; a second, per-publisher signature would only cost CPU.
        globalSignaturePolicy: 'StrictNoSign',
        allowPublishToZeroTopicPeers: true,
        D: GOSSIP_FANOUT.mesh,
        Dlo: GOSSIP_FANOUT.meshLow,
        Dhi: GOSSIP_FANOUT.meshHigh,
        Dlazy: GOSSIP_FANOUT.lazy,
        // Gossipsub requires Dout < Dlo and Dscore <= D.
        Dout: GOSSIP_FANOUT.meshLow - 1,
        Dscore: GOSSIP_FANOUT.meshLow,
        floodPublish: GOSSIP_FANOUT.floodPublish,
        ignoreDuplicatePublishError: true,
        emitSelf: false,
        // A frame over this (honest ones are split to fit) is not decoded, and the sender's streams are dropped.
        maxInboundDataLength: frameBytes,
        allowedTopics: [topic],
        debugName: config.logPrefix === '' ? undefined : config.logPrefix,
        scoreParams: {
          // Many honest nodes share one address behind NAT, in containers, or on loopback in tests.
          IPColocationFactorWeight: 0,
          topics: {
            [topic]: createTopicScoreParams({
              topicWeight: 1,
              // Record traffic is sparse, so delivery-rate expectations would punish honest quiet peers.
              meshMessageDeliveriesWeight: 0,
              meshFailurePenaltyWeight: 0,
              timeInMeshWeight: 0.01,
              timeInMeshQuantum: 1_000,
              timeInMeshCap: 100,
              firstMessageDeliveriesWeight: 1,
              firstMessageDeliveriesDecay: 0.5,
              firstMessageDeliveriesCap: 10,
              // Invalid records (bad signature, malformed, forged) are squared: two take a peer below the
              // graylist threshold (-80), and the penalty halves only every minute or so.
              invalidMessageDeliveriesWeight: -50,
              invalidMessageDeliveriesDecay: 0.99
            })
          }
        }
      }), frameBytes)
    }
  })
}
