/**
 * Gossipsub frames that fit the receiver's bound. Gossipsub 14 writes each RPC as one frame however large (a
 * heartbeat's IHAVE ids, an IWANT's answers), and a reader over its frame bound drops the sender's streams while
 * the connection stays up; Go and Rust gossipsub split RPCs to fit (fragmentRPC), and so does this module.
 */
import type { GossipSub, GossipSubComponents, GossipsubEvents } from '@chainsafe/libp2p-gossipsub'
import { RPC } from '@chainsafe/libp2p-gossipsub/message'
import type { PubSub } from '@libp2p/interface'

/** Upper bound of the tag and length of a length-delimited protobuf field (a length needs at most 5 bytes). */
const FIELD_HEADER_BYTES = 6

/** The exact size of a length-delimited protobuf field (tag, length, body) whose body is `length` bytes. */
function fieldBytes (length: number): number {
  let lengthBytes = 1
  for (let rest = length; rest >= 0x80; rest = Math.floor(rest / 0x80)) lengthBytes++
  return 1 + lengthBytes + length
}

/** Fills RPCs up to a byte bound, starting another when the next entry would not fit. */
class RpcPacker {
  readonly parts: RPC[] = []
  private part: RPC = { subscriptions: [], messages: [] }
  // Room for the control field's own header is kept in every part, whether it gets one or not.
  private used = FIELD_HEADER_BYTES

  constructor (private readonly maxBytes: number) {}

  fits (bytes: number): boolean {
    return this.used + bytes <= this.maxBytes
  }

  /** The part that takes `bytes` more: the current one, or a new one if they do not fit and it holds anything. */
  take (bytes: number): RPC {
    if (!this.fits(bytes) && this.used > FIELD_HEADER_BYTES) {
      this.parts.push(this.part)
      this.part = { subscriptions: [], messages: [] }
      this.used = FIELD_HEADER_BYTES
    }
    this.used += bytes
    return this.part
  }

  control (part: RPC): RPC.ControlMessage {
    part.control ??= { ihave: [], iwant: [], graft: [], prune: [], idontwant: [] }
    return part.control
  }

  /** Packs a list of message ids as entries of at most one part each; `add` files an entry (with `headerBytes` of its own). */
  ids (ids: readonly Uint8Array[], headerBytes: number, add: (part: RPC, ids: Uint8Array[]) => void): void {
    let run: Uint8Array[] | undefined
    for (const id of ids) {
      const bytes = fieldBytes(id.length)
      if (run === undefined || !this.fits(bytes)) {
        run = []
        add(this.take(FIELD_HEADER_BYTES + headerBytes + bytes), run)
      } else {
        this.take(bytes)
      }
      run.push(id)
    }
    if (run === undefined) add(this.take(FIELD_HEADER_BYTES + headerBytes), [])
  }

  done (): RPC[] {
    if (this.used > FIELD_HEADER_BYTES) this.parts.push(this.part)
    return this.parts
  }
}

/**
 * Splits a gossipsub RPC into RPCs that each encode to at most `maxBytes`, keeping every subscription, message
 * and control entry; message id lists are cut into runs. A message larger than `maxBytes` alone still goes, in a
 * part of its own: it cannot be cut, and this node never has one (gossipFrameBytes holds the largest record).
 */
export function splitRpc (rpc: RPC, maxBytes: number): RPC[] {
  const packer = new RpcPacker(maxBytes)
  for (const sub of rpc.subscriptions) packer.take(fieldBytes(RPC.SubOpts.encode(sub).length)).subscriptions.push(sub)
  for (const message of rpc.messages) packer.take(fieldBytes(RPC.Message.encode(message).length)).messages.push(message)
  const control = rpc.control
  if (control === undefined) return packer.done()
  for (const graft of control.graft) packer.control(packer.take(fieldBytes(RPC.ControlGraft.encode(graft).length))).graft.push(graft)
  for (const prune of control.prune) packer.control(packer.take(fieldBytes(RPC.ControlPrune.encode(prune).length))).prune.push(prune)
  for (const { topicID, messageIDs } of control.ihave) {
    const topicBytes = topicID === undefined ? 0 : fieldBytes(new TextEncoder().encode(topicID).length)
    packer.ids(messageIDs, topicBytes, (part, ids) => { packer.control(part).ihave.push({ topicID, messageIDs: ids }) })
  }
  for (const { messageIDs } of control.iwant) packer.ids(messageIDs, 0, (part, ids) => { packer.control(part).iwant.push({ messageIDs: ids }) })
  for (const { messageIDs } of control.idontwant) packer.ids(messageIDs, 0, (part, ids) => { packer.control(part).idontwant.push({ messageIDs: ids }) })
  return packer.done()
}

/**
 * Gossipsub 14 writes each RPC as one frame however large (a heartbeat's IHAVE ids, an IWANT's answers), and a
 * reader over its frame bound drops the sender's streams while the connection stays up. Go and Rust gossipsub
 * split RPCs to fit (fragmentRPC); this does the same in every outbound stream gossipsub opens. Only RPCs over
 * the bound are decoded again. The batched path (`pushPrefixed`) carries single-id IDONTWANTs only here
 * (`batchPublish` is off).
 */
export function splittingFrames (create: (components: GossipSubComponents) => PubSub<GossipsubEvents>, maxBytes: number): (components: GossipSubComponents) => PubSub<GossipsubEvents> {
  return (components) => {
    const pubsub = create(components)
    const streams = (pubsub as GossipSub).streamsOutbound
    const set = streams.set.bind(streams)
    streams.set = (peer, stream) => {
      const push = stream.push.bind(stream)
      stream.push = (rpcBytes) => {
        if (rpcBytes.length <= maxBytes) return push(rpcBytes)
        for (const part of splitRpc(RPC.decode(rpcBytes), maxBytes)) push(RPC.encode(part))
      }
      return set(peer, stream)
    }
    return pubsub
  }
}
