/**
 * Starts and stops clusters of real registry nodes on loopback for integration tests: mDNS off, the test
 * preset's fast timings, each node's logs prefixed with its index.
 */
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { createRegistry, PRESETS, type Registry, type RegistryOptions } from '../../src/index.js'

/** A set of nodes that a test stops in `afterEach`. */
export class Cluster {
  readonly nodes: Registry[] = []

  /** Starts one node; bootstraps to the first node of the cluster unless told otherwise. */
  async start (options: RegistryOptions = {}): Promise<Registry> {
    const first = this.nodes.find((node) => !isStopped(node))
    const node = await createRegistry({
      ...PRESETS.test,
      mdns: false,
      bootstrap: first === undefined ? [] : [first.multiaddrs[0]!],
      logPrefix: `n${this.nodes.length}`,
      ...options
    })
    this.nodes.push(node)
    return node
  }

  /** Starts `count` nodes, one after the other. */
  async startMany (count: number, options: RegistryOptions = {}): Promise<Registry[]> {
    const started: Registry[] = []
    for (let i = 0; i < count; i++) started.push(await this.start(options))
    return started
  }

  /** Two nodes, once the second sees both alive (within 10 s): an owner and a peer that watches it. */
  async startPair (): Promise<[Registry, Registry]> {
    const [owner, peer] = await this.startMany(2)
    const deadline = Date.now() + 10_000
    while (peer!.members().filter((m) => m.state === 'alive').length < 2) {
      if (Date.now() > deadline) throw new Error('the pair did not see each other alive within 10 s')
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    return [owner!, peer!]
  }

  /** Nodes that have not been stopped. */
  live (): Registry[] {
    return this.nodes.filter((node) => !isStopped(node))
  }

  /** Stops every node still running. */
  async stopAll (): Promise<void> {
    await Promise.allSettled(this.live().map(async (node) => node.stop()))
  }
}

/**
 * Hangs a node as a frozen process would look from outside: it stops beating and answering (its driver and its
 * engine stop) while its connections stay open, so peers can tell only by silence, never by a refused dial.
 */
export async function hang (node: Registry): Promise<void> {
  const internals = node as unknown as { driver?: { stop: () => void }, engine: { stop: (leave: boolean) => Promise<void> } }
  internals.driver?.stop()
  await internals.engine.stop(false)
}

/** A fresh Ed25519 key, for tests that restart a node with the same identity. */
export async function newKey (): Promise<PrivateKey> {
  return generateKeyPair('Ed25519')
}

function isStopped (node: Registry): boolean {
  return (node as unknown as { stopped: boolean }).stopped
}
