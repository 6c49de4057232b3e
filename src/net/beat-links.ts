/**
 * Heartbeat transport: one long-lived outbound stream per observer carrying length-prefixed beats, and a reader
 * for inbound streams that closes those that stop making progress. Beats are perishable: if a stream is still
 * busy with the previous beat, the new one for it is dropped instead of queued (the next one supersedes it anyway).
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { lpStream, type LengthPrefixedStream } from 'it-length-prefixed-stream'
import type { Logger, PeerId, Stream } from '@libp2p/interface'
import type { Uint8ArrayList } from 'uint8arraylist'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import type { RegistryLibp2p } from './node.js'
import { MAX_BEAT_FRAME_BYTES } from './protocols.js'

/** How long opening a beat stream may take before the batch is dropped. */
const OPEN_TIMEOUT_MS = 2_000

interface Link {
  stream: Stream
  lp: LengthPrefixedStream<Stream>
  busy: boolean
  /** When the write in flight began (monotonic ms). */
  busySinceMs: number
}

/** Outbound beat streams, one per neighbour, opened on first use. */
export class BeatLinks {
  private readonly links = new Map<string, Link>()
  private readonly opening = new Set<string>()

  constructor (
    private readonly node: RegistryLibp2p,
    private readonly protocol: string,
    private readonly log: Logger
  ) {}

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
      this.opening.add(peer)
      try {
        const stream = await this.node.dialProtocol(dialTarget(this.node, peer, addrs), this.protocol, { signal: AbortSignal.timeout(OPEN_TIMEOUT_MS) })
        link = { stream, lp: lpStream(stream, { maxDataLength: MAX_BEAT_FRAME_BYTES }), busy: false, busySinceMs: 0 }
        this.links.set(peer, link)
      } catch (err) {
        this.log.trace('cannot open beat stream to %s: %e', peer, err)
        return false
      } finally {
        this.opening.delete(peer)
      }
    }
    if (link.busy) {
      // A write that has hung this long will not finish: the link is stuck, and the next beat opens a new one.
      if (performance.now() - link.busySinceMs > OPEN_TIMEOUT_MS) this.close(peer)
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
 * stream when that write takes over OPEN_TIMEOUT_MS, so a frame still incomplete twice that long after it began
 * is not coming; slower heartbeat settings (slower networks) get four intervals. Counted as `stalled`.
 *
 * `idleMs`, for a stream with no frame in progress: a sender beats every `heartbeatInterval` to each observer,
 * so a long-silent stream is one whose sender stopped observing us (the ring changed) or stopped altogether.
 * An idle stream is cheap to keep and closing an honest one costs its sender a reopen (BeatLinks.send), so the
 * bound is long: many beats missed in a row, and never under ten seconds. Not counted: an honest ring change
 * looks the same.
 */
export function inboundBeatBounds (heartbeatIntervalMs: number): { frameMs: number, idleMs: number } {
  return {
    frameMs: Math.max(4 * heartbeatIntervalMs, 2 * OPEN_TIMEOUT_MS),
    idleMs: Math.max(20 * heartbeatIntervalMs, 10_000)
  }
}

/** An inbound beat stream and its progress. */
interface Inbound {
  readonly from: string
  readonly stream: Stream
  /** Bytes received, and bytes of the frames read whole: more received than read is a frame in progress. */
  received: number
  read: number
  /** When the frame in progress began; with none, when the last one ended (or the stream opened). */
  sinceMs: number
}

/**
 * Reads inbound beat streams and closes those that stop making progress. A sweep from the network's periodic
 * maintenance checks them all, instead of a timeout signal per read: a node reads ~10 beats a second, and each
 * signal costs a timer (and an exception when it fires), while this costs a counter and a clock read per chunk.
 */
export class InboundBeats {
  private readonly streams = new Set<Inbound>()

  constructor (
    private readonly bounds: { frameMs: number, idleMs: number },
    private readonly onBatch: (batch: Uint8Array, from: string) => void,
    private readonly onStalled: (from: string, detail: string) => void,
    private readonly log: Logger
  ) {}

  /** Reads beat batches from a stream until it ends or is closed by a sweep. Never throws. */
  async read (stream: Stream, from: string): Promise<void> {
    const inbound: Inbound = { from, stream, received: 0, read: 0, sinceMs: performance.now() }
    this.streams.add(inbound)
    const lp = lpStream({ sink: stream.sink, source: counted(stream.source, inbound) }, { maxDataLength: MAX_BEAT_FRAME_BYTES })
    try {
      for (;;) {
        const frame = await lp.read()
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
    }
  }

  /** Closes every stream whose frame in progress or whose silence has outlasted its bound. */
  sweep (nowMs: number): void {
    for (const inbound of this.streams) {
      const ageMs = nowMs - inbound.sinceMs
      const stalled = inbound.received > inbound.read
      if (ageMs <= (stalled ? this.bounds.frameMs : this.bounds.idleMs)) continue
      // Forgotten now, not when its reader ends (a little later): the next sweep must not count it again.
      this.streams.delete(inbound)
      if (stalled) this.onStalled(inbound.from, `beat frame unfinished after ${Math.round(ageMs)} ms`)
      inbound.stream.abort(new Error(stalled ? 'beat frame stalled' : 'beat stream idle'))
    }
  }
}

/** Passes a stream's chunks through, noting when a frame begins and how many bytes arrived. */
async function * counted (source: Stream['source'], inbound: Inbound): AsyncGenerator<Uint8ArrayList> {
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
