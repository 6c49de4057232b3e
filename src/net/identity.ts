/**
 * The node's identity key: given, loaded from a key file, or new. A key file makes the peer id stable across
 * restarts, so a restarted process takes over (and supersedes) its own old records.
 */
import { mkdir, readFile, writeFile, rename } from 'node:fs/promises'
import { dirname } from 'node:path'
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { InvalidOptionError } from '../errors.js'

/** Returns `given`, else the key stored at `keyFile` (created with a new Ed25519 key if missing), else a new key. */
export async function loadIdentity (given: PrivateKey | undefined, keyFile: string | undefined): Promise<PrivateKey> {
  if (given !== undefined) return requireEd25519(given, 'privateKey')
  if (keyFile === undefined) return generateKeyPair('Ed25519')
  let bytes: Uint8Array
  try {
    bytes = await readFile(keyFile)
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new InvalidOptionError('keyFile', `Cannot read \`keyFile\` ${keyFile}: ${(err as Error).message}`)
    }
    const key = await generateKeyPair('Ed25519')
    await mkdir(dirname(keyFile), { recursive: true })
    // Write then rename, so a crash mid-write never leaves a truncated key behind; 0600 because it is a secret.
    const tmp = `${keyFile}.${process.pid}.tmp`
    await writeFile(tmp, privateKeyToProtobuf(key), { mode: 0o600 })
    await rename(tmp, keyFile)
    return key
  }
  let key: PrivateKey
  try {
    key = privateKeyFromProtobuf(bytes)
  } catch (err) {
    throw new InvalidOptionError('keyFile', `\`keyFile\` ${keyFile} does not hold a libp2p private key: ${(err as Error).message}`)
  }
  return requireEd25519(key, 'keyFile')
}

function requireEd25519 (key: PrivateKey, option: string): PrivateKey {
  // Records name their owner by peer id and receivers take the public key from it: only Ed25519 peer ids
  // embed the key, which is what makes "the signer is the owner" checkable without a lookup.
  if (key.type !== 'Ed25519') throw new InvalidOptionError(option, `Expected \`${option}\` to be an Ed25519 key, got a ${key.type} key`)
  return key
}
