/**
 * Ed25519 keys and peer ids on node:crypto: every form agrees with what libp2p derives from the same key.
 */
import { generateKeyPair, publicKeyToProtobuf } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { describe, expect, it } from 'vitest'
import { isEd25519PeerId, keyProtobufOfPeerId, ownerKeyOf, peerIdBytes, signingKeyOf, signWith, verifies } from '../../../src/record/ed25519.js'

const keys = await Promise.all([1, 2, 3].map(async () => generateKeyPair('Ed25519')))

describe('ed25519', () => {
  it.each(keys.map((key, i) => [i, key] as const))('derives libp2p\'s peer id, key protobuf and id bytes (key %i)', (_i, key) => {
    const peerId = peerIdFromPrivateKey(key)
    const owner = ownerKeyOf(key.publicKey.raw)
    expect(owner?.id).toBe(peerId.toString())
    expect(owner?.protobuf).toEqual(publicKeyToProtobuf(key.publicKey))
    expect(keyProtobufOfPeerId(peerId.toString())).toEqual(publicKeyToProtobuf(key.publicKey))
    expect(peerIdBytes(peerId.toString())).toEqual(peerId.toMultihash().bytes)
    expect(isEd25519PeerId(peerId.toMultihash().bytes)).toBe(true)
    expect(signingKeyOf(key).id).toBe(peerId.toString())
  })

  it('signs as libp2p signs, and verifies libp2p\'s signatures', async () => {
    const [key] = keys
    const data = new TextEncoder().encode('a message')
    const signer = signingKeyOf(key!)
    expect(signWith(signer, data)).toEqual(await key!.sign(data))
    expect(verifies(ownerKeyOf(key!.publicKey.raw)!, data, await key!.sign(data))).toBe(true)
    expect(verifies(ownerKeyOf(keys[1]!.publicKey.raw)!, data, await key!.sign(data))).toBe(false)
    expect(verifies(signer, data, new Uint8Array(3))).toBe(false)
  })

  it('refuses what is not an Ed25519 key or peer id', async () => {
    const secp = await generateKeyPair('secp256k1')
    expect(() => signingKeyOf(secp)).toThrow(/Only Ed25519 keys sign records, not secp256k1/)
    expect(ownerKeyOf(new Uint8Array(31))).toBeUndefined()
    const secpId = peerIdFromPrivateKey(secp)
    expect(isEd25519PeerId(secpId.toMultihash().bytes)).toBe(false)
    // A secp256k1 id embeds its key too, so a signer check can still read it.
    expect(keyProtobufOfPeerId(secpId.toString())).toEqual(publicKeyToProtobuf(secp.publicKey))
    expect(peerIdBytes('not base58: 0OIl')).toBeUndefined()
    const rsa = peerIdFromPrivateKey(await generateKeyPair('RSA', 1024))
    expect(keyProtobufOfPeerId(rsa.toString())).toBeUndefined()
  })
})
