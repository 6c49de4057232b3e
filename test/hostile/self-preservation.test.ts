/**
 * Issue 14, class 8, a self-preservation hijack: members made up for the purpose (fresh keys, real nodes speaking
 * the protocol) join, beat for a moment and fall silent just as a real member crashes, so that one death looks
 * like a mass silence and is held for `selfPreservationLimit`. Self-preservation counts only established members,
 * so the crash is a death at every honest node within deadAfter, and no honest node dies.
 */
import type { PrivateKey } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { DEFAULTS, PRESETS, type MemberChange, type Registry } from '../../src/index.js'
import type { FailureDetector } from '../../src/membership/detector.js'
import { Rings } from '../../src/membership/rings.js'
import { Cluster, hang, newKey } from '../support/cluster.js'

const { deadAfter, heartbeatInterval } = PRESETS.test
/** Loopback and a loaded 2-core machine add scheduling delay on top of the protocol's own bound. */
const SCHEDULING_SLACK_MS = 1_000

let cluster: Cluster

afterEach(async () => {
  await cluster.stopAll()
})

function detectorOf (node: Registry): FailureDetector {
  return (node as unknown as { replica: { detector: FailureDetector } }).replica.detector
}

function stateAt (node: Registry, peer: string): string | undefined {
  return node.members().find((m) => m.peerId === peer)?.state
}

/**
 * Keys for `count` fakes such that, in the view of the honest nodes and the fakes, the victim and every fake have
 * a survivor among their observers. A member watched by fakes alone is never accused by an honest node and lives
 * on as long as its observers say nothing: that is the observer-placement weakness docs/membership.md owns to
 * ("What it guarantees"), not what this test is about; here every silence is seen by an honest node, which is
 * the attack's strongest form against self-preservation.
 */
async function fakeKeys (survivors: readonly Registry[], victim: Registry, count: number): Promise<PrivateKey[]> {
  const survivorIds = new Set(survivors.map((n) => n.peerId))
  const rings = new Rings(DEFAULTS.observers)
  for (let attempt = 0; attempt < 200; attempt++) {
    const keys = await Promise.all(Array.from({ length: count }, async () => newKey()))
    const fakeIds = keys.map((key) => peerIdFromPrivateKey(key).toString())
    rings.update([...survivorIds, victim.peerId, ...fakeIds])
    if ([victim.peerId, ...fakeIds].every((member) => rings.observersOf(member).some((o) => survivorIds.has(o)))) return keys
  }
  throw new Error('no placement of the fakes in 200 draws leaves every silence to an honest observer')
}

/** Every node of `nodes` holds every member of `members` (other than itself) alive. */
async function allAlive (nodes: readonly Registry[], members: readonly Registry[]): Promise<void> {
  await vi.waitFor(() => {
    for (const node of nodes) {
      for (const other of members) if (other !== node) expect(stateAt(node, other.peerId), `${other.peerId} at ${node.peerId}`).toBe('alive')
    }
  }, { timeout: 10_000, interval: 50 })
}

describe('a self-preservation hijack', () => {
  it('does not keep a crashed member from dying when fresh members fall silent with it', async () => {
    cluster = new Cluster()
    const honest = await cluster.startMany(3)
    const formedAtMs = Date.now()
    const [survivors, victim] = [honest.slice(0, 2), honest[2]!]
    await allAlive(honest, honest)
    const instance = await victim.register({ service: 'shop', version: '1.0.0', address: '10.0.0.3', port: 80 })
    await vi.waitFor(() => { for (const node of survivors) expect(node.lookup('shop').map((i) => i.id)).toEqual([instance.id]) }, { timeout: 10_000, interval: 50 })

    // A node takes what it finds in its first deadAfter as established; the fakes must come after that to be
    // newcomers, as they would to a cluster that has been up for a while.
    await vi.waitFor(() => { expect(Date.now() - formedAtMs).toBeGreaterThanOrEqual(deadAfter) }, { timeout: deadAfter + 1_000, interval: 50 })
    const fakes: Registry[] = []
    for (const privateKey of await fakeKeys(survivors, victim, 4)) fakes.push(await cluster.start({ privateKey }))
    await allAlive(honest, fakes)
    for (const node of survivors) {
      const detector = detectorOf(node)
      for (const fake of fakes) expect(detector.isEstablished(fake.peerId, Date.now()), `fake ${fake.peerId} at ${node.peerId}`).toBe(false)
      for (const other of honest) if (other !== node) expect(detector.isEstablished(other.peerId, Date.now()), `${other.peerId} at ${node.peerId}`).toBe(true)
    }

    const diedAtMs = new Map<Registry, number>()
    const honestDeaths: string[] = []
    const honestIds = new Set(honest.map((n) => n.peerId))
    for (const node of survivors) {
      node.addEventListener('member:dead', (event) => {
        const { member } = (event as CustomEvent<MemberChange>).detail
        if (member.peerId === victim.peerId) diedAtMs.set(node, Date.now())
        else if (honestIds.has(member.peerId)) honestDeaths.push(`${member.peerId} at ${node.peerId}`)
      })
    }

    // The fakes hang (silent, connections open) as the victim crashes (no leave).
    const crashedAtMs = Date.now()
    await Promise.all([...fakes.map(async (fake) => hang(fake)), victim.stop({ leave: false })])

    const bound = deadAfter + heartbeatInterval + SCHEDULING_SLACK_MS
    await vi.waitFor(() => {
      for (const node of survivors) {
        expect(stateAt(node, victim.peerId), `victim at ${node.peerId}`).toBe('dead')
        expect(node.lookup('shop', { includeStale: true }), `instances at ${node.peerId}`).toEqual([])
      }
    }, { timeout: bound, interval: 25 })
    for (const node of survivors) expect(diedAtMs.get(node)! - crashedAtMs, `death at ${node.peerId}`).toBeLessThanOrEqual(bound)
    expect(honestDeaths).toEqual([])
    for (const node of survivors) {
      for (const other of survivors) if (other !== node) expect(stateAt(node, other.peerId), `${other.peerId} at ${node.peerId}`).toBe('alive')
    }
  })
})
