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
  kind: RecordPayload.Kind
  namespace: string
  id: string
  stampWall: bigint
  stampLogical: number
  deleted: boolean
  service: string
  version: string
  address: string
  port: number
  tags: string[]
  metadata: Map<string, string>
  weight: number
  status: RecordPayload.Status
  addrs: string[]
  chainId: number
  chainAnchor: Uint8Array
  chainLength: number
  leaving: boolean
}

export namespace RecordPayload {
  export enum Kind {
    INSTANCE = 'INSTANCE',
    MEMBER = 'MEMBER'
  }

  enum __KindValues {
    INSTANCE = 0,
    MEMBER = 1
  }

  export namespace Kind {
    export const codec = (): Codec<Kind> => {
      return enumeration<Kind>(__KindValues)
    }
  }

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

  export interface RecordPayload$metadataEntry {
    key: string
    value: string
  }

  export namespace RecordPayload$metadataEntry {
    let _codec: Codec<RecordPayload$metadataEntry>

    export const codec = (): Codec<RecordPayload$metadataEntry> => {
      if (_codec == null) {
        _codec = message<RecordPayload$metadataEntry>((obj, w, opts = {}) => {
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

    export const encode = (obj: Partial<RecordPayload$metadataEntry>): Uint8Array => {
      return encodeMessage(obj, RecordPayload$metadataEntry.codec())
    }

    export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RecordPayload$metadataEntry>): RecordPayload$metadataEntry => {
      return decodeMessage(buf, RecordPayload$metadataEntry.codec(), opts)
    }
  }

  let _codec: Codec<RecordPayload>

  export const codec = (): Codec<RecordPayload> => {
    if (_codec == null) {
      _codec = message<RecordPayload>((obj, w, opts = {}) => {
        if (opts.lengthDelimited !== false) {
          w.fork()
        }

        if (obj.kind != null && __KindValues[obj.kind] !== 0) {
          w.uint32(8)
          RecordPayload.Kind.codec().encode(obj.kind, w)
        }

        if ((obj.namespace != null && obj.namespace !== '')) {
          w.uint32(18)
          w.string(obj.namespace)
        }

        if ((obj.id != null && obj.id !== '')) {
          w.uint32(26)
          w.string(obj.id)
        }

        if ((obj.stampWall != null && obj.stampWall !== 0n)) {
          w.uint32(32)
          w.uint64(obj.stampWall)
        }

        if ((obj.stampLogical != null && obj.stampLogical !== 0)) {
          w.uint32(40)
          w.uint32(obj.stampLogical)
        }

        if ((obj.deleted != null && obj.deleted !== false)) {
          w.uint32(48)
          w.bool(obj.deleted)
        }

        if ((obj.service != null && obj.service !== '')) {
          w.uint32(82)
          w.string(obj.service)
        }

        if ((obj.version != null && obj.version !== '')) {
          w.uint32(90)
          w.string(obj.version)
        }

        if ((obj.address != null && obj.address !== '')) {
          w.uint32(98)
          w.string(obj.address)
        }

        if ((obj.port != null && obj.port !== 0)) {
          w.uint32(104)
          w.uint32(obj.port)
        }

        if (obj.tags != null) {
          for (const value of obj.tags) {
            w.uint32(114)
            w.string(value)
          }
        }

        if (obj.metadata != null && obj.metadata.size !== 0) {
          for (const [key, value] of obj.metadata.entries()) {
            w.uint32(122)
            RecordPayload.RecordPayload$metadataEntry.codec().encode({ key, value }, w)
          }
        }

        if ((obj.weight != null && obj.weight !== 0)) {
          w.uint32(128)
          w.uint32(obj.weight)
        }

        if (obj.status != null && __StatusValues[obj.status] !== 0) {
          w.uint32(136)
          RecordPayload.Status.codec().encode(obj.status, w)
        }

        if (obj.addrs != null) {
          for (const value of obj.addrs) {
            w.uint32(162)
            w.string(value)
          }
        }

        if ((obj.chainId != null && obj.chainId !== 0)) {
          w.uint32(168)
          w.uint32(obj.chainId)
        }

        if ((obj.chainAnchor != null && obj.chainAnchor.byteLength > 0)) {
          w.uint32(178)
          w.bytes(obj.chainAnchor)
        }

        if ((obj.chainLength != null && obj.chainLength !== 0)) {
          w.uint32(184)
          w.uint32(obj.chainLength)
        }

        if ((obj.leaving != null && obj.leaving !== false)) {
          w.uint32(192)
          w.bool(obj.leaving)
        }

        if (opts.lengthDelimited !== false) {
          w.ldelim()
        }
      }, (reader, length, opts = {}) => {
        const obj: any = {
          kind: Kind.INSTANCE,
          namespace: '',
          id: '',
          stampWall: 0n,
          stampLogical: 0,
          deleted: false,
          service: '',
          version: '',
          address: '',
          port: 0,
          tags: [],
          metadata: new Map<string, string>(),
          weight: 0,
          status: Status.PASSING,
          addrs: [],
          chainId: 0,
          chainAnchor: uint8ArrayAlloc(0),
          chainLength: 0,
          leaving: false
        }

        const end = length == null ? reader.len : reader.pos + length

        while (reader.pos < end) {
          const tag = reader.uint32()

          switch (tag >>> 3) {
            case 1: {
              obj.kind = RecordPayload.Kind.codec().decode(reader)
              break
            }
            case 2: {
              obj.namespace = reader.string()
              break
            }
            case 3: {
              obj.id = reader.string()
              break
            }
            case 4: {
              obj.stampWall = reader.uint64()
              break
            }
            case 5: {
              obj.stampLogical = reader.uint32()
              break
            }
            case 6: {
              obj.deleted = reader.bool()
              break
            }
            case 10: {
              obj.service = reader.string()
              break
            }
            case 11: {
              obj.version = reader.string()
              break
            }
            case 12: {
              obj.address = reader.string()
              break
            }
            case 13: {
              obj.port = reader.uint32()
              break
            }
            case 14: {
              if (opts.limits?.tags != null && obj.tags.length === opts.limits.tags) {
                throw new MaxLengthError('Decode error - map field "tags" had too many elements')
              }

              obj.tags.push(reader.string())
              break
            }
            case 15: {
              if (opts.limits?.metadata != null && obj.metadata.size === opts.limits.metadata) {
                throw new MaxSizeError('Decode error - map field "metadata" had too many elements')
              }

              const entry = RecordPayload.RecordPayload$metadataEntry.codec().decode(reader, reader.uint32())
              obj.metadata.set(entry.key, entry.value)
              break
            }
            case 16: {
              obj.weight = reader.uint32()
              break
            }
            case 17: {
              obj.status = RecordPayload.Status.codec().decode(reader)
              break
            }
            case 20: {
              if (opts.limits?.addrs != null && obj.addrs.length === opts.limits.addrs) {
                throw new MaxLengthError('Decode error - map field "addrs" had too many elements')
              }

              obj.addrs.push(reader.string())
              break
            }
            case 21: {
              obj.chainId = reader.uint32()
              break
            }
            case 22: {
              obj.chainAnchor = reader.bytes()
              break
            }
            case 23: {
              obj.chainLength = reader.uint32()
              break
            }
            case 24: {
              obj.leaving = reader.bool()
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

  export const encode = (obj: Partial<RecordPayload>): Uint8Array => {
    return encodeMessage(obj, RecordPayload.codec())
  }

  export const decode = (buf: Uint8Array | Uint8ArrayList, opts?: DecodeOptions<RecordPayload>): RecordPayload => {
    return decodeMessage(buf, RecordPayload.codec(), opts)
  }
}
