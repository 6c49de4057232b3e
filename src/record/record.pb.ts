/* eslint-disable import/export */
/* eslint-disable complexity */
/* eslint-disable @typescript-eslint/no-namespace */
/* eslint-disable @typescript-eslint/no-unnecessary-boolean-literal-compare */
/* eslint-disable @typescript-eslint/no-empty-interface */
/* eslint-disable import/consistent-type-specifier-style */
/* eslint-disable @typescript-eslint/no-unused-vars */

import { decodeMessage, encodeMessage, enumeration, MaxLengthError, MaxSizeError, message } from 'protons-runtime'
import { alloc as uint8ArrayAlloc } from 'uint8arrays/alloc'
import type { Codec, DecodeOptions } from 'protons-runtime'
import type { Uint8ArrayList } from 'uint8arraylist'

export interface RecordPayload {
  namespace: string
  id: string
  stampWall: bigint
  stampLogical: number
  instance?: InstancePayload
  tombstone?: TombstonePayload
  member?: MemberPayload
  alert?: AlertPayload
}

export namespace RecordPayload {
  let _codec: Codec<RecordPayload>

  export const codec = (): Codec<RecordPayload> => {
    if (_codec == null) {
      _codec = message<RecordPayload>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        obj = { ...obj }

        if (obj.alert != null) {
          obj.member = undefined
          obj.tombstone = undefined
          obj.instance = undefined
        }

        if (obj.member != null) {
          obj.alert = undefined
          obj.tombstone = undefined
          obj.instance = undefined
        }

        if (obj.tombstone != null) {
          obj.alert = undefined
          obj.member = undefined
          obj.instance = undefined
        }

        if (obj.instance != null) {
          obj.alert = undefined
          obj.member = undefined
          obj.tombstone = undefined
        }

        if ((obj.namespace != null && obj.namespace !== '')) {
          w.uint32(10)
          w.string(obj.namespace)
        }

        if ((obj.id != null && obj.id !== '')) {
          w.uint32(18)
          w.string(obj.id)
        }

        if ((obj.stampWall != null && obj.stampWall !== 0n)) {
          w.uint32(24)
          w.uint64(obj.stampWall)
        }

        if ((obj.stampLogical != null && obj.stampLogical !== 0)) {
          w.uint32(32)
          w.uint32(obj.stampLogical)
        }

        if (obj.instance != null) {
          w.uint32(82)
          InstancePayload.codec().encode(obj.instance, w)
        }

        if (obj.tombstone != null) {
          w.uint32(90)
          TombstonePayload.codec().encode(obj.tombstone, w)
        }

        if (obj.member != null) {
          w.uint32(98)
          MemberPayload.codec().encode(obj.member, w)
        }

        if (obj.alert != null) {
          w.uint32(106)
          AlertPayload.codec().encode(obj.alert, w)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          namespace: '',
          id: '',
          stampWall: 0n,
          stampLogical: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.namespace = reader.string()
              break
            }
            case 2: {
              obj.id = reader.string()
              break
            }
            case 3: {
              obj.stampWall = reader.uint64()
              break
            }
            case 4: {
              obj.stampLogical = reader.uint32()
              break
            }
            case 10: {
              obj.instance = InstancePayload.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.instance
              })
              break
            }
            case 11: {
              obj.tombstone = TombstonePayload.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.tombstone
              })
              break
            }
            case 12: {
              obj.member = MemberPayload.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.member
              })
              break
            }
            case 13: {
              obj.alert = AlertPayload.codec().decode(reader, reader.uint32(), {
                limits: opts.limits?.alert
              })
              break
            }
            default: {
              reader.skipType(tag & 7)
              break
            }
          }
        }

        if (obj.alert != null) {
          delete obj.member
          delete obj.tombstone
          delete obj.instance
        }

        if (obj.member != null) {
          delete obj.alert
          delete obj.tombstone
          delete obj.instance
        }

        if (obj.tombstone != null) {
          delete obj.alert
          delete obj.member
          delete obj.instance
        }

        if (obj.instance != null) {
          delete obj.alert
          delete obj.member
          delete obj.tombstone
        }

        return obj
      })
    }

    return _codec
  }

  export const encode = (obj: Partial<RecordPayload>): Uint8Array => {
    return encodeMessage(obj, RecordPayload.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RecordPayload>): RecordPayload => {
    return decodeMessage(buf, RecordPayload.codec(), opts)
  }
}

export interface InstancePayload {
  service: string
  version: string
  address: string
  port: number
  tags: string[]
  metadata: Map<string, string>
  weight: number
  status: InstancePayload.Status
  maintenance: boolean
  maintenanceReason: string
}

export namespace InstancePayload {
  export enum Status {
    PASSING = 'PASSING',
    WARNING = 'WARNING',
    CRITICAL = 'CRITICAL'
  }

  enum __StatusValues {
    PASSING = 0,
    WARNING = 1,
    CRITICAL = 2
  }

  export namespace Status {
    export const codec = (): Codec<Status> => {
      return enumeration<Status>(__StatusValues)
    }
  }

  export interface InstancePayload$metadataEntry {
    key: string
    value: string
  }

  export namespace InstancePayload$metadataEntry {
    let _codec: Codec<InstancePayload$metadataEntry>

    export const codec = (): Codec<InstancePayload$metadataEntry> => {
      if (_codec == null) {
        _codec = message<InstancePayload$metadataEntry>((obj, w, opts = {}) => {
          if (opts.lengthDelimited !== false) {
            w.fork()
          }

          if ((obj.key != null && obj.key !== '')) {
            w.uint32(10)
            w.string(obj.key)
          }

          if ((obj.value != null && obj.value !== '')) {
            w.uint32(18)
            w.string(obj.value)
          }

          if (opts.lengthDelimited !== false) {
            w.ldelim()
          }
        }, (reader, length, opts = {}) => {
          const obj: any = {
            key: '',
            value: ''
          }

          const end = length == null ? reader.len : reader.pos + length

          while (reader.pos < end) {
            const tag = reader.uint32()

            switch (tag >>> 3) {
              case 1: {
                obj.key = reader.string()
                break
              }
              case 2: {
                obj.value = reader.string()
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

    export const encode = (obj: Partial<InstancePayload$metadataEntry>): Uint8Array => {
      return encodeMessage(obj, InstancePayload$metadataEntry.codec())
    }

    export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<InstancePayload$metadataEntry>): InstancePayload$metadataEntry => {
      return decodeMessage(buf, InstancePayload$metadataEntry.codec(), opts)
    }
  }

  let _codec: Codec<InstancePayload>

  export const codec = (): Codec<InstancePayload> => {
    if (_codec == null) {
      _codec = message<InstancePayload>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.service != null && obj.service !== '')) {
          w.uint32(10)
          w.string(obj.service)
        }

        if ((obj.version != null && obj.version !== '')) {
          w.uint32(18)
          w.string(obj.version)
        }

        if ((obj.address != null && obj.address !== '')) {
          w.uint32(26)
          w.string(obj.address)
        }

        if ((obj.port != null && obj.port !== 0)) {
          w.uint32(32)
          w.uint32(obj.port)
        }

        if (obj.tags != null) {
          for (const value of obj.tags) {
            w.uint32(42)
            w.string(value)
          }
        }

        if (obj.metadata != null && obj.metadata.size !== 0) {
          for (const [key, value] of obj.metadata.entries()) {
            w.uint32(50)
            InstancePayload.InstancePayload$metadataEntry.codec().encode({ key, value }, w)
          }
        }

        if ((obj.weight != null && obj.weight !== 0)) {
          w.uint32(56)
          w.uint32(obj.weight)
        }

        if (obj.status != null && __StatusValues[obj.status] !== 0) {
          w.uint32(64)
          InstancePayload.Status.codec().encode(obj.status, w)
        }

        if ((obj.maintenance != null && obj.maintenance !== false)) {
          w.uint32(72)
          w.bool(obj.maintenance)
        }

        if ((obj.maintenanceReason != null && obj.maintenanceReason !== '')) {
          w.uint32(82)
          w.string(obj.maintenanceReason)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          service: '',
          version: '',
          address: '',
          port: 0,
          tags: [],
          metadata: new Map<string, string>(),
          weight: 0,
          status: Status.PASSING,
          maintenance: false,
          maintenanceReason: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.service = reader.string()
              break
            }
            case 2: {
              obj.version = reader.string()
              break
            }
            case 3: {
              obj.address = reader.string()
              break
            }
            case 4: {
              obj.port = reader.uint32()
              break
            }
            case 5: {
              if (opts.limits?.tags != null && obj.tags.length === opts.limits.tags) {
                throw new MaxLengthError('Decode error - map field "tags" had too many elements')
              }

              obj.tags.push(reader.string())
              break
            }
            case 6: {
              if (opts.limits?.metadata != null && obj.metadata.size === opts.limits.metadata) {
                throw new MaxSizeError('Decode error - map field "metadata" had too many elements')
              }

              const entry = InstancePayload.InstancePayload$metadataEntry.codec().decode(reader, reader.uint32())
              obj.metadata.set(entry.key, entry.value)
              break
            }
            case 7: {
              obj.weight = reader.uint32()
              break
            }
            case 8: {
              obj.status = InstancePayload.Status.codec().decode(reader)
              break
            }
            case 9: {
              obj.maintenance = reader.bool()
              break
            }
            case 10: {
              obj.maintenanceReason = reader.string()
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

  export const encode = (obj: Partial<InstancePayload>): Uint8Array => {
    return encodeMessage(obj, InstancePayload.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<InstancePayload>): InstancePayload => {
    return decodeMessage(buf, InstancePayload.codec(), opts)
  }
}

export interface TombstonePayload {
  service: string
}

export namespace TombstonePayload {
  let _codec: Codec<TombstonePayload>

  export const codec = (): Codec<TombstonePayload> => {
    if (_codec == null) {
      _codec = message<TombstonePayload>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.service != null && obj.service !== '')) {
          w.uint32(10)
          w.string(obj.service)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          service: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.service = reader.string()
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

  export const encode = (obj: Partial<TombstonePayload>): Uint8Array => {
    return encodeMessage(obj, TombstonePayload.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<TombstonePayload>): TombstonePayload => {
    return decodeMessage(buf, TombstonePayload.codec(), opts)
  }
}

export interface MemberPayload {
  addrs: string[]
  chainId: number
  chainAnchor: Uint8Array
  chainLength: number
  leaving: boolean
  name: string
}

export namespace MemberPayload {
  let _codec: Codec<MemberPayload>

  export const codec = (): Codec<MemberPayload> => {
    if (_codec == null) {
      _codec = message<MemberPayload>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.addrs != null) {
          for (const value of obj.addrs) {
            w.uint32(10)
            w.string(value)
          }
        }

        if ((obj.chainId != null && obj.chainId !== 0)) {
          w.uint32(16)
          w.uint32(obj.chainId)
        }

        if ((obj.chainAnchor != null && obj.chainAnchor.byteLength > 0)) {
          w.uint32(26)
          w.bytes(obj.chainAnchor)
        }

        if ((obj.chainLength != null && obj.chainLength !== 0)) {
          w.uint32(32)
          w.uint32(obj.chainLength)
        }

        if ((obj.leaving != null && obj.leaving !== false)) {
          w.uint32(40)
          w.bool(obj.leaving)
        }

        if ((obj.name != null && obj.name !== '')) {
          w.uint32(50)
          w.string(obj.name)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          addrs: [],
          chainId: 0,
          chainAnchor: uint8ArrayAlloc(0),
          chainLength: 0,
          leaving: false,
          name: ''
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              if (opts.limits?.addrs != null && obj.addrs.length === opts.limits.addrs) {
                throw new MaxLengthError('Decode error - map field "addrs" had too many elements')
              }

              obj.addrs.push(reader.string())
              break
            }
            case 2: {
              obj.chainId = reader.uint32()
              break
            }
            case 3: {
              obj.chainAnchor = reader.bytes()
              break
            }
            case 4: {
              obj.chainLength = reader.uint32()
              break
            }
            case 5: {
              obj.leaving = reader.bool()
              break
            }
            case 6: {
              obj.name = reader.string()
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

  export const encode = (obj: Partial<MemberPayload>): Uint8Array => {
    return encodeMessage(obj, MemberPayload.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<MemberPayload>): MemberPayload => {
    return decodeMessage(buf, MemberPayload.codec(), opts)
  }
}

export interface AlertPayload {
  subject: string
  incarnationWall: bigint
  incarnationLogical: number
}

export namespace AlertPayload {
  let _codec: Codec<AlertPayload>

  export const codec = (): Codec<AlertPayload> => {
    if (_codec == null) {
      _codec = message<AlertPayload>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if ((obj.subject != null && obj.subject !== '')) {
          w.uint32(10)
          w.string(obj.subject)
        }

        if ((obj.incarnationWall != null && obj.incarnationWall !== 0n)) {
          w.uint32(16)
          w.uint64(obj.incarnationWall)
        }

        if ((obj.incarnationLogical != null && obj.incarnationLogical !== 0)) {
          w.uint32(24)
          w.uint32(obj.incarnationLogical)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          subject: '',
          incarnationWall: 0n,
          incarnationLogical: 0
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.subject = reader.string()
              break
            }
            case 2: {
              obj.incarnationWall = reader.uint64()
              break
            }
            case 3: {
              obj.incarnationLogical = reader.uint32()
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

  export const encode = (obj: Partial<AlertPayload>): Uint8Array => {
    return encodeMessage(obj, AlertPayload.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<AlertPayload>): AlertPayload => {
    return decodeMessage(buf, AlertPayload.codec(), opts)
  }
}
