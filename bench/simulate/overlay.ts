/**
 * The modelled overlay: who is connected to whom, and the gossipsub mesh within those connections.
 *
 * Connections: every node dials `targetPeers` random others (as `maintain` does from the member list), and
 * accepts whoever dials it, so degrees average about twice the target. Mesh: each node grafts up to
 * `meshDegree` of its connections (gossipsub's D); grafts are symmetric, as GRAFT is answered in kind.
 */
import type { Rng } from './rng.js'

/** Connections and mesh links by node index. */
export interface Overlay {
  readonly neighbours: ReadonlyArray<readonly number[]>
  readonly mesh: ReadonlyArray<ReadonlySet<number>>
}

/** Builds a random overlay of `nodes` nodes. */
export function buildOverlay (nodes: number, targetPeers: number, meshDegree: number, rng: Rng): Overlay {
  const links = Array.from({ length: nodes }, () => new Set<number>())
  const dials = Math.min(targetPeers, nodes - 1)
  for (let i = 0; i < nodes; i++) {
    // Bounded: a few tries per wanted link; a small cluster simply ends up fully connected.
    for (let tries = 0; links[i]!.size < dials && tries < dials * 8; tries++) {
      const j = rng.below(nodes)
      if (j === i) continue
      links[i]!.add(j)
      links[j]!.add(i)
    }
  }
  const neighbours = links.map((set) => [...set])
  const mesh = Array.from({ length: nodes }, () => new Set<number>())
  for (let i = 0; i < nodes; i++) {
    for (const j of rng.sample(neighbours[i]!, meshDegree)) {
      if (mesh[i]!.size >= meshDegree) break
      mesh[i]!.add(j)
      mesh[j]!.add(i)
    }
  }
  return { neighbours, mesh }
}
