/**
 * Key files: created once with owner-only permissions, then reused, so a restarted node keeps its peer id.
 */
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { afterEach, describe, expect, it } from 'vitest'
import { createRegistry, InvalidOptionError, PRESETS, type Registry } from '../../src/index.js'

let dir: string
const started: Registry[] = []

afterEach(async () => {
  await Promise.allSettled(started.splice(0).map(async (node) => node.stop()))
  if (dir !== undefined) await rm(dir, { recursive: true, force: true })
})

describe('keyFile', () => {
  it('creates the key once (mode 0600) and keeps the peer id across restarts', async () => {
    dir = await mkdtemp(join(tmpdir(), 'gossip-registry-key-'))
    const keyFile = join(dir, 'nested', 'node.key')
    const first = await createRegistry({ ...PRESETS.test, keyFile })
    started.push(first)
    const id = first.peerId
    await first.stop()
    expect((await stat(keyFile)).mode & 0o777).toBe(0o600)
    const second = await createRegistry({ ...PRESETS.test, keyFile })
    started.push(second)
    expect(second.peerId).toBe(id)
  })

  it('refuses a file that does not hold a key, naming the option', async () => {
    dir = await mkdtemp(join(tmpdir(), 'gossip-registry-key-'))
    const keyFile = join(dir, 'garbage.key')
    await writeFile(keyFile, 'not a key')
    await expect(createRegistry({ ...PRESETS.test, keyFile })).rejects.toMatchObject({ code: 'ERR_INVALID_OPTION', option: 'keyFile' })
  })

  it('refuses a key that is not Ed25519', async () => {
    const key = await generateKeyPair('secp256k1')
    await expect(createRegistry({ ...PRESETS.test, privateKey: key })).rejects.toBeInstanceOf(InvalidOptionError)
  })
})
