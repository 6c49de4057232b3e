/**
 * Node keys for embedders: make, load and save the key that fixes a node's peer id, and read the peer id before
 * any node starts, without importing `@libp2p/crypto`. Key files are the ones the `keyFile` option reads and
 * writes (libp2p protobuf encoding, mode 0600), so either side can create them for the other.
 */
import type { PrivateKey } from '@libp2p/interface'
import { InvalidArgumentError, describeValue } from './errors.js'
import { createKeyFile, newKey, peerIdString, readKeyFile, requireEd25519, writeKeyFile, type KeyFault } from './net/identity.js'

export type { PrivateKey }

const pathFault: KeyFault = (m) => new InvalidArgumentError('path', m)
const keyFault: KeyFault = (m) => new InvalidArgumentError('key', m)

/** A new Ed25519 node key. Pass it as the `privateKey` option, or store it with `saveKey`. */
export async function generateKey (): Promise<PrivateKey> {
  return newKey()
}

/**
 * The key stored at `path`. With `{ create: true }` a missing file is created with a new key, as the `keyFile`
 * option does; without it a missing file is an error.
 * @throws InvalidArgumentError (`path`) when the file is missing, unreadable, not a libp2p key, or not Ed25519
 */
export async function loadKey (path: string, options: { create?: boolean } = {}): Promise<PrivateKey> {
  assertPath(path)
  const key = await readKeyFile(path, '`path`', pathFault)
  if (key !== undefined) return key
  if (options.create === true) return createKeyFile(path, '`path`', pathFault)
  throw pathFault(`Key file ${path} does not exist; create it with saveKey(), or call loadKey(path, { create: true })`)
}

/**
 * Stores `key` at `path` (parent folders created, mode 0600), replacing a file already there. The write is atomic:
 * a crash leaves the old file or the new one, never half of one.
 * @throws InvalidArgumentError (`key`) for a key that is not Ed25519, (`path`) when the file cannot be written
 */
export async function saveKey (key: PrivateKey, path: string): Promise<void> {
  assertKey(key)
  assertPath(path)
  await writeKeyFile(key, path, '`path`', pathFault)
}

/**
 * The peer id a node started with `key` will have (`registry.peerId`), known before it starts.
 * @throws InvalidArgumentError (`key`) for a key that is not Ed25519
 */
export function peerIdOf (key: PrivateKey): string {
  assertKey(key)
  return peerIdString(key)
}

function assertKey (key: unknown): asserts key is PrivateKey {
  if (typeof key !== 'object' || key === null || !('type' in key) || !('publicKey' in key)) {
    throw keyFault(`Expected \`key\` to be a libp2p PrivateKey, got ${describeValue(key)}`)
  }
  requireEd25519(key as PrivateKey, '`key`', keyFault)
}

function assertPath (path: unknown): asserts path is string {
  if (typeof path !== 'string' || path === '') throw pathFault(`Expected \`path\` to be a non-empty string, got ${describeValue(path)}`)
}
