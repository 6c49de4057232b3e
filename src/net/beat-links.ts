/**
 * Heartbeat transport: one long-lived outbound stream per observer carrying length-prefixed beats, and a reader
 * for inbound streams that closes those that stop making progress. Beats are perishable: if a stream is still
 * busy with the previous beat, the new one for it is dropped instead of queued (the next one supersedes it anyway).
 * An observer may offer UDP on the stream (beat-datagrams.ts); once it confirms, beats go as datagrams and the
 * stream only stays open for the observer's word.
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { lpStream, type LengthPrefixedStream } from 'it-length-prefixed-stream'
import type { Connection, Logger, PeerId, Stream } from '@libp2p/interface'
import type { Uint8ArrayList } from 'uint8arraylist'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import type { RegistryLibp2p } from './node.js'
import { MAX_BEAT_FRAME_BYTES } from './protocols.js'
import { background } from '../background.js'
import { Backoff } from './backoff.js'
import { BeatOffer } from './wire.pb.js'
import { newToken, tokenKey, TOKEN_BYTES, udpHost, UNCONFIRMED_DATAGRAMS, type BeatDatagrams, type DatagramTarget, type UdpFamily } from './beat-datagrams.js'

/**
 * How long opening a beat stream may take before the batch is dropped. A handshake cut off is work thrown away
 * on both sides: on a loaded machine a short bound turns slow handshakes into a storm of retried ones.
 */
const OPEN_TIMEOUT_MS = 5_000
/**
 * A beat write still unfinished after this long has hung: the link is dropped and the next beat opens a new one.
 * An observer closes a frame left unfinished twice this long (`inboundBeatBounds`), well before an idle stream.
 */
const WRITE_TIMEOUT_MS = 2_000
/**
 * After a failed open, the next try at that observer waits this long, doubling up to OPEN_MAX_BACKOFF_MS. Without
 * it every beat (several a second) dialled an observer that could not answer: measured at N = 100 on one box,
 * about 300 dials a second across the cluster, every one timing out, and the cluster never formed.
 */
const OPEN_MIN_BACKOFF_MS = 1_000
const OPEN_MAX_BACKOFF_MS = 8_000
/** Peers with a backed-off open kept at most; beyond, the oldest is forgotten (it is retried at once). */
const MAX_BACKOFF_ENTRIES = 4_096

interface Link {
  stream: Stream
  lp: LengthPrefixedStream<Stream>
  busy: boolean
  /** When the write in flight began (monotonic ms). */
  busySinceMs: number
  /** The observer's IP host, where its datagrams go (undefined: not an IP connection). */
  readonly remote: ReturnType<typeof udpHost>
  /** The observer's offer in force, and whether it confirmed a datagram arrived. */
  udp: { target: DatagramTarget, confirmed: boolean, unconfirmed: number } | undefined
}

/** Outbound beat streams, one per neighbour, opened on first use. */
export class BeatLinks {
  private readonly links = new Map<string, Link>()
  private readonly opening = new Set<string>()
  private readonly backoff = new Backoff(OPEN_MIN_BACKOFF_MS, OPEN_MAX_BACKOFF_MS, MAX_BACKOFF_ENTRIES)

  constructor (
    private readonly node: RegistryLibp2p,
    private readonly protocol: string,
    private readonly datagrams: BeatDatagrams,
    private readonly log: Logger
  ) {}

  /** The peers this node has a beat link to: its observers. */
  peers (): IterableIterator<string> {
    return this.links.keys()
  }

  /** Sends a beat to a peer (dialling `addrs` if need be); never throws. Returns false if the beat was dropped. */
  async send (peer: string, batch: Uint8Array, addrs: readonly string[]): Promise<boolean> {
    if (this.opening.has(peer)) return false
    let link = this.links.get(peer)
    // The other side closes a link it found idle or stalled (InboundBeats). The first write on such a reset stream
    // still resolves, and its beat vanishes: check, and reopen at once.
    if (link !== undefined && link.stream.status !== 'open') {
      this.close(peer)
      link = undefined
    }
    if (link === undefined) {
      if (!this.backoff.ready(peer)) return false
      this.opening.add(peer)
      try {
        const signal = AbortSignal.timeout(OPEN_TIMEOUT_MS)
        const connection: Connection = await this.node.dial(dialTarget(this.node, peer, addrs), { signal })
        const stream = await connection.newStream(this.protocol, { signal })
        link = { stream, lp: lpStream(stream, { maxDataLength: MAX_BEAT_FRAME_BYTES }), busy: false, busySinceMs: 0, remote: udpHost(connection.remoteAddr), udp: undefined }
        this.links.set(peer, link)
        this.backoff.succeeded(peer)
        background(this.readOffers(peer, link), this.log, 'read beat offers')
      } catch (err) {
        this.log.trace('cannot open beat stream to %s: %e', peer, err)
        this.backoff.failed(peer, err)
        return false
      } finally {
        this.opening.delete(peer)
      }
    }
    const udp = link.udp
    if (udp !== undefined) {
      this.datagrams.send(udp.target, batch)
      if (udp.confirmed) return true
      // Until the observer says one arrived, the stream carries the beat too; past a few, UDP is not getting through.
      if (++udp.unconfirmed >= UNCONFIRMED_DATAGRAMS) link.udp = undefined
    }
    if (link.busy) {
      // A write that has hung this long will not finish: the link is stuck, and the next beat opens a new one.
      if (performance.now() - link.busySinceMs > WRITE_TIMEOUT_MS) this.close(peer)
      return false
    }
    link.busy = true
    link.busySinceMs = performance.now()
    try {
      // No timeout signal per write: a timer for each of the ten or so beats a second costs more than the beat
      // (each fires later and builds a DOMException). A hung write is found by the next send, above.
      await link.lp.write(batch)
      return true
    } catch (err) {
      this.log.trace('beat stream to %s failed: %e', peer, err)
      this.close(peer)
      return false
    } finally {
      link.busy = false
    }
  }

  /**
   * Reads what the observer writes on the link: offers of UDP, confirmations, revocations. Ends with the stream.
   * A revocation holds until the observer offers again (`reofferMs` later): a stall of either process (a GC pause,
   * a busy machine) revokes datagrams that were fine, and when a revocation was final, beats stayed on the stream
   * for the life of the connection, at several times the CPU (seen at N = 100: most beats of the steady state came
   * on streams, after the load of forming). A path that really drops UDP costs one unconfirmed try per offer.
   * Never throws.
   */
  private async readOffers (peer: string, link: Link): Promise<void> {
    try {
      for (;;) {
        const offer = BeatOffer.decode(await link.lp.read())
        if (link.remote === undefined) continue
        if (offer.state === BeatOffer.State.REVOKED) {
          link.udp = undefined
          this.log('observer %s stopped receiving beat datagrams: beats go on the stream', peer)
        } else if (offer.state === BeatOffer.State.CONFIRMED) {
          if (link.udp !== undefined) link.udp.confirmed = true
        } else if (offer.port > 0 && offer.port < 65_536 && offer.token.byteLength === TOKEN_BYTES) {
          link.udp = { target: { ...link.remote, port: offer.port, token: offer.token }, confirmed: false, unconfirmed: 0 }
        }
      }
    } catch (err) {
      // The end of the stream, a frame that is not an offer (an observer this node does not understand), or an
      // abort: the beats go on as they were; a broken stream is found by the next send.
      this.log.trace('beat link to %s: no more offers: %e', peer, err)
    }
  }

  /** Forgets (and aborts) the link to a peer, e.g. when its connection closed. */
  close (peer: string): void {
    const link = this.links.get(peer)
    if (link === undefined) return
    this.links.delete(peer)
    link.stream.abort(new Error('beat link closed'))
  }

  /** Closes every link. */
  closeAll (): void {
    for (const peer of [...this.links.keys()]) this.close(peer)
  }
}

/**
 * What to dial to reach `peer`: the peer itself when a connection is open (or libp2p knows where it is), else the
 * addresses its member record advertises. An observer is any member, not only a neighbour this node dialled.
 */
export function dialTarget (node: RegistryLibp2p, peer: string, addrs: readonly string[]): PeerId | Multiaddr[] {
  const id = peerIdFromString(peer)
  if (node.getConnections(id).length > 0 || addrs.length === 0) return id
  const targets: Multiaddr[] = []
  for (const addr of addrs) {
    try {
      targets.push(multiaddr(addr))
    } catch {
      // A member record's addresses were validated as strings only; one that does not parse is skipped.
    }
  }
  return targets.length === 0 ? id : targets
}

/**
 * How long an inbound beat stream may stay without progress before it is closed.
 *
 * `frameMs`, for a frame whose first bytes arrived: an honest sender writes a beat in one write and abandons its
 * stream when that write takes over WRITE_TIMEOUT_MS, so a frame still incomplete twice that long after it began
 * is not coming; slower heartbeat settings (slower networks) get four intervals. Counted as `stalled`.
 *
 * `idleMs`, for a stream with no frame in progress: a sender beats every `heartbeatInterval` to each observer,
 * so a long-silent stream is one whose sender stopped observing us (the ring changed) or stopped altogether.
 * An idle stream is cheap to keep and closing an honest one costs its sender a reopen (BeatLinks.send), so the
 * bound is long: many beats missed in a row, and never under ten seconds. Not counted: an honest ring change
 * looks the same.
 *
 * `datagramsMs`, for a stream whose beats come as datagrams: silence this long (two beats in a row lost, or a
 * member gone quiet) revokes them, so the member's next beat takes the stream. Two, not more: the member's
 * observers suspect it after `suspectAfter` (four beats by default) without a beat, and the revocation (checked
 * once a heartbeat) and the next stream beat must both come before that. A revocation in error costs little: the
 * stream carries the beats until `reofferMs` later, when this node offers again.
 */
export interface InboundBeatBounds {
  readonly frameMs: number
  readonly idleMs: number
  readonly datagramsMs: number
  readonly reofferMs: number
}

export function inboundBeatBounds (heartbeatIntervalMs: number): InboundBeatBounds {
  const idleMs = Math.max(20 * heartbeatIntervalMs, 10_000)
  return {
    frameMs: Math.max(4 * heartbeatIntervalMs, 2 * WRITE_TIMEOUT_MS),
    idleMs,
    datagramsMs: 2 * heartbeatIntervalMs,
    reofferMs: idleMs
  }
}

/** An inbound beat stream and its progress. */
interface Inbound {
  readonly from: string
  readonly stream: Stream
  /** Set once, right after the record is made: its reader counts into the record. */
  lp: LengthPrefixedStream
  /** Bytes received, and bytes of the frames read whole: more received than read is a frame in progress. */
  received: number
  read: number
  /** When the frame in progress began; with none, when the last one ended (or the stream opened). */
  sinceMs: number
  /** The UDP port this node offers the sender (undefined: no socket for the connection's address family). */
  readonly port: number | undefined
  /** The token offered on this stream while datagrams may carry its beats; whether one arrived, and when last. */
  token: string | undefined
  confirmed: boolean
  lastDatagramMs: number
  /** When this node last offered or revoked: a revoked stream is offered again after `reofferMs`. */
  offeredAtMs: number
  /** Writes on the stream, one after another (offers, confirmations, revocations). */
  writes: Promise<void>
}

/**
 * Reads inbound beat streams and closes those that stop making progress. A sweep from the network's periodic
 * maintenance checks them all, instead of a timeout signal per read: a node reads ~10 beats a second, and each
 * signal costs a timer (and an exception when it fires), while this costs a counter and a clock read per chunk.
 * It also offers each sender UDP (beat-datagrams.ts), and takes the datagrams that carry a token it offered.
 */
export class InboundBeats {
  private readonly streams = new Set<Inbound>()
  private readonly tokens = new Map<string, Inbound>()

  constructor (
    private readonly bounds: InboundBeatBounds,
    private readonly datagrams: BeatDatagrams,
    private readonly onBatch: (batch: Uint8Array, from: string) => void,
    private readonly onStalled: (from: string, detail: string) => void,
    private readonly log: Logger
  ) {}

  /** Reads beat batches from a stream until it ends or is closed by a sweep. Never throws. */
  async read (stream: Stream, from: string, family: UdpFamily | undefined): Promise<void> {
    const nowMs = performance.now()
    const inbound: Omit<Inbound, 'lp'> & Partial<Pick<Inbound, 'lp'>> = {
      from,
      stream,
      received: 0,
      read: 0,
      sinceMs: nowMs,
      port: family === undefined ? undefined : this.datagrams.port(family),
      token: undefined,
      confirmed: false,
      lastDatagramMs: 0,
      offeredAtMs: nowMs,
      writes: Promise.resolve()
    }
    inbound.lp = lpStream({ sink: stream.sink, source: counted(stream.source, inbound) }, { maxDataLength: MAX_BEAT_FRAME_BYTES })
    await this.serve(inbound as Inbound)
  }

  private async serve (inbound: Inbound): Promise<void> {
    const { from, stream } = inbound
    this.streams.add(inbound)
    this.offer(inbound, inbound.sinceMs)
    try {
      for (;;) {
        const frame = await inbound.lp.read()
        inbound.read += varintLength(frame.byteLength) + frame.byteLength
        inbound.sinceMs = performance.now()
        this.onBatch(frame.subarray(), from)
      }
    } catch (err) {
      // The normal end of a link is an end-of-stream here; an oversized frame, or a sweep, also lands here.
      this.log.trace('beat stream from %s ended: %e', from, err)
      stream.abort(err as Error)
    } finally {
      this.streams.delete(inbound)
      this.forgetToken(inbound)
    }
  }

  /** The peers with a beat stream open to this node: its subjects. */
  * senders (): Generator<string> {
    for (const inbound of this.streams) yield inbound.from
  }

  /** A datagram: the beats of the member whose stream was offered `token`; nothing if no stream holds it. */
  datagram (token: string, batch: Uint8Array): void {
    const inbound = this.tokens.get(token)
    if (inbound === undefined) return
    inbound.lastDatagramMs = performance.now()
    // Only with no stream frame in progress: a datagram says nothing about an unfinished frame.
    if (inbound.received === inbound.read) inbound.sinceMs = inbound.lastDatagramMs
    if (!inbound.confirmed) {
      inbound.confirmed = true
      this.tell(inbound, { state: BeatOffer.State.CONFIRMED, port: 0, token: new Uint8Array(0) })
    }
    this.onBatch(batch, inbound.from)
  }

  /**
   * Closes every stream whose frame in progress or whose silence has outlasted its bound; revokes datagrams that
   * stopped coming, and offers them again, later, on streams where they were revoked.
   */
  sweep (nowMs: number): void {
    for (const inbound of this.streams) {
      if (inbound.confirmed && nowMs - inbound.lastDatagramMs > this.bounds.datagramsMs) {
        // Confirmed datagrams stopped while the stream stays open: the path began dropping UDP, or the member
        // hung. Either way its beats belong on the stream now; a hung member reads nothing and is suspected as
        // before, from its last beat.
        this.forgetToken(inbound)
        inbound.offeredAtMs = nowMs
        this.tell(inbound, { state: BeatOffer.State.REVOKED, port: 0, token: new Uint8Array(0) })
      } else if (inbound.token === undefined && nowMs - inbound.offeredAtMs > this.bounds.reofferMs) {
        this.offer(inbound, nowMs)
      }
      const ageMs = nowMs - inbound.sinceMs
      const stalled = inbound.received > inbound.read
      if (ageMs <= (stalled ? this.bounds.frameMs : this.bounds.idleMs)) continue
      // Forgotten now, not when its reader ends (a little later): the next sweep must not count it again.
      this.streams.delete(inbound)
      this.forgetToken(inbound)
      if (stalled) this.onStalled(inbound.from, `beat frame unfinished after ${Math.round(ageMs)} ms`)
      inbound.stream.abort(new Error(stalled ? 'beat frame stalled' : 'beat stream idle'))
    }
  }

  private offer (inbound: Inbound, nowMs: number): void {
    if (inbound.port === undefined) return
    const token = newToken()
    inbound.token = tokenKey(token)
    inbound.offeredAtMs = nowMs
    this.tokens.set(inbound.token, inbound)
    this.tell(inbound, { state: BeatOffer.State.OFFERED, port: inbound.port, token })
  }

  private forgetToken (inbound: Inbound): void {
    if (inbound.token !== undefined) this.tokens.delete(inbound.token)
    inbound.token = undefined
    inbound.confirmed = false
  }

  private tell (inbound: Inbound, offer: BeatOffer): void {
    inbound.writes = inbound.writes.then(async () => { await inbound.lp.write(BeatOffer.encode(offer)) }).catch((err: unknown) => {
      // A sender that does not read (an older node, or a closed stream) loses nothing: it keeps the stream.
      this.log.trace('beat offer to %s not written: %e', inbound.from, err)
    })
  }
}

/** Passes a stream's chunks through, noting when a frame begins and how many bytes arrived. */
async function * counted (source: Stream['source'], inbound: Pick<Inbound, 'received' | 'read' | 'sinceMs'>): AsyncGenerator<Uint8ArrayList> {
  for await (const chunk of source) {
    if (inbound.received === inbound.read) inbound.sinceMs = performance.now()
    inbound.received += chunk.byteLength
    yield chunk
  }
}

/** Bytes of the unsigned varint length prefix in front of a frame of `length` bytes. */
function varintLength (length: number): number {
  let bytes = 1
  for (let rest = length; rest >= 0x80; rest = Math.floor(rest / 0x80)) bytes++
  return bytes
}
