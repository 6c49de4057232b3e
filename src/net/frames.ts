/**
 * Converts between the wire messages of wire.proto and the core's types, and splits a sync message too large
 * for one frame into several (and joins them again). Decoding is total: malformed or hostile bytes give
 * `undefined` (or skip the bad element), never an exception past this module.
 */
import type { Hlc } from '../clock/hlc.js'
import type { OwnBeat } from '../engine/own-beats.js'
import type { OwnerDigest } from '../table/digest.js'
import type { DigestMessage, EntrySummary, SummaryMessage, WantMessage } from '../sync/session.js'
import { peerIdFromBytes, peerIdToBytes } from './peer-ids.js'
import { MAX_SYNC_FRAME_BYTES } from './protocols.js'
import { OwnBeat as OwnBeatFrame, SyncFrame, type Stamp } from './wire.pb.js'

/** Encodes a member's own beat for one of its observers. */
export function encodeOwnBeat (beat: OwnBeat): Uint8Array {
  return OwnBeatFrame.encode({
    chainId: beat.chainId,
    seq: beat.seq,
    proof: beat.proof,
    recordsWall: BigInt(beat.recordsStamp.wall),
    recordsLogical: beat.recordsStamp.logical
  })
}

/** Decodes a beat from the member at the other end of the stream, or undefined if it is malformed. */
export function decodeOwnBeat (bytes: Uint8Array): OwnBeat | undefined {
  let frame: OwnBeatFrame
  try {
    frame = OwnBeatFrame.decode(bytes)
  } catch {
    return undefined
  }
  const recordsStamp = toHlc({ wall: frame.recordsWall, logical: frame.recordsLogical })
  if (recordsStamp === undefined) return undefined
  return { chainId: frame.chainId, seq: frame.seq, proof: frame.proof, recordsStamp }
}

/** A decoded frame of the sync protocol. */
export type SyncMessage =
  | DigestMessage
  | SummaryMessage
  | WantMessage
  | { readonly type: 'records', readonly envelopes: Uint8Array[] }
  | { readonly type: 'done' }

/**
 * One frame: a whole message, or (`more`) a part of a digest, summary or want that the next frame continues.
 * Records need no `more`: they are a stream that DONE ends.
 */
export type SyncFrameContent = SyncMessage & { readonly more?: true }

/** Encodes one sync frame, whatever its size (`encodeSyncMessage` keeps to the frame limit). */
export function encodeSyncFrame (message: SyncFrameContent): Uint8Array {
  const frame: SyncFrame = { type: SyncFrame.Type.DIGEST, partial: false, digests: [], summaries: [], wants: [], records: [], rootFingerprint: new Uint8Array(0), rootCount: 0, needDigest: false, more: message.more === true }
  switch (message.type) {
    case 'digest':
      frame.partial = message.partial
      frame.digests = message.owners.map((d) => ({ owner: peerIdToBytes(d.owner), fingerprint: d.fingerprint, count: d.count, maxStamp: fromHlc(d.maxStamp) }))
      if (message.root !== undefined) {
        frame.rootFingerprint = message.root.fingerprint
        frame.rootCount = message.root.count
      }
      break
    case 'summary':
      frame.type = SyncFrame.Type.SUMMARY
      frame.needDigest = message.needDigest === true
      frame.summaries = message.owners.map((o) => ({
        owner: peerIdToBytes(o.owner),
        entries: o.entries.map((e) => ({ id: e.id, stamp: fromHlc(e.stamp), deleted: e.deleted, hash: e.hash }))
      }))
      break
    case 'want':
      frame.type = SyncFrame.Type.WANT
      frame.wants = message.owners.map((o) => ({ owner: peerIdToBytes(o.owner), ids: [...o.ids] }))
      break
    case 'records':
      frame.type = SyncFrame.Type.RECORDS
      frame.records = message.envelopes
      break
    case 'done':
      frame.type = SyncFrame.Type.DONE
      break
  }
  return SyncFrame.encode(frame)
}

/** Decodes one sync frame, or undefined if it is malformed anywhere. */
export function decodeSyncFrame (bytes: Uint8Array): SyncFrameContent | undefined {
  let frame: SyncFrame
  try {
    frame = SyncFrame.decode(bytes)
  } catch {
    return undefined
  }
  const more = frame.more && { more: true as const }
  try {
    switch (frame.type) {
      case SyncFrame.Type.DIGEST: {
        const owners = frame.digests.map(toDigest)
        if (frame.rootFingerprint.length === 0) return { type: 'digest', partial: frame.partial, owners, ...more }
        return { type: 'digest', partial: frame.partial, owners, root: { fingerprint: frame.rootFingerprint.slice(), count: frame.rootCount }, ...more }
      }
      case SyncFrame.Type.SUMMARY:
        return {
          type: 'summary',
          ...(frame.needDigest && { needDigest: true }),
          owners: frame.summaries.map((o) => ({
            owner: owner(o.owner),
            entries: o.entries.map((e) => ({ id: e.id, stamp: stamp(e.stamp), deleted: e.deleted, hash: e.hash }))
          })),
          ...more
        }
      case SyncFrame.Type.WANT:
        return { type: 'want', owners: frame.wants.map((o) => ({ owner: owner(o.owner), ids: o.ids })), ...more }
      case SyncFrame.Type.RECORDS:
        return { type: 'records', envelopes: frame.records }
      case SyncFrame.Type.DONE:
        return { type: 'done' }
      default:
        return undefined
    }
  } catch {
    return undefined
  }
}

/**
 * Room in a frame for its own fields (type, flags, root) beside the owners it lists. The sizes below are upper
 * bounds of each element's protobuf encoding (tags, length prefixes, varints at their longest), so a frame never
 * exceeds its limit; with real stamps and counts it is filled to three quarters or more.
 */
const FRAME_FIELDS_BYTES = 64
/** An owner digest beside its owner and fingerprint bytes: count (6), stamp (19), their tags and lengths (7). */
const DIGEST_BYTES = 32
/** An owner's group in a summary or want beside the owner bytes: its tag and length (4), the owner's (2), spare. */
const GROUP_BYTES = 8
/** An entry summary beside its id and hash bytes: stamp (19), deleted (2), tags and lengths (10), spare. */
const ENTRY_BYTES = 32
/** An id in a want beside its bytes: tag and length. */
const ID_BYTES = 4

/**
 * Encodes a message as frames of at most `maxFrameBytes`, each but the last marked `more`; `joinSyncParts` of
 * their decodings gives the message back. A message that fits is one frame, the same bytes as before frames
 * could be split, so nodes that cannot join still understand it. Only an element larger than a frame by itself
 * would make a frame over the limit, and none is: ids are at most 64 characters, owners and hashes fixed.
 */
export function encodeSyncMessage (message: SyncMessage, maxFrameBytes = MAX_SYNC_FRAME_BYTES): Uint8Array[] {
  const budget = maxFrameBytes - FRAME_FIELDS_BYTES
  let parts: SyncMessage[]
  switch (message.type) {
    case 'digest':
      parts = packDigests(message.owners, budget).map((owners) => ({ ...message, owners }))
      break
    case 'summary': {
      const entryBytes = (e: EntrySummary): number => utf8Bytes(e.id) + e.hash.length + ENTRY_BYTES
      parts = packGroups(message.owners.map((o) => ({ owner: o.owner, items: o.entries })), entryBytes, budget)
        .map((groups) => ({ ...message, owners: groups.map((g) => ({ owner: g.owner, entries: g.items })) }))
      break
    }
    case 'want':
      parts = packGroups(message.owners.map((o) => ({ owner: o.owner, items: o.ids })), (id) => utf8Bytes(id) + ID_BYTES, budget)
        .map((groups) => ({ ...message, owners: groups.map((g) => ({ owner: g.owner, ids: g.items })) }))
      break
    default:
      parts = [message]
  }
  return parts.map((part, i) => encodeSyncFrame(i < parts.length - 1 ? { ...part, more: true } : part))
}

/**
 * The message whose frames decoded to `parts` (in order, all of one type): their owners in order, an owner cut
 * between two frames made whole again. The rest (partial, root, needDigest) comes from the first part.
 */
export function joinSyncParts (parts: readonly [SyncFrameContent, ...SyncFrameContent[]]): SyncMessage {
  const [first] = parts
  const { more: _, ...head } = first
  if (parts.length === 1) return head
  switch (head.type) {
    case 'digest':
      return { ...head, owners: parts.flatMap((part) => part.type === 'digest' ? part.owners : []) }
    case 'summary': {
      const groups = joinGroups(parts.map((part) => part.type === 'summary' ? part.owners.map((o) => ({ owner: o.owner, items: o.entries })) : []))
      return { ...head, owners: groups.map((g) => ({ owner: g.owner, entries: g.items })) }
    }
    case 'want': {
      const groups = joinGroups(parts.map((part) => part.type === 'want' ? part.owners.map((o) => ({ owner: o.owner, items: o.ids })) : []))
      return { ...head, owners: groups.map((g) => ({ owner: g.owner, ids: g.items })) }
    }
    default:
      return head
  }
}

interface Group<T> {
  readonly owner: string
  readonly items: readonly T[]
}

function packDigests (digests: readonly OwnerDigest[], budget: number): OwnerDigest[][] {
  const frames: OwnerDigest[][] = [[]]
  let used = 0
  for (const digest of digests) {
    const size = peerIdToBytes(digest.owner).length + digest.fingerprint.length + DIGEST_BYTES
    if (used > 0 && used + size > budget) {
      frames.push([])
      used = 0
    }
    frames.at(-1)!.push(digest)
    used += size
  }
  return frames
}

/** Packs owners' groups into frames, cutting a group that does not fit between two frames (it is joined again). */
function packGroups<T> (groups: ReadonlyArray<Group<T>>, itemSize: (item: T) => number, budget: number): Array<Array<Group<T>>> {
  const frames: Array<Array<{ owner: string, items: T[] }>> = [[]]
  let used = 0
  const open = (owner: string): { owner: string, items: T[] } => {
    const group = { owner, items: [] }
    frames.at(-1)!.push(group)
    return group
  }
  for (const { owner, items } of groups) {
    const head = peerIdToBytes(owner).length + GROUP_BYTES
    // An owner starts where at least its first item fits beside it.
    if (used > 0 && used + head + (items.length > 0 ? itemSize(items[0]!) : 0) > budget) {
      frames.push([])
      used = 0
    }
    let group = open(owner)
    used += head
    for (const item of items) {
      const size = itemSize(item)
      if (group.items.length > 0 && used + size > budget) {
        frames.push([])
        group = open(owner)
        used = head
      }
      group.items.push(item)
      used += size
    }
  }
  return frames
}

function joinGroups<T> (parts: ReadonlyArray<ReadonlyArray<Group<T>>>): Array<Group<T>> {
  const joined: Array<{ owner: string, items: T[] }> = []
  for (const groups of parts) {
    groups.forEach(({ owner, items }, i) => {
      const last = joined.at(-1)
      // Only the first owner of a frame can continue the last of the previous one: that is where a cut falls.
      if (i === 0 && last?.owner === owner) for (const item of items) last.items.push(item)
      else joined.push({ owner, items: [...items] })
    })
  }
  return joined
}

function utf8Bytes (text: string): number {
  return Buffer.byteLength(text, 'utf8')
}

function toDigest (d: { owner: Uint8Array, fingerprint: Uint8Array, count: number, maxStamp?: Stamp }): OwnerDigest {
  return { owner: owner(d.owner), fingerprint: d.fingerprint, count: d.count, maxStamp: stamp(d.maxStamp) }
}

function owner (bytes: Uint8Array): string {
  const id = peerIdFromBytes(bytes)
  if (id === undefined) throw new Error('malformed peer id')
  return id
}

function stamp (value: Stamp | undefined): Hlc {
  const hlc = value === undefined ? undefined : toHlc(value)
  if (hlc === undefined) throw new Error('malformed stamp')
  return hlc
}

function toHlc (value: Stamp): Hlc | undefined {
  if (value.wall > BigInt(Number.MAX_SAFE_INTEGER)) return undefined
  return { wall: Number(value.wall), logical: value.logical }
}

function fromHlc (hlc: Hlc): Stamp {
  return { wall: BigInt(hlc.wall), logical: hlc.logical }
}
