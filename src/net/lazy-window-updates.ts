/**
 * Yamux window updates when half the window is used, as Go's yamux and js-yamux 8 send them, instead of after
 * every data frame read, as js-yamux 7 (the one libp2p 2 takes) does. Every gossip copy, beat frame and sync
 * message is a small data frame, so the receiver answered each with a second frame: a second noise encryption and
 * socket write each way, about half of what a delivered record costs on loopback (docs/performance.md, "What one
 * delivered record costs"). The window itself is unchanged (256 KB a stream): the sender still never sends more
 * than it was granted, and gets the rest back once the receiver has read half of it.
 *
 * It reaches into yamux 7's muxer and stream (a method and fields that its types mark private): only the streams of
 * this node's muxers change, not the class, so an application that embeds the registry beside a libp2p node of
 * its own keeps that node's yamux as it was. Remove it with the move to libp2p 3 (js-yamux 8).
 */
import { StreamState } from '@chainsafe/libp2p-yamux/stream'
import type { StreamMuxerFactory } from '@libp2p/interface'
import { hookMuxers } from './muxer-hooks.js'

/** What this file touches of a yamux 7 stream. */
interface YamuxStreamInternals {
  sendWindowUpdate: () => void
  state: StreamState
  recvWindow: number
  recvWindowCapacity: number
}

/** What this file touches of a yamux 7 muxer. */
interface YamuxMuxerInternals {
  _newStream: (...args: unknown[]) => YamuxStreamInternals
}

/** Wraps a yamux factory (`yamux()`) so that its streams update the window when half of it is used. */
export function lazyWindowUpdates<Components> (factory: (components: Components) => StreamMuxerFactory): (components: Components) => StreamMuxerFactory {
  return hookMuxers(factory, (muxer) => {
    const internals = muxer as unknown as YamuxMuxerInternals
    const newStream = internals._newStream
    internals._newStream = function (this: unknown, ...args: unknown[]) {
      const stream = newStream.apply(this, args)
      const update = stream.sendWindowUpdate
      stream.sendWindowUpdate = function (this: YamuxStreamInternals) {
        // A stream's first update opens or accepts it (its SYN or ACK flag): it always goes. The state, not
        // yamux's getSendFlags, which moves the stream on to its next state when asked.
        const opening = this.state === StreamState.Init || this.state === StreamState.SYNReceived
        if (!opening && this.recvWindowCapacity > this.recvWindow / 2) return
        update.call(this)
      }
      return stream
    }
  })
}
