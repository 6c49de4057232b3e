/**
 * Converts between the wire messages of wire.proto and the core's types. Decoding is total: malformed or
 * hostile bytes give `undefined` (or skip the bad element), never an exception past this module.
 */
import type { Hlc } from '../clock/hlc.js'
import type { OwnBeat } from '../engine/own-beats.js'
import type { OwnerDigest } from '../table/digest.js'
import type { DigestMessage, SummaryMessage, WantMessage } from '../sync/session.js'
import { peerIdFromBytes, peerIdToBytes } from './peer-ids.js'
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

/** Encodes one sync frame. */
export function encodeSyncFrame (message: SyncMessage): Uint8Array {
  const frame: SyncFrame = { type: SyncFrame.Type.DIGEST, partial: false, digests: [], summaries: [], wants: [], records: [], rootFingerprint: new Uint8Array(0), rootCount: 0, needDigest: false }
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
export function decodeSyncFrame (bytes: Uint8Array): SyncMessage | undefined {
  let frame: SyncFrame
  try {
    frame = SyncFrame.decode(bytes)
  } catch {
    return undefined
  }
  try {
    switch (frame.type) {
      case SyncFrame.Type.DIGEST: {
        const owners = frame.digests.map(toDigest)
        if (frame.rootFingerprint.length === 0) return { type: 'digest', partial: frame.partial, owners }
        return { type: 'digest', partial: frame.partial, owners, root: { fingerprint: frame.rootFingerprint.slice(), count: frame.rootCount } }
      }
      case SyncFrame.Type.SUMMARY:
        return {
          type: 'summary',
          ...(frame.needDigest && { needDigest: true }),
          owners: frame.summaries.map((o) => ({
            owner: owner(o.owner),
            entries: o.entries.map((e) => ({ id: e.id, stamp: stamp(e.stamp), deleted: e.deleted, hash: e.hash }))
          }))
        }
      case SyncFrame.Type.WANT:
        return { type: 'want', owners: frame.wants.map((o) => ({ owner: owner(o.owner), ids: o.ids })) }
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
