/**
 * A gossipsub-shaped broadcast for small signed messages (alerts, refutations): the origin floods to every
 * connection (gossipsub's flood publishing), every node forwards a message it sees for the first time to its
 * mesh peers except the one it came from, and duplicates are dropped by message id. Once per gossip heartbeat,
 * a node that saw messages in the last `history` heartbeats sends IHAVE with their ids to `lazy` non-mesh
 * connections; a peer missing one answers IWANT and gets it. Every message is subject to the engine's loss.
 */
import type { Overlay } from '../simulate/overlay.js'
import type { Engine } from './engine.js'
import { MESSAGE_ID, TYPE } from './sizes.js'

export interface GossipConfig {
  readonly lazy: number
  readonly heartbeatMs: number
  readonly history: number
}

export const GOSSIP_DEFAULTS: GossipConfig = { lazy: 6, heartbeatMs: 1_000, history: 3 }

interface Message {
  readonly id: number
  readonly bytes: number
  readonly kind: string
  readonly handle: (node: number) => void
}

export class Gossip {
  private readonly seen: Array<Set<number>>
  private readonly recent: Array<Array<{ message: Message, heartbeat: number }>>
  private readonly heartbeats: Int32Array
  private nextId = 0

  constructor (private readonly engine: Engine, private readonly overlay: Overlay, private readonly config: GossipConfig = GOSSIP_DEFAULTS) {
    const n = engine.nodes
    this.seen = Array.from({ length: n }, () => new Set<number>())
    this.recent = Array.from({ length: n }, () => [])
    this.heartbeats = new Int32Array(n)
  }

  start (): void {
    for (let node = 0; node < this.engine.nodes; node++) {
      this.engine.timer(node, this.engine.rng.next() * this.config.heartbeatMs, () => { this.heartbeatLoop(node) })
    }
  }

  /** `origin` publishes; `handle` runs at every node that receives the message, the origin first. */
  publish (origin: number, bytes: number, kind: string, handle: (node: number) => void): void {
    const message: Message = { id: this.nextId++, bytes, kind, handle }
    this.accept(origin, message)
    for (const to of this.overlay.neighbours[origin]!) this.forward(message, origin, to)
  }

  private forward (message: Message, from: number, to: number): void {
    if (this.engine.isCrashed(to)) return
    this.engine.send(message.kind, message.bytes, to, () => { this.receive(to, message, from) })
  }

  private accept (node: number, message: Message): boolean {
    const seen = this.seen[node]!
    if (seen.has(message.id)) return false
    seen.add(message.id)
    this.recent[node]!.push({ message, heartbeat: this.heartbeats[node]! })
    message.handle(node)
    return true
  }

  private receive (node: number, message: Message, from: number): void {
    if (!this.accept(node, message)) return
    for (const to of this.overlay.mesh[node]!) if (to !== from) this.forward(message, node, to)
  }

  private heartbeatLoop (node: number): void {
    this.heartbeat(node)
    this.engine.timer(node, this.config.heartbeatMs, () => { this.heartbeatLoop(node) })
  }

  private heartbeat (node: number): void {
    const beat = ++this.heartbeats[node]!
    const recent = this.recent[node]!
    if (recent.length === 0) return
    const kept = recent.filter((m) => beat - m.heartbeat <= this.config.history)
    this.recent[node] = kept
    if (kept.length === 0) return
    const mesh = this.overlay.mesh[node]!
    const lazy = this.overlay.neighbours[node]!.filter((j) => !mesh.has(j) && !this.engine.isCrashed(j))
    const offered = kept.map((m) => m.message)
    for (const to of this.engine.rng.sample(lazy, this.config.lazy)) {
      this.engine.send('gossip-ctrl', TYPE + offered.length * MESSAGE_ID, to, () => {
        const wanted = offered.filter((m) => !this.seen[to]!.has(m.id))
        if (wanted.length === 0) return
        this.engine.send('gossip-ctrl', TYPE + wanted.length * MESSAGE_ID, node, () => {
          for (const m of wanted) this.forward(m, node, to)
        })
      })
    }
  }
}
