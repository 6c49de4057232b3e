/**
 * Beats as UDP datagrams. A beat is the one message every member sends several times a second, and on a libp2p
 * stream each costs a yamux frame, a noise seal, async-iterator hops on both sides and a TCP segment: measured,
 * most of an idle node's CPU (docs/performance.md, "Idle cost"). A datagram costs one system call each way.
 *
 * Nothing about a beat's meaning changes: it is checked against its member's hash chain as before. What the
 * stream gave for free, knowing who sent it, comes from a token: the observer hands a random token to the member
 * over the member's own (noise-authenticated) beat stream, and takes a datagram that opens with it as the member's.
 * The stream stays open, so the observer can confirm (the member then stops writing beats there) or revoke (the
 * member goes back to the stream): a network that drops UDP costs nothing but the offer.
 */
import { createSocket, type Socket } from 'node:dgram'
import { randomBytes } from 'node:crypto'
import type { Logger } from '@libp2p/interface'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import { MAX_BEAT_FRAME_BYTES } from './protocols.js'

/** First byte of every datagram: a later format gets another, and this one's readers drop it. */
const DATAGRAM_VERSION = 1
export const TOKEN_BYTES = 16
const HEADER_BYTES = 1 + TOKEN_BYTES

/**
 * Datagrams a member sends on an offer before the observer confirms one arrived. Past that the path drops UDP
 * (a firewall, a NAT that forwards only the TCP port) and the member stops trying on that link: the beats go on
 * over the stream, as they did all along.
 */
export const UNCONFIRMED_DATAGRAMS = 8

export type UdpFamily = 'udp4' | 'udp6'

/** Where a member sends its datagrams for one observer. */
export interface DatagramTarget {
  readonly family: UdpFamily
  readonly host: string
  readonly port: number
  readonly token: Uint8Array
}

/** The host and family of a connection's remote address, if it is an IP one (datagrams go to that host). */
export function udpHost (addr: Multiaddr): { family: UdpFamily, host: string } | undefined {
  const options = ipOptions(addr)
  return options === undefined ? undefined : { family: options.family, host: options.host }
}

/** Family, host and port of a TCP address over IP; undefined for anything else (DNS names, relays). */
function ipOptions (addr: Multiaddr): { family: UdpFamily, host: string, port: number } | undefined {
  try {
    const { family, host, port, transport } = addr.toOptions()
    if (transport !== 'tcp' || addr.protoNames().some((name) => name.startsWith('dns'))) return undefined
    return { family: family === 6 ? 'udp6' : 'udp4', host, port }
  } catch {
    return undefined
  }
}

export function newToken (): Uint8Array {
  return randomBytes(TOKEN_BYTES)
}

export function tokenKey (token: Uint8Array): string {
  return Buffer.from(token.buffer, token.byteOffset, token.byteLength).toString('hex')
}

/**
 * One UDP socket per address family this node listens on, bound on the same port number as its TCP listener
 * where that is free (one number for operators to open), else on any port (the offer carries it).
 */
export class BeatDatagrams {
  private readonly sockets = new Map<UdpFamily, { socket: Socket, port: number }>()

  constructor (
    private readonly onDatagram: (tokenKey: string, batch: Uint8Array) => void,
    private readonly log: Logger
  ) {}

  /**
   * Binds a socket for each address family among the node's listen addresses (`listen`, as configured, perhaps
   * 0.0.0.0 and port 0), on the port number TCP got (read from `listening`, the node's actual addresses). A
   * family that cannot bind just gets no offers.
   */
  async start (listen: readonly string[], listening: readonly Multiaddr[]): Promise<void> {
    const tcpPorts = new Map<UdpFamily, number>()
    for (const addr of listening) {
      const options = ipOptions(addr)
      if (options !== undefined && !tcpPorts.has(options.family)) tcpPorts.set(options.family, options.port)
    }
    for (const text of listen) {
      let options
      try {
        options = ipOptions(multiaddr(text))
      } catch {
        continue
      }
      if (options === undefined || this.sockets.has(options.family)) continue
      const bound = await this.bind(options.family, options.host, tcpPorts.get(options.family) ?? 0) ?? await this.bind(options.family, options.host, 0)
      if (bound !== undefined) this.sockets.set(options.family, bound)
    }
  }

  /** The port an observer offers to members reaching it over `family`, if it has a socket for it. */
  port (family: UdpFamily): number | undefined {
    return this.sockets.get(family)?.port
  }

  /** Sends one beat batch. Fire and forget: a datagram is as perishable as the beat it carries. */
  send (target: DatagramTarget, batch: Uint8Array): void {
    const bound = this.sockets.get(target.family)
    if (bound === undefined) return
    const datagram = new Uint8Array(HEADER_BYTES + batch.byteLength)
    datagram[0] = DATAGRAM_VERSION
    datagram.set(target.token, 1)
    datagram.set(batch, HEADER_BYTES)
    bound.socket.send(datagram, target.port, target.host, (err) => {
      if (err != null) this.log.trace('beat datagram to %s:%d failed: %e', target.host, target.port, err)
    })
  }

  stop (): void {
    for (const { socket } of this.sockets.values()) socket.close()
    this.sockets.clear()
  }

  private async bind (family: UdpFamily, host: string, port: number): Promise<{ socket: Socket, port: number } | undefined> {
    const socket = createSocket({ type: family, reuseAddr: false })
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('error', reject)
        socket.bind(port, host, () => {
          socket.off('error', reject)
          resolve()
        })
      })
    } catch (err) {
      this.log('cannot bind a %s beat socket on %s:%d: %e', family, host, port, err)
      socket.close()
      return undefined
    }
    socket.on('error', (err) => { this.log('beat socket error: %e', err) })
    socket.on('message', (datagram) => { this.receive(datagram) })
    socket.unref()
    return { socket, port: socket.address().port }
  }

  /** Anyone can send a datagram: the bytes are checked for shape here and for a known token by the receiver. */
  private receive (datagram: Buffer): void {
    if (datagram.byteLength <= HEADER_BYTES || datagram.byteLength > HEADER_BYTES + MAX_BEAT_FRAME_BYTES) return
    if (datagram[0] !== DATAGRAM_VERSION) return
    this.onDatagram(datagram.toString('hex', 1, HEADER_BYTES), datagram.subarray(HEADER_BYTES))
  }
}
