/**
 * The node's identity key: given, loaded from a key file, or new. A key file makes the peer id stable across
 * restarts, so a restarted process takes over (and supersedes) its own old records. The key file code here is
 * the one both the `keyFile` option and the public helpers of `keys.ts` use.
 */
import { randomUUID } from 'node:crypto'
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { PrivateKey } from '@libp2p/interface'
import { InvalidOptionError, type RegistryError } from '../errors.js'
import { signingKeyOf } from '../record/ed25519.js'

/**
 * `@libp2p/crypto`'s key functions, loaded when a key is made, read or written: an embedder that passes its own
 * key to a registry that has not started yet need not pay for loading it (about 100 ms and 19 MB).
 */
async function libp2pKeys (): Promise<typeof import('@libp2p/crypto/keys')> {
  return import('@libp2p/crypto/keys')
}

/** Builds the error a key problem is reported as: the caller knows whether it was an option or an argument. */
export type KeyFault = (message: string) => RegistryError

/** Returns `given`, else the key stored at `keyFile` (created with a new Ed25519 key if missing), else a new key. */
export async function loadIdentity (given: PrivateKey | undefined, keyFile: string | undefined): Promise<PrivateKey> {
  if (given !== undefined) return requireEd25519(given, '`privateKey`', (m) => new InvalidOptionError('privateKey', m))
  if (keyFile === undefined) return newKey()
  const fault: KeyFault = (m) => new InvalidOptionError('keyFile', m)
  return await readKeyFile(keyFile, '`keyFile`', fault) ?? await createKeyFile(keyFile, '`keyFile`', fault)
}

/** A new Ed25519 key, the only type whose peer id embeds its public key. */
export async function newKey (): Promise<PrivateKey> {
  return (await libp2pKeys()).generateKeyPair('Ed25519')
}

/** The key stored at `path`, or `undefined` when there is no file there. `label` names the path in messages. */
export async function readKeyFile (path: string, label: string, fault: KeyFault): Promise<PrivateKey | undefined> {
  let bytes: Uint8Array
  try {
    bytes = await readFile(path)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw fault(`Cannot read ${label} ${path}: ${(err as Error).message}`)
  }
  const { privateKeyFromProtobuf } = await libp2pKeys()
  let key: PrivateKey
  try {
    key = privateKeyFromProtobuf(bytes)
  } catch (err) {
    throw fault(`${label} ${path} does not hold a libp2p private key: ${(err as Error).message}`)
  }
  return requireEd25519(key, label, fault)
}

/** Writes a new key to `path` and returns it. */
export async function createKeyFile (path: string, label: string, fault: KeyFault): Promise<PrivateKey> {
  const key = await newKey()
  await writeKeyFile(key, path, label, fault)
  return key
}

/** Stores `key` at `path` (libp2p protobuf encoding, mode 0600), replacing a file already there. */
export async function writeKeyFile (key: PrivateKey, path: string, label: string, fault: KeyFault): Promise<void> {
  // Write then rename, so a crash mid-write never leaves a truncated key behind; 0600 because it is a secret.
  const { privateKeyToProtobuf } = await libp2pKeys()
  const tmp = `${path}.${process.pid}.${randomUUID().slice(0, 8)}.tmp`
  try {
    await mkdir(dirname(path), { recursive: true })
    await writeFile(tmp, privateKeyToProtobuf(key), { mode: 0o600 })
    await rename(tmp, path)
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => {})
    throw fault(`Cannot write ${label} ${path}: ${(err as Error).message}`)
  }
}

/** The peer id (string form) of an Ed25519 `key`. */
export function peerIdString (key: PrivateKey): string {
  return signingKeyOf(key).id
}

/** Returns `key` if it is Ed25519, else throws `fault`. `label` names where the key came from. */
export function requireEd25519 (key: PrivateKey, label: string, fault: KeyFault): PrivateKey {
  // Records name their owner by peer id and receivers take the public key from it: only Ed25519 peer ids
  // embed the key, which is what makes "the signer is the owner" checkable without a lookup.
  if (key.type !== 'Ed25519') throw fault(`Expected ${label} to be an Ed25519 key, got a ${key.type} key`)
  return key
}
