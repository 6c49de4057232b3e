/* eslint-disable import/export */
/* eslint-disable complexity */
/* eslint-disable @typescript-eslint/no-namespace */
/* eslint-disable @typescript-eslint/no-unnecessary-boolean-literal-compare */
/* eslint-disable @typescript-eslint/no-empty-interface */
/* eslint-disable import/consistent-type-specifier-style */
/* eslint-disable @typescript-eslint/no-unused-vars */

import { decodeMessage, encodeMessage, enumeration, MaxLengthError, message } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface OwnBeat {
  chainId: number
  seq: number
  proof: Uint8Array
  recordsWall: bigint
  recordsLogical: number
}

export namespace OwnBeat {
  let _codec: Codec<OwnBeat>

  export const codec = (): Codec<OwnBeat> => {
    if (_codec == null) {
      _codec = message<OwnBeat>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.chainId != null && obj.chainId !== 0)) {
          w.uint32(8)
          w.uint32(obj.chainId)
        }

        if ((obj.seq != null && obj.seq !== 0)) {
          w.uint32(16)
          w.uint32(obj.seq)
        }

        if ((obj.proof != null && obj.proof.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.proof)
        }

        if ((obj.recordsWall != null && obj.recordsWall !== 0n)) {
          w.uint32(32)
          w.uint64(obj.recordsWall)
        }

        if ((obj.recordsLogical != null && obj.recordsLogical !== 0)) {
          w.uint32(40)
          w.uint32(obj.recordsLogical)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          chainId: 0,
          seq: 0,
          proof: uint8ArrayAlloc(0),
          recordsWall: 0n,
          recordsLogical: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.chainId = reader.uint32()
              break
            }
            case 2: {
              obj.seq = reader.uint32()
              break
            }
            case 3: {
              obj.proof = reader.bytes()
              break
            }
            case 4: {
              obj.recordsWall = reader.uint64()
              break
            }
            case 5: {
              obj.recordsLogical = reader.uint32()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      })
    }

    return _codec
  }

  export const encode = (obj: Partial<OwnBeat>): Uint8Array => {
    return encodeMessage(obj, OwnBeat.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<OwnBeat>): OwnBeat => {
    return decodeMessage(buf, OwnBeat.codec(), opts)
  }
}

export interface Stamp {
  wall: bigint
  logical: number
}

export namespace Stamp {
  let _codec: Codec<Stamp>

  export const codec = (): Codec<Stamp> => {
    if (_codec == null) {
      _codec = message<Stamp>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.wall != null && obj.wall !== 0n)) {
          w.uint32(8)
          w.uint64(obj.wall)
        }

        if ((obj.logical != null && obj.logical !== 0)) {
          w.uint32(16)
          w.uint32(obj.logical)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          wall: 0n,
          logical: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.wall = reader.uint64()
              break
            }
            case 2: {
              obj.logical = reader.uint32()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      })
    }

    return _codec
  }

  export const encode = (obj: Partial<Stamp>): Uint8Array => {
    return encodeMessage(obj, Stamp.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<Stamp>): Stamp => {
    return decodeMessage(buf, Stamp.codec(), opts)
  }
}

export interface OwnerDigest {
  owner: Uint8Array
  fingerprint: Uint8Array
  count: number
  maxStamp?: Stamp
}

export namespace OwnerDigest {
  let _codec: Codec<OwnerDigest>

  export const codec = (): Codec<OwnerDigest> => {
    if (_codec == null) {
      _codec = message<OwnerDigest>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.owner != null && obj.owner.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.owner)
        }

        if ((obj.fingerprint != null && obj.fingerprint.byteLength > 0)) {
          w.uint32(18)
          w.bytes(obj.fingerprint)
        }

        if ((obj.count != null && obj.count !== 0)) {
          w.uint32(24)
          w.uint32(obj.count)
        }

        if (obj.maxStamp != null) {
          w.uint32(34)
          Stamp.codec().encode(obj.maxStamp, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          owner: uint8ArrayAlloc(0),
          fingerprint: uint8ArrayAlloc(0),
          count: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.owner = reader.bytes()
              break
            }
            case 2: {
              obj.fingerprint = reader.bytes()
              break
            }
            case 3: {
              obj.count = reader.uint32()
              break
            }
            case 4: {
              obj.maxStamp = Stamp.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.maxStamp
              })
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      })
    }

    return _codec
  }

  export const encode = (obj: Partial<OwnerDigest>): Uint8Array => {
    return encodeMessage(obj, OwnerDigest.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<OwnerDigest>): OwnerDigest => {
    return decodeMessage(buf, OwnerDigest.codec(), opts)
  }
}

export interface EntrySummary {
  id: string
  stamp?: Stamp
  deleted: boolean
  hash: Uint8Array
}

export namespace EntrySummary {
  let _codec: Codec<EntrySummary>

  export const codec = (): Codec<EntrySummary> => {
    if (_codec == null) {
      _codec = message<EntrySummary>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.id != null && obj.id !== '')) {
          w.uint32(10)
          w.string(obj.id)
        }

        if (obj.stamp != null) {
          w.uint32(18)
          Stamp.codec().encode(obj.stamp, w)
        }

        if ((obj.deleted != null && obj.deleted !== false)) {
          w.uint32(24)
          w.bool(obj.deleted)
        }

        if ((obj.hash != null && obj.hash.byteLength > 0)) {
          w.uint32(34)
          w.bytes(obj.hash)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          id: '',
          deleted: false,
          hash: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.id = reader.string()
              break
            }
            case 2: {
              obj.stamp = Stamp.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.stamp
              })
              break
            }
            case 3: {
              obj.deleted = reader.bool()
              break
            }
            case 4: {
              obj.hash = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      })
    }

    return _codec
  }

  export const encode = (obj: Partial<EntrySummary>): Uint8Array => {
    return encodeMessage(obj, EntrySummary.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<EntrySummary>): EntrySummary => {
    return decodeMessage(buf, EntrySummary.codec(), opts)
  }
}

export interface OwnerSummary {
  owner: Uint8Array
  entries: EntrySummary[]
}

export namespace OwnerSummary {
  let _codec: Codec<OwnerSummary>

  export const codec = (): Codec<OwnerSummary> => {
    if (_codec == null) {
      _codec = message<OwnerSummary>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.owner != null && obj.owner.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.owner)
        }

        if (obj.entries != null) {
          for (const value of obj.entries) {
            w.uint32(18)
            EntrySummary.codec().encode(value, w)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          owner: uint8ArrayAlloc(0),
          entries: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.owner = reader.bytes()
              break
            }
            case 2: {
              if (opts.limits?.entries != null && obj.entries.length === opts.limits.entries) {
                throw new MaxLengthError('Decode error - map field "entries" had too many elements')
              }

              obj.entries.push(EntrySummary.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.entries$
              }))
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      })
    }

    return _codec
  }

  export const encode = (obj: Partial<OwnerSummary>): Uint8Array => {
    return encodeMessage(obj, OwnerSummary.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<OwnerSummary>): OwnerSummary => {
    return decodeMessage(buf, OwnerSummary.codec(), opts)
  }
}

export interface OwnerWant {
  owner: Uint8Array
  ids: string[]
}

export namespace OwnerWant {
  let _codec: Codec<OwnerWant>

  export const codec = (): Codec<OwnerWant> => {
    if (_codec == null) {
      _codec = message<OwnerWant>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.owner != null && obj.owner.byteLength > 0)) {
          w.uint32(10)
          w.bytes(obj.owner)
        }

        if (obj.ids != null) {
          for (const value of obj.ids) {
            w.uint32(18)
            w.string(value)
          }
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          owner: uint8ArrayAlloc(0),
          ids: []
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.owner = reader.bytes()
              break
            }
            case 2: {
              if (opts.limits?.ids != null && obj.ids.length === opts.limits.ids) {
                throw new MaxLengthError('Decode error - map field "ids" had too many elements')
              }

              obj.ids.push(reader.string())
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      })
    }

    return _codec
  }

  export const encode = (obj: Partial<OwnerWant>): Uint8Array => {
    return encodeMessage(obj, OwnerWant.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<OwnerWant>): OwnerWant => {
    return decodeMessage(buf, OwnerWant.codec(), opts)
  }
}

export interface SyncFrame {
  type: SyncFrame.Type
  partial: boolean
  digests: OwnerDigest[]
  summaries: OwnerSummary[]
  wants: OwnerWant[]
  records: Uint8Array[]
  rootFingerprint: Uint8Array
  rootCount: number
  needDigest: boolean
  more: boolean
}

export namespace SyncFrame {
  export enum Type {
    DIGEST = 'DIGEST',
    SUMMARY = 'SUMMARY',
    WANT = 'WANT',
    RECORDS = 'RECORDS',
    DONE = 'DONE'
  }

  enum __TypeValues {
    DIGEST = 0,
    SUMMARY = 1,
    WANT = 2,
    RECORDS = 3,
    DONE = 4
  }

  export namespace Type {
    export const codec = (): Codec<Type> => {
      return enumeration<Type>(__TypeValues)
    }
  }

  let _codec: Codec<SyncFrame>

  export const codec = (): Codec<SyncFrame> => {
    if (_codec == null) {
      _codec = message<SyncFrame>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.type != null && __TypeValues[obj.type] !== 0) {
          w.uint32(8)
          SyncFrame.Type.codec().encode(obj.type, w)
        }

        if ((obj.partial != null && obj.partial !== false)) {
          w.uint32(16)
          w.bool(obj.partial)
        }

        if (obj.digests != null) {
          for (const value of obj.digests) {
            w.uint32(26)
            OwnerDigest.codec().encode(value, w)
          }
        }

        if (obj.summaries != null) {
          for (const value of obj.summaries) {
            w.uint32(34)
            OwnerSummary.codec().encode(value, w)
          }
        }

        if (obj.wants != null) {
          for (const value of obj.wants) {
            w.uint32(42)
            OwnerWant.codec().encode(value, w)
          }
        }

        if (obj.records != null) {
          for (const value of obj.records) {
            w.uint32(50)
            w.bytes(value)
          }
        }

        if ((obj.rootFingerprint != null && obj.rootFingerprint.byteLength > 0)) {
          w.uint32(58)
          w.bytes(obj.rootFingerprint)
        }

        if ((obj.rootCount != null && obj.rootCount !== 0)) {
          w.uint32(64)
          w.uint32(obj.rootCount)
        }

        if ((obj.needDigest != null && obj.needDigest !== false)) {
          w.uint32(72)
          w.bool(obj.needDigest)
        }

        if ((obj.more != null && obj.more !== false)) {
          w.uint32(80)
          w.bool(obj.more)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          type: Type.DIGEST,
          partial: false,
          digests: [],
          summaries: [],
          wants: [],
          records: [],
          rootFingerprint: uint8ArrayAlloc(0),
          rootCount: 0,
          needDigest: false,
          more: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.type = SyncFrame.Type.codec().decode(reader)
              break
            }
            case 2: {
              obj.partial = reader.bool()
              break
            }
            case 3: {
              if (opts.limits?.digests != null && obj.digests.length === opts.limits.digests) {
                throw new MaxLengthError('Decode error - map field "digests" had too many elements')
              }

              obj.digests.push(OwnerDigest.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.digests$
              }))
              break
            }
            case 4: {
              if (opts.limits?.summaries != null && obj.summaries.length === opts.limits.summaries) {
                throw new MaxLengthError('Decode error - map field "summaries" had too many elements')
              }

              obj.summaries.push(OwnerSummary.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.summaries$
              }))
              break
            }
            case 5: {
              if (opts.limits?.wants != null && obj.wants.length === opts.limits.wants) {
                throw new MaxLengthError('Decode error - map field "wants" had too many elements')
              }

              obj.wants.push(OwnerWant.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.wants$
              }))
              break
            }
            case 6: {
              if (opts.limits?.records != null && obj.records.length === opts.limits.records) {
                throw new MaxLengthError('Decode error - map field "records" had too many elements')
              }

              obj.records.push(reader.bytes())
              break
            }
            case 7: {
              obj.rootFingerprint = reader.bytes()
              break
            }
            case 8: {
              obj.rootCount = reader.uint32()
              break
            }
            case 9: {
              obj.needDigest = reader.bool()
              break
            }
            case 10: {
              obj.more = reader.bool()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      })
    }

    return _codec
  }

  export const encode = (obj: Partial<SyncFrame>): Uint8Array => {
    return encodeMessage(obj, SyncFrame.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<SyncFrame>): SyncFrame => {
    return decodeMessage(buf, SyncFrame.codec(), opts)
  }
}

export interface BeatOffer {
  state: BeatOffer.State
  port: number
  token: Uint8Array
}

export namespace BeatOffer {
  export enum State {
    OFFERED = 'OFFERED',
    CONFIRMED = 'CONFIRMED',
    REVOKED = 'REVOKED'
  }

  enum __StateValues {
    OFFERED = 0,
    CONFIRMED = 1,
    REVOKED = 2
  }

  export namespace State {
    export const codec = (): Codec<State> => {
      return enumeration<State>(__StateValues)
    }
  }

  let _codec: Codec<BeatOffer>

  export const codec = (): Codec<BeatOffer> => {
    if (_codec == null) {
      _codec = message<BeatOffer>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.state != null && __StateValues[obj.state] !== 0) {
          w.uint32(8)
          BeatOffer.State.codec().encode(obj.state, w)
        }

        if ((obj.port != null && obj.port !== 0)) {
          w.uint32(16)
          w.uint32(obj.port)
        }

        if ((obj.token != null && obj.token.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.token)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          state: State.OFFERED,
          port: 0,
          token: uint8ArrayAlloc(0)
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.state = BeatOffer.State.codec().decode(reader)
              break
            }
            case 2: {
              obj.port = reader.uint32()
              break
            }
            case 3: {
              obj.token = reader.bytes()
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        return obj
      })
    }

    return _codec
  }

  export const encode = (obj: Partial<BeatOffer>): Uint8Array => {
    return encodeMessage(obj, BeatOffer.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<BeatOffer>): BeatOffer => {
    return decodeMessage(buf, BeatOffer.codec(), opts)
  }
}
