/**
 * One write per connection per turn of the event loop. A yamux muxer hands each frame to its connection as a chunk
 * of its own, and every chunk is noise-encrypted and written to the socket alone: a turn that forwards ten gossip
 * copies, or answers ten beats, pays ten encryptions and ten system calls on this side and ten decryptions and
 * reads on the other. Here the frames a muxer sends during one turn go out as one chunk when the turn ends (at
 * `setImmediate`), so they share one encryption (up to noise's 64 KB message) and one write; the peer still reads
 * the same frames in the same order.
 *
 * An idle node's frames wait only for the rest of the turn that made them; a busy node's turns are longer and carry
 * more, so the saving grows with the load, like Nagle's algorithm without its delay (docs/performance.md,
 * "Frames coalesced per turn").
 *
 * Like lazyWindowUpdates, it reaches into yamux 7's muxer (its `source`, a pushable its types mark private) and
 * changes only this node's muxers.
 */
import type { StreamMuxerFactory } from '@libp2p/interface'
import { Uint8ArrayList } from 'uint8arraylist'
import { hookMuxers } from './muxer-hooks.js'

type Chunk = Uint8Array | Uint8ArrayList

/** What this file touches of an it-pushable queue (yamux's `source`). */
export interface ChunkQueue {
  push: (chunk: Chunk) => unknown
  end: (err?: Error) => unknown
}

/** What this file touches of a yamux 7 muxer: the queue its frames go out through. */
interface YamuxMuxerInternals {
  source: ChunkQueue
}

/**
 * Makes `pushable` collect what is pushed during a turn and pass it on as one chunk at the turn's end. Ending it
 * passes on what was collected first, so a muxer's last frames (a stream's close, a GoAway) still go out.
 */
export function coalesceTurns (pushable: ChunkQueue): { flush: () => void } {
  const push = pushable.push.bind(pushable)
  const end = pushable.end.bind(pushable)
  let pending: Chunk[] = []
  const flush = (): void => {
    if (pending.length === 0) return
    const chunks = pending
    pending = []
    push(chunks.length === 1 ? chunks[0]! : new Uint8ArrayList(...chunks))
  }
  pushable.push = (chunk: Chunk) => {
    pending.push(chunk)
    if (pending.length === 1) setImmediate(flush)
    return pushable
  }
  pushable.end = (err?: Error) => {
    flush()
    return end(err)
  }
  return { flush }
}

/** Wraps a muxer factory (`yamux()`) so that each of its muxers writes once per turn. */
export function coalescedWrites<Components> (factory: (components: Components) => StreamMuxerFactory): (components: Components) => StreamMuxerFactory {
  return hookMuxers(factory, (muxer) => {
    const queue = coalesceTurns((muxer as unknown as YamuxMuxerInternals).source)
    // libp2p closes a connection by closing its muxer and then, at once, its socket (`socket.end()`), and a
    // chunk still on its way through noise to the socket is lost. Frames sent just before (a leave notice, a
    // record pushed to a peer being hung up on) would otherwise be in the chunk passed on only as the muxer
    // ends: they leave as the close starts, ahead of the streams' closing frames. (Waiting a turn here as well
    // kept closing connections for a whole turn, seconds under load, and cost false deaths at the soak's load.)
    const close = muxer.close.bind(muxer)
    muxer.close = async (options) => {
      queue.flush()
      await close(options)
    }
  })
}
