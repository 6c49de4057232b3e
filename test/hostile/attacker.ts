/**
 * A hostile peer for tests: a libp2p node with the registry's own wire setup that joins a cluster and sends
 * whatever the test asks, on the records topic, the heartbeat protocol and the anti-entropy protocol.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { peerIdFromPrivateKey, peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { lpStream } from 'it-length-prefixed-stream'
import { PRESETS, resolveConfig } from '../../src/index.js'
import { createNode, type RegistryLibp2p } from '../../src/net/node.js'
import { beatProtocol, recordsTopic, syncProtocol } from '../../src/net/protocols.js'
import { sealRecord } from '../../src/record/sign.js'
import type { InstanceRecord } from '../../src/record/types.js'

/** A connected hostile peer. */
export class Attacker {
  readonly peerId: string
  private constructor (readonly node: RegistryLibp2p, readonly key: PrivateKey) {
    this.peerId = peerIdFromPrivateKey(key).toString()
  }

  /** Starts an attacker subscribed to the records topic of `namespace`. */
  static async start (namespace = 'default'): Promise<Attacker> {
    const key = await generateKeyPair('Ed25519')
    const node = await createNode(resolveConfig({ ...PRESETS.test, namespace }), key)
    node.services.pubsub.subscribe(recordsTopic(namespace))
    return new Attacker(node, key)
  }

  /** Connects to a node by multiaddr and waits until it is a topic peer (bounded). */
  async join (addr: string, peerId: string, timeoutMs = 10_000): Promise<void> {
    await this.node.dial(multiaddr(addr))
    const deadline = Date.now() + timeoutMs
    while (!this.node.services.pubsub.getSubscribers(recordsTopic('default')).map(String).includes(peerId)) {
      if (Date.now() > deadline) throw new Error(`${peerId} never became a topic peer`)
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
  }

  /** Gossips raw bytes on the records topic. */
  async publish (data: Uint8Array): Promise<void> {
    await this.node.services.pubsub.publish(recordsTopic('default'), data)
  }

  /** An instance record owned (and signed) by the attacker itself. */
  async ownRecord (fields: Partial<InstanceRecord> = {}): Promise<Uint8Array> {
    return sealRecord({
      kind: 'instance', deleted: false, owner: this.peerId, id: 'evil', namespace: 'default', stamp: { wall: Date.now(), logical: 0 },
      service: 'orders', version: '6.6.6', address: '6.6.6.6', port: 666, tags: [], metadata: {}, weight: 1, status: 'passing',
      ...fields
    } as InstanceRecord, this.key)
  }

  /** Sends length-prefixed frames on a stream protocol to a peer; returns when written (or the peer hung up). */
  async sendFrames (peerId: string, protocol: 'beat' | 'sync', frames: Uint8Array[]): Promise<void> {
    const name = protocol === 'beat' ? beatProtocol('default') : syncProtocol('default')
    try {
      const stream = await this.node.dialProtocol(peerIdFromString(peerId), name, { signal: AbortSignal.timeout(5_000) })
      const lp = lpStream(stream)
      for (const frame of frames) await lp.write(frame, { signal: AbortSignal.timeout(5_000) })
      await stream.close({ signal: AbortSignal.timeout(5_000) }).catch(() => {})
    } catch {
      // The peer refusing or dropping us is one of the outcomes the tests look for.
    }
  }

  async stop (): Promise<void> {
    await this.node.stop()
  }
}
