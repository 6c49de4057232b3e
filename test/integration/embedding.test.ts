/**
 * Keys and lifetimes for embedders: the key helpers (make, save, load, peer id before start) and
 * `await using` stopping a registry when its block ends.
 */
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair, privateKeyToProtobuf } from '@libp2p/crypto/keys'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { createRegistry, generateKey, InvalidArgumentError, loadKey, peerIdOf, PRESETS, saveKey, type Registry } from '../../src/index.js'

let dir: string
const started: Registry[] = []

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'gossip-registry-embed-'))
})

afterEach(async () => {
  await Promise.allSettled(started.splice(0).map(async (node) => node.stop()))
  await rm(dir, { recursive: true, force: true })
})

const instance = { service: 'orders', version: '1.0.0', address: '127.0.0.1', port: 8080 }

describe('key helpers', () => {
  it('save then load gives the same key and peer id; the file is mode 0600', async () => {
    const key = await generateKey()
    const path = join(dir, 'nested', 'node.key')
    await saveKey(key, path)
    expect((await stat(path)).mode & 0o777).toBe(0o600)
    const loaded = await loadKey(path)
    expect(loaded.equals(key)).toBe(true)
    expect(peerIdOf(loaded)).toBe(peerIdOf(key))
    expect(peerIdOf(key)).toMatch(/^12D3KooW/)
  })

  it('a loaded key starts a registry whose peer id is the one known before start', async () => {
    const path = join(dir, 'node.key')
    await saveKey(await generateKey(), path)
    const key = await loadKey(path)
    const expected = peerIdOf(key)
    const node = await createRegistry({ ...PRESETS.test, privateKey: key })
    started.push(node)
    expect(node.peerId).toBe(expected)
  })

  it('writes the same files as the keyFile option, both ways', async () => {
    const path = join(dir, 'node.key')
    const created = await loadKey(path, { create: true })
    expect((await stat(path)).mode & 0o777).toBe(0o600)
    const node = await createRegistry({ ...PRESETS.test, keyFile: path })
    started.push(node)
    expect(node.peerId).toBe(peerIdOf(created))

    const optionFile = join(dir, 'by-option.key')
    const other = await createRegistry({ ...PRESETS.test, keyFile: optionFile })
    started.push(other)
    expect(peerIdOf(await loadKey(optionFile))).toBe(other.peerId)
  })

  it('saveKey replaces a key already there', async () => {
    const path = join(dir, 'node.key')
    await saveKey(await generateKey(), path)
    const second = await generateKey()
    await saveKey(second, path)
    expect(peerIdOf(await loadKey(path))).toBe(peerIdOf(second))
  })

  it('a missing, garbage or non-Ed25519 key file is an InvalidArgumentError naming `path`', async () => {
    await expect(loadKey(join(dir, 'missing.key'))).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT', argument: 'path' })

    const garbage = join(dir, 'garbage.key')
    await writeFile(garbage, 'not a key')
    const err = await loadKey(garbage).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(InvalidArgumentError)
    expect(err).toMatchObject({ code: 'ERR_INVALID_ARGUMENT', argument: 'path' })
    expect((err as Error).message).toContain(garbage)

    const secp = join(dir, 'secp.key')
    await writeFile(secp, privateKeyToProtobuf(await generateKeyPair('secp256k1')))
    await expect(loadKey(secp)).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT', argument: 'path' })

    // A directory where the file should be: unreadable, not missing.
    await expect(loadKey(dir, { create: true })).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT', argument: 'path' })
  })

  it('refuses a key that is not Ed25519, and a path it cannot write, with typed errors', async () => {
    const secp = await generateKeyPair('secp256k1')
    expect(() => peerIdOf(secp)).toThrow(InvalidArgumentError)
    expect(() => peerIdOf(undefined as never)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT', argument: 'key' }) as Error)
    await expect(saveKey(secp, join(dir, 'secp.key'))).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT', argument: 'key' })
    await expect(saveKey(await generateKey(), '')).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT', argument: 'path' })
    // The parent of the target is a file, so neither the folder nor the file can be made.
    const file = join(dir, 'plain')
    await writeFile(file, 'x')
    await expect(saveKey(await generateKey(), join(file, 'node.key'))).rejects.toMatchObject({ code: 'ERR_INVALID_ARGUMENT', argument: 'path' })
  })
})

describe('await using', () => {
  it('stops the registry when the block ends', async () => {
    let kept: Registry | undefined
    {
      await using registry = await createRegistry({ ...PRESETS.test })
      started.push(registry)
      kept = registry
      await registry.register(instance)
      expect(registry.lookup('orders')).toHaveLength(1)
    }
    await expect(kept.register(instance)).rejects.toMatchObject({ code: 'ERR_STOPPED' })
  })

  it('stops it when the block throws, and a peer sees it leave', async () => {
    const watcher = await createRegistry({ ...PRESETS.test })
    started.push(watcher)
    let leaver: Registry | undefined
    const failing = async (): Promise<void> => {
      await using registry = await createRegistry({ ...PRESETS.test, bootstrap: [watcher.multiaddrs[0]!] })
      started.push(registry)
      leaver = registry
      await registry.register(instance)
      await vi.waitFor(() => { expect(watcher.lookup('orders')).toHaveLength(1) }, { timeout: 10_000, interval: 50 })
      throw new Error('boom')
    }
    await expect(failing()).rejects.toThrow('boom')
    await expect(leaver!.register(instance)).rejects.toMatchObject({ code: 'ERR_STOPPED' })
    await vi.waitFor(() => {
      expect(watcher.lookup('orders')).toHaveLength(0)
      expect(watcher.members().find((m) => m.peerId === leaver!.peerId)?.state).toBe('left')
    }, { timeout: 10_000, interval: 50 })
  })
})
