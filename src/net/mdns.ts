/**
 * LAN discovery by multicast DNS, as a libp2p peer discovery service. Same wire shape as @libp2p/mdns (a PTR
 * query for the service tag, answered with TXT `dnsaddr=<multiaddr>` records), plus what that module lacks: a
 * choice of interface, for hosts with several networks. The service tag carries the namespace, so two
 * clusters on one LAN never even learn of each other.
 */
import { peerDiscoverySymbol, type ComponentLogger, type Logger, type PeerDiscovery, type PeerDiscoveryEvents, type PeerInfo } from '@libp2p/interface'
import type { AddressManager } from '@libp2p/interface-internal'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { TypedEventEmitter } from 'main-event'
import multicastDns, { type MulticastDNS, type QueryPacket, type ResponsePacket } from 'multicast-dns'

/** Options of LAN discovery. */
export interface LanDiscoveryInit {
  /** DNS-SD style service name, e.g. `_gossip-registry-default._udp.local`. */
  serviceTag: string
  /** ms between two queries. */
  interval: number
  /** IPv4 address of the interface to use; every interface when undefined. */
  interfaceAddress?: string
}

interface Components {
  addressManager: AddressManager
  logger: ComponentLogger
}

/** A TXT record holds at most 255 bytes per string. */
const MAX_TXT_STRING = 255
/** How long answers may be cached by other responders, in seconds (RFC 6762 suggests 120 for host records). */
const ANSWER_TTL_S = 120

class LanDiscovery extends TypedEventEmitter<PeerDiscoveryEvents> implements PeerDiscovery {
  readonly [peerDiscoverySymbol] = this
  readonly [Symbol.toStringTag] = 'gossip-registry:mdns'
  private mdns: MulticastDNS | undefined
  private timer: NodeJS.Timeout | undefined
  private readonly log: Logger
  /** This node's instance name: random, so it can tell its own answers from others'. */
  private readonly name = `${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`

  constructor (private readonly components: Components, private readonly init: LanDiscoveryInit) {
    super()
    this.log = components.logger.forComponent('gossip-registry:mdns')
  }

  async start (): Promise<void> {
    if (this.mdns !== undefined) return
    // Bind the wildcard even when an interface is chosen: a socket bound to a unicast address on Linux does not
    // receive multicast. The interface still decides where queries go and which group membership is joined.
    this.mdns = multicastDns(this.init.interfaceAddress === undefined ? {} : { interface: this.init.interfaceAddress, bind: '0.0.0.0' })
    this.mdns.on('query', (query: QueryPacket) => { this.answer(query) })
    this.mdns.on('response', (response: ResponsePacket) => { this.learn(response) })
    this.mdns.on('warning', (err: Error) => { this.log('mdns warning: %e', err) })
    this.mdns.on('error', (err: Error) => { this.log.error('mdns error: %e', err) })
    this.query()
    this.timer = setInterval(() => { this.query() }, this.init.interval)
    this.timer.unref()
  }

  async stop (): Promise<void> {
    clearInterval(this.timer)
    const mdns = this.mdns
    this.mdns = undefined
    if (mdns !== undefined) await new Promise<void>((resolve) => { mdns.destroy(() => { resolve() }) })
  }

  private query (): void {
    this.mdns?.query({ questions: [{ name: this.init.serviceTag, type: 'PTR' }] })
  }

  private answer (query: QueryPacket): void {
    if (this.mdns === undefined || !query.questions.some((q) => q.name === this.init.serviceTag)) return
    const instance = `${this.name}.${this.init.serviceTag}`
    const addrs = this.components.addressManager.getAddresses()
      .map((addr) => `dnsaddr=${addr.toString()}`)
      .filter((text) => text.length <= MAX_TXT_STRING && text.includes('/p2p/'))
    if (addrs.length === 0) return
    this.mdns.respond({
      answers: [
        { name: this.init.serviceTag, type: 'PTR', class: 'IN', ttl: ANSWER_TTL_S, data: instance },
        ...addrs.map((data) => ({ name: instance, type: 'TXT' as const, class: 'IN' as const, ttl: ANSWER_TTL_S, data }))
      ]
    })
  }

  private learn (response: ResponsePacket): void {
    const records = [...response.answers, ...(response.additionals ?? [])]
    const pointer = records.find((r) => r.type === 'PTR' && r.name === this.init.serviceTag)
    if (pointer === undefined || String((pointer as { data?: unknown }).data).startsWith(`${this.name}.`)) return
    const addrs: Multiaddr[] = []
    for (const record of records) {
      if (record.type !== 'TXT') continue
      for (const chunk of [record.data].flat()) {
        const text = chunk.toString()
        if (!text.startsWith('dnsaddr=')) continue
        try {
          addrs.push(multiaddr(text.slice('dnsaddr='.length)))
        } catch {
          this.log('ignoring a malformed multiaddr in an mDNS answer')
        }
      }
    }
    const peerId = addrs[0]?.getPeerId()
    if (peerId === undefined || peerId === null) return
    try {
      const info: PeerInfo = { id: peerIdFromString(peerId), multiaddrs: addrs.filter((a) => a.getPeerId() === peerId) }
      this.safeDispatchEvent('peer', { detail: info })
    } catch (err) {
      this.log('ignoring an mDNS answer with a bad peer id: %e', err)
    }
  }
}

/** The discovery service factory, for `peerDiscovery` in the libp2p options. */
export function lanDiscovery (init: LanDiscoveryInit): (components: Components) => PeerDiscovery {
  return (components) => new LanDiscovery(components, init)
}
