/**
 * Changes to the muxers one factory makes, without touching the muxer class: an application that embeds the
 * registry beside a libp2p node of its own keeps that node's muxers as they were.
 */
import type { StreamMuxer, StreamMuxerFactory, StreamMuxerInit } from '@libp2p/interface'

/** Wraps a muxer factory so that `hook` sees, and may change, each muxer it creates. */
export function hookMuxers<Components> (factory: (components: Components) => StreamMuxerFactory, hook: (muxer: StreamMuxer) => void): (components: Components) => StreamMuxerFactory {
  return (components) => {
    const inner = factory(components)
    // The prototype keeps the protocol id and the capabilities libp2p reads off the factory.
    const wrapped: StreamMuxerFactory = Object.create(inner)
    wrapped.createStreamMuxer = (init?: StreamMuxerInit): StreamMuxer => {
      const muxer = inner.createStreamMuxer(init)
      hook(muxer)
      return muxer
    }
    return wrapped
  }
}
