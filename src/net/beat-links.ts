/**
 * Heartbeat transport: one long-lived outbound stream per observer carrying length-prefixed beats, and a reader
 * for inbound streams. Beats are perishable: if a stream is still busy with the previous beat, the new one for it
 * is dropped instead of queued (the next one supersedes it anyway).
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { lpStream, type LengthPrefixedStream } from 'it-length-prefixed-stream'
import type { Logger, PeerId, Stream } from '@libp2p/interface'
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr'
import type { RegistryLibp2p } from './node.js'
import { MAX_BEAT_FRAME_BYTES } from './protocols.js'

/** How long opening a beat stream may take before the batch is dropped. */
const OPEN_TIMEOUT_MS = 2_000

interface Link {
  stream: Stream
  lp: LengthPrefixedStream<Stream>
  busy: boolean
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
    if (link === undefined) {
      this.opening.add(peer)
      try {
        const stream = await this.node.dialProtocol(dialTarget(this.node, peer, addrs), this.protocol, { signal: AbortSignal.timeout(OPEN_TIMEOUT_MS) })
        link = { stream, lp: lpStream(stream, { maxDataLength: MAX_BEAT_FRAME_BYTES }), busy: false }
        this.links.set(peer, link)
      } catch (err) {
        this.log.trace('cannot open beat stream to %s: %e', peer, err)
        return false
      } finally {
        this.opening.delete(peer)
      }
    }
    if (link.busy) return false
    link.busy = true
    try {
      await link.lp.write(batch, { signal: AbortSignal.timeout(OPEN_TIMEOUT_MS) })
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

/** Reads beat batches from an inbound stream until it ends, handing each to `onBatch`. Never throws. */
export async function readBeatStream (stream: Stream, onBatch: (bytes: Uint8Array) => void, log: Logger): Promise<void> {
  const lp = lpStream(stream, { maxDataLength: MAX_BEAT_FRAME_BYTES })
  try {
    for (;;) {
      const frame = await lp.read()
      onBatch(frame.subarray())
    }
  } catch (err) {
    // The normal end of a link is an end-of-stream here; an oversized frame also lands here and ends it.
    log.trace('beat stream ended: %e', err)
    stream.abort(err as Error)
  }
}
