/**
 * gossip-registry: a service registry with no server. Re-exports only the public API.
 */
export { createRegistry, Registry } from './registry.js'
export type { RegisterInput, UpdateInput, LookupOptions } from './registry.js'
export { generateKey, loadKey, saveKey, peerIdOf } from './keys.js'
export type { PrivateKey } from './keys.js'
export { DEFAULTS, PRESETS, resolveConfig, systemClock } from './config.js'
export type { RegistryOptions, ResolvedConfig, Clock } from './config.js'
export {
  RegistryError,
  InvalidOptionError,
  InvalidRecordError,
  UnknownInstanceError,
  TooManyInstancesError,
  RegistryStoppedError,
  InvalidArgumentError,
  WatchOverflowError,
  NoHealthyInstanceError,
  InvalidCheckError,
  UnknownMemberError,
  MemberNotGoneError,
  AmbiguousMemberError
} from './errors.js'
export type { ErrorCode } from './errors.js'
export type { Change, DownReason, Member, MemberChange, Rejected, RegistryEvents } from './events.js'
export type { Instance, InstanceFields, InstanceStatus, MemberState } from './record/types.js'
export type { Hlc } from './clock/hlc.js'
export type { RejectReason } from './reject-reason.js'
export type { StatsSnapshot, Channel } from './stats.js'
export type { Balancer } from './balance/balancer.js'
export type { BalancerOptions, CallOptions } from './balance/router.js'
export type { StrategyName } from './balance/strategy.js'
export type { CheckDefinition, HttpCheck, TcpCheck, TtlCheck, FunctionCheck } from './health/check.js'
export type { MaintenanceInput } from './health/maintenance.js'
