/**
 * Every error the public API throws. Each class has a stable `code` (callers switch on it, the gateway maps
 * it to an HTTP status) and structured context naming what was wrong. Network input never throws past the
 * net boundary: it is counted and logged as a rejection reason instead (see `RejectReason`).
 */

/** Stable error codes. Append only: codes are part of the public API. */
export type ErrorCode =
  | 'ERR_INVALID_OPTION'
  | 'ERR_INVALID_RECORD'
  | 'ERR_UNKNOWN_INSTANCE'
  | 'ERR_TOO_MANY_INSTANCES'
  | 'ERR_STOPPED'
  | 'ERR_INVALID_ARGUMENT'
  | 'ERR_WATCH_OVERFLOW'
  | 'ERR_NO_HEALTHY_INSTANCE'
  | 'ERR_INVALID_CHECK'
  | 'ERR_UNKNOWN_MEMBER'
  | 'ERR_MEMBER_NOT_GONE'
  | 'ERR_AMBIGUOUS_MEMBER'

/** Base class: every error thrown by gossip-registry is a `RegistryError` with a `code`. */
export class RegistryError extends Error {
  readonly code: ErrorCode

  constructor (message: string, code: ErrorCode) {
    super(message)
    this.name = 'RegistryError'
    this.code = code
  }
}

/** Thrown by `createRegistry` and `resolveConfig` when an option has the wrong type or breaks an invariant. */
export class InvalidOptionError extends RegistryError {
  readonly option: string

  constructor (option: string, message: string) {
    super(message, 'ERR_INVALID_OPTION')
    this.name = 'InvalidOptionError'
    this.option = option
  }
}

/** Thrown by `register`/`update` when a field of an instance is missing, malformed or over a limit. */
export class InvalidRecordError extends RegistryError {
  readonly field: string

  constructor (field: string, message: string) {
    super(message, 'ERR_INVALID_RECORD')
    this.name = 'InvalidRecordError'
    this.field = field
  }
}

/** Thrown by `update`/`deregister` for an instance id this node does not own (or that was deregistered). */
export class UnknownInstanceError extends RegistryError {
  readonly instanceId: string

  constructor (instanceId: string) {
    super(`No instance with id \`${instanceId}\` is registered by this node`, 'ERR_UNKNOWN_INSTANCE')
    this.name = 'UnknownInstanceError'
    this.instanceId = instanceId
  }
}

/** Thrown by `register` when this node already owns `maxInstancesPerOwner` instances. */
export class TooManyInstancesError extends RegistryError {
  readonly limit: number

  constructor (limit: number) {
    super(`This node already owns the maximum of ${limit} instances (option \`maxInstancesPerOwner\`)`, 'ERR_TOO_MANY_INSTANCES')
    this.name = 'TooManyInstancesError'
    this.limit = limit
  }
}

/** Thrown by any call made after `stop()` has begun. */
export class RegistryStoppedError extends RegistryError {
  constructor () {
    super('The registry has been stopped', 'ERR_STOPPED')
    this.name = 'RegistryStoppedError'
  }
}

/** Thrown when a method argument (not an option, not a record field) is malformed, e.g. a bad semver range. */
export class InvalidArgumentError extends RegistryError {
  readonly argument: string

  constructor (argument: string, message: string) {
    super(message, 'ERR_INVALID_ARGUMENT')
    this.name = 'InvalidArgumentError'
    this.argument = argument
  }
}

/** Renders a received value for an error message: its value and its type, like p-queue does. */
export function describeValue (value: unknown): string {
  let shown: string
  try {
    shown = typeof value === 'string' ? JSON.stringify(value) : String(JSON.stringify(value) ?? value)
  } catch {
    shown = String(value)
  }
  if (shown.length > 80) shown = `${shown.slice(0, 77)}...`
  return `\`${shown}\` (${value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value})`
}

/** Ends a `changes()` iterator whose consumer fell more than `limit` changes behind. */
export class WatchOverflowError extends RegistryError {
  readonly limit: number

  constructor (limit: number) {
    super(`A changes() consumer fell more than ${limit} changes behind; start a new iterator and re-read lookup()`, 'ERR_WATCH_OVERFLOW')
    this.name = 'WatchOverflowError'
    this.limit = limit
  }
}

/** Thrown by `call()` when every instance it could try failed, or there was none. */
export class NoHealthyInstanceError extends RegistryError {
  readonly service: string
  /** Instances tried, as `owner/id`, in order. */
  readonly tried: readonly string[]
  /** The error of each try, in order. */
  readonly errors: readonly Error[]

  constructor (service: string, tried: readonly string[], errors: readonly Error[]) {
    const what = tried.length === 0 ? 'no healthy instance was available' : `tried ${tried.length} instance(s): ${tried.join(', ')}; last error: ${errors.at(-1)?.message ?? 'none'}`
    super(`No healthy instance of \`${service}\` answered: ${what}`, 'ERR_NO_HEALTHY_INSTANCE')
    this.name = 'NoHealthyInstanceError'
    this.service = service
    this.tried = tried
    this.errors = errors
  }
}

/** Thrown by `register` when its health check definition is malformed (`field` names the part). */
export class InvalidCheckError extends RegistryError {
  readonly field: string

  constructor (field: string, message: string) {
    super(message, 'ERR_INVALID_CHECK')
    this.name = 'InvalidCheckError'
    this.field = field
  }
}

/** Thrown by `forceLeave` for a peer id or name that no member listed here has (never heard of, or pruned). */
export class UnknownMemberError extends RegistryError {
  readonly member: string

  constructor (member: string) {
    super(`No member listed here has the peer id or name ${JSON.stringify(member)}; see members()`, 'ERR_UNKNOWN_MEMBER')
    this.name = 'UnknownMemberError'
    this.member = member
  }
}

/**
 * Thrown by `forceLeave` for a member alive or suspect here: no single member can get another declared dead, so
 * only a member this node already holds dead (or left) can be forced out.
 */
export class MemberNotGoneError extends RegistryError {
  readonly peerId: string
  readonly state: string

  constructor (peerId: string, state: string) {
    super(`Member ${peerId} is ${state} here: only a member dead or left here can be forced out (no single member can get another declared dead); wait for its observers to find it silent`, 'ERR_MEMBER_NOT_GONE')
    this.name = 'MemberNotGoneError'
    this.peerId = peerId
    this.state = state
  }
}

/** Thrown by `forceLeave` for a name that several listed members have: names are not identities, use a peer id. */
export class AmbiguousMemberError extends RegistryError {
  readonly member: string
  /** Peer ids of the members with that name. */
  readonly peerIds: readonly string[]

  constructor (member: string, peerIds: readonly string[]) {
    super(`${peerIds.length} members have the name ${JSON.stringify(member)}: give one of their peer ids instead: ${peerIds.join(', ')}`, 'ERR_AMBIGUOUS_MEMBER')
    this.name = 'AmbiguousMemberError'
    this.member = member
    this.peerIds = peerIds
  }
}
