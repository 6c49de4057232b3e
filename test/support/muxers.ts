/**
 * Two muxers of one factory wired to each other in memory, for tests of what a muxer writes: the server reads
 * every stream the client opens to its end, and each direction can be watched chunk by chunk on its way.
 */
import type { Stream, StreamMuxer, StreamMuxerFactory } from '@libp2p/interface'
import { Uint8ArrayList } from 'uint8arraylist'

type Chunk = Uint8Array | Uint8ArrayList

/** Passes `source` on unchanged, showing each chunk to `see` first. */
async function * watched (source: AsyncIterable<Chunk>, see: (chunk: Chunk) => void): AsyncGenerator<Chunk> {
  for await (const chunk of source) {
    see(chunk)
    yield chunk
  }
}

export interface ConnectedMuxers {
  readonly client: StreamMuxer
  readonly server: StreamMuxer
  /** Per stream the server accepted, in the order it did: everything it read until the stream ended. */
  readonly reading: Array<Promise<Uint8Array>>
}

/** A client muxer connected to a server muxer; `fromClient` and `fromServer` see each chunk each one sends. */
export function connectedMuxers (factory: StreamMuxerFactory, watch: { fromClient?: (chunk: Chunk) => void, fromServer?: (chunk: Chunk) => void } = {}): ConnectedMuxers {
  const reading: Array<Promise<Uint8Array>> = []
  const server = factory.createStreamMuxer({
    direction: 'inbound',
    onIncomingStream: (stream: Stream) => {
      reading.push((async () => {
        const all = new Uint8ArrayList()
        for await (const chunk of stream.source) all.append(chunk)
        return all.subarray()
      })())
    }
  })
  const client = factory.createStreamMuxer({ direction: 'outbound' })
  void server.sink(watch.fromClient === undefined ? client.source : watched(client.source, watch.fromClient))
  void client.sink(watch.fromServer === undefined ? server.source : watched(server.source, watch.fromServer))
  return { client, server, reading }
}
