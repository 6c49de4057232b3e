/**
 * The agent's DNS interface: a UDP server answering A, AAAA and SRV questions about healthy instances, read from the
 * registry's local memory like every lookup. Packets are encoded and decoded by dns-packet; this file owns the names
 * and the answers. Names (see docs/agent.md#dns):
 *
 * - `<service>.service.<namespace>.gossip-registry`: A (IPv4 instances), AAAA (IPv6 instances), SRV (every instance:
 *   priority 1, weight = instance weight, its port, and a target that resolves).
 * - `<hex>.addr.<namespace>.gossip-registry`: the SRV target of an instance with an IP address (Consul's `.addr.`
 *   convention: 8 hex digits for IPv4, 32 for IPv6), answered with that address; SRV answers carry it in the
 *   additional section too. An instance whose address is a host name has that host name as its SRV target.
 *
 * Anything else, and a service with no healthy instance, is NXDOMAIN. Work per packet is bounded: one question, a
 * packet size limit, answers trimmed to the response size (TC set when trimmed). A malformed packet is dropped.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram'
import { isIPv4, isIPv6, type AddressInfo } from 'node:net'
import dnsPacket from 'dns-packet'
import type { Answer, DecodedPacket, Packet, Question } from 'dns-packet'
import type { Instance } from '../record/types.js'
import type { Registry } from '../registry.js'
import { shuffled } from '../random.js'

/** The top-level label of every name this server answers. */
export const DNS_DOMAIN = 'gossip-registry'

/** The registry reads the server needs: healthy instances by service, and the names of known services. */
export type DnsSource = Pick<Registry, 'lookup' | 'services'>

/** Options of the DNS server. */
export interface DnsOptions {
  /** The registry's namespace: the label before `gossip-registry`. @default 'default' */
  readonly namespace?: string
  /**
   * TTL of every answer, in seconds.
   * @default 0
   * A lookup is a read of local memory, so a client asking again costs nothing, and caching would only hide an
   * instance that went critical a moment ago.
   */
  readonly ttl?: number
  /** Called with a socket error (the server keeps running). @default undefined (ignored) */
  readonly onError?: (err: Error) => void
}

/** A running DNS server. */
export interface DnsServer {
  /** Where the server listens (the port chosen when 0 was asked). */
  address: () => AddressInfo
  close: () => Promise<void>
}

/**
 * Largest query accepted: a question is at most 255 bytes of name plus a header and an EDNS record. Anything
 * bigger is not a query from a stub resolver.
 */
const MAX_QUERY_BYTES = 1_024
/** Response size when the query has no EDNS record (RFC 1035). */
const CLASSIC_UDP_BYTES = 512
/** Largest response we send, whatever EDNS offers: fits the usual path MTU without fragmentation trouble. */
const MAX_UDP_BYTES = 1_232
/** rcode NXDOMAIN, in the low four bits of the flags. */
const NXDOMAIN = 3
/** rcode FORMERR, for a query without exactly one question (stub resolvers ask one). */
const FORMERR = 1
/** rcode NOTIMP, for opcodes other than QUERY. */
const NOTIMP = 4

/** Binds a UDP socket on host:port (udp6 for an IPv6 host); rejects with the bind error (e.g. EADDRINUSE). */
export async function bindDns (host: string, port: number): Promise<Socket> {
  const socket = createSocket(isIPv6(host) ? 'udp6' : 'udp4')
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject)
    socket.bind({ address: host, port, exclusive: true }, () => {
      socket.off('error', reject)
      resolve()
    })
  }).catch((err: unknown) => {
    socket.close()
    throw err
  })
  return socket
}

/** Serves DNS on a bound socket (see bindDns) from `source`. */
export function serveDns (socket: Socket, source: DnsSource, options: DnsOptions = {}): DnsServer {
  const zone = new Zone(source, options.namespace ?? 'default', options.ttl ?? 0)
  socket.on('error', (err) => { options.onError?.(err) })
  socket.on('message', (message: Buffer, peer: RemoteInfo) => {
    let reply: Buffer | undefined
    try {
      reply = answerPacket(zone, message)
    } catch (err) {
      // A name dns-packet decoded but cannot encode again, or a registry read failing: drop the packet, keep serving.
      options.onError?.(err as Error)
      return
    }
    if (reply === undefined) return
    socket.send(reply, peer.port, peer.address, (err) => { if (err !== null) options.onError?.(err) })
  })
  let closed: Promise<void> | undefined
  return {
    address: () => socket.address(),
    close: async () => {
      closed ??= new Promise((resolve) => { socket.close(() => { resolve() }) })
      return closed
    }
  }
}

/** Binds host:port and serves DNS there: bindDns then serveDns. */
export async function startDnsServer (source: DnsSource, options: DnsOptions & { host: string, port: number }): Promise<DnsServer> {
  return serveDns(await bindDns(options.host, options.port), source, options)
}

/** The reply to one datagram, or undefined to drop it (malformed, a response, or too big). */
export function answerPacket (zone: Zone, message: Buffer): Buffer | undefined {
  if (message.length < 12 || message.length > MAX_QUERY_BYTES) return undefined
  let query: DecodedPacket & { opcode?: string }
  try {
    query = dnsPacket.decode(message)
  } catch {
    return undefined
  }
  if (query.type !== 'query') return undefined
  const questions = query.questions ?? []
  const opt = (query.additionals ?? []).find((a) => a.type === 'OPT')
  const limit = opt === undefined ? CLASSIC_UDP_BYTES : Math.min(MAX_UDP_BYTES, Math.max(CLASSIC_UDP_BYTES, opt.udpPayloadSize))
  const reply: Packet & { answers: Answer[], additionals: Answer[] } = {
    type: 'response',
    id: query.id,
    flags: dnsPacket.AUTHORITATIVE_ANSWER | ((query.flags ?? 0) & dnsPacket.RECURSION_DESIRED),
    questions: questions.slice(0, 1),
    answers: [],
    additionals: []
  }
  const edns: Answer[] = opt === undefined ? [] : [{ type: 'OPT', name: '.', udpPayloadSize: MAX_UDP_BYTES, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }]
  if (query.opcode !== 'QUERY') reply.flags = (reply.flags ?? 0) | NOTIMP
  else if (questions.length !== 1) reply.flags = (reply.flags ?? 0) | FORMERR
  else {
    const found = zone.answer(questions[0]!)
    if (found === undefined) reply.flags = (reply.flags ?? 0) | NXDOMAIN
    else {
      reply.answers = found.answers
      reply.additionals = found.additionals
    }
  }
  reply.additionals.push(...edns)
  return encodeWithin(reply, limit)
}

/**
 * Encodes `reply` within `limit` bytes: first drops the additional records (a client can ask for a target itself,
 * so no TC for those, RFC 2181 9), then answers from the end, setting TC. dns-packet does not compress names.
 */
function encodeWithin (reply: Packet & { answers: Answer[], additionals: Answer[] }, limit: number): Buffer {
  if (dnsPacket.encodingLength(reply) <= limit) return dnsPacket.encode(reply)
  reply.additionals = reply.additionals.filter((a) => a.type === 'OPT')
  // A record takes at least 16 bytes: never try to encode more than could fit, so the loop below is short.
  const most = Math.floor(limit / 16)
  let truncated = false
  if (reply.answers.length > most) {
    reply.answers = reply.answers.slice(0, most)
    truncated = true
  }
  for (let tries = 0; tries <= most && dnsPacket.encodingLength(reply) > limit; tries++) {
    truncated = true
    reply.answers = reply.answers.slice(0, -1)
  }
  if (truncated) reply.flags = (reply.flags ?? 0) | dnsPacket.TRUNCATED_RESPONSE
  return dnsPacket.encode(reply)
}

/** What a question is answered with; undefined is NXDOMAIN. */
interface Found { answers: Answer[], additionals: Answer[] }

/** The names under `<namespace>.gossip-registry` and their records. */
export class Zone {
  private readonly serviceSuffix: string
  private readonly addrSuffix: string

  constructor (private readonly source: DnsSource, private readonly namespace: string, private readonly ttl: number) {
    this.serviceSuffix = `.service.${namespace}.${DNS_DOMAIN}`.toLowerCase()
    this.addrSuffix = `.addr.${namespace}.${DNS_DOMAIN}`.toLowerCase()
  }

  /** The answers to one question, or undefined for a name that does not exist. */
  answer (question: Question): Found | undefined {
    const name = question.name.toLowerCase().replace(/\.$/, '')
    if (question.class !== 'IN' && question.class !== 'ANY') return undefined
    if (name.endsWith(this.addrSuffix)) return this.addrAnswer(question, name.slice(0, -this.addrSuffix.length))
    if (name.endsWith(this.serviceSuffix)) return this.serviceAnswer(question, name.slice(0, -this.serviceSuffix.length))
    return undefined
  }

  /** `<hex>.addr...`: the address it spells, for A or AAAA. */
  private addrAnswer (question: Question, label: string): Found | undefined {
    const address = hexToAddress(label)
    if (address === undefined) return undefined
    const type = isIPv4(address) ? 'A' : 'AAAA'
    return { answers: question.type === type ? [{ type, name: question.name, ttl: this.ttl, class: 'IN', data: address }] : [], additionals: [] }
  }

  /** `<service>.service...`: the healthy instances, shuffled so clients that take the first spread their load. */
  private serviceAnswer (question: Question, service: string): Found | undefined {
    if (service === '') return undefined
    const instances = shuffled(this.instancesOf(service))
    if (instances.length === 0) return undefined
    const { name, type } = question
    const ttl = this.ttl
    const answers: Answer[] = []
    const additionals: Answer[] = []
    for (const instance of instances) {
      const address = instance.address
      if (type === 'A' && isIPv4(address)) answers.push({ type: 'A', name, ttl, class: 'IN', data: address })
      if (type === 'AAAA' && isIPv6(address)) answers.push({ type: 'AAAA', name, ttl, class: 'IN', data: address })
      if (type === 'SRV') {
        const ip = isIPv4(address) || isIPv6(address)
        const target = ip ? `${addressToHex(address)}${this.addrSuffix}` : address
        answers.push({ type: 'SRV', name, ttl, class: 'IN', data: { priority: 1, weight: instance.weight, port: instance.port, target } })
        if (ip && !additionals.some((a) => a.name === target)) {
          additionals.push({ type: isIPv4(address) ? 'A' : 'AAAA', name: target, ttl, class: 'IN', data: address })
        }
      }
    }
    return { answers, additionals }
  }

  /** Healthy instances of the service named (DNS names are case-insensitive; service names keep their case). */
  private instancesOf (lowerName: string): Instance[] {
    const names = this.source.services().filter((s) => s.toLowerCase() === lowerName)
    return names.flatMap((s) => [...this.source.lookup(s)])
  }
}

/** `127.0.0.1` -> `7f000001`; an IPv6 address -> its 32 hex digits (zeros expanded, an IPv4 tail as two groups). */
export function addressToHex (address: string): string {
  if (isIPv4(address)) return address.split('.').map((part) => Number(part).toString(16).padStart(2, '0')).join('')
  const groups = (text: string): string[] => text === '' ? [] : text.split(':').flatMap((g) => isIPv4(g) ? [addressToHex(g).slice(0, 4), addressToHex(g).slice(4)] : [g])
  const [head = '', tail] = address.replace(/%.*$/, '').split('::')
  const left = groups(head)
  const right = tail === undefined ? [] : groups(tail)
  const zeros = Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0')
  return [...left, ...zeros, ...right].map((g) => g.padStart(4, '0')).join('').toLowerCase()
}

/** The inverse of addressToHex, or undefined when the label is not 8 or 32 hex digits. */
export function hexToAddress (label: string): string | undefined {
  if (/^[0-9a-f]{8}$/.test(label)) return [0, 2, 4, 6].map((i) => parseInt(label.slice(i, i + 2), 16)).join('.')
  if (/^[0-9a-f]{32}$/.test(label)) return Array.from({ length: 8 }, (_, i) => label.slice(i * 4, i * 4 + 4)).join(':')
  return undefined
}

