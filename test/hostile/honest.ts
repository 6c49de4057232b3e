/**
 * What the hostile tests assert of the honest cluster: nobody honest was struck or died, and a new registration
 * still reaches every node.
 */
import { expect, vi } from 'vitest'
import type { Rejected, Registry } from '../../src/index.js'

/** Records every refusal that counted against an honest node, at any honest node, from now on. */
export function watchBlame (nodes: readonly Registry[]): () => string[] {
  const honest = new Set(nodes.map((n) => n.peerId))
  const blamed: string[] = []
  for (const node of nodes) {
    node.addEventListener('record:rejected', (event) => {
      const { from, struck, reason, detail } = (event as CustomEvent<Rejected>).detail
      if (struck === true && from !== undefined && honest.has(from)) blamed.push(`${node.peerId} struck ${from}: ${reason} (${detail})`)
    })
  }
  return () => blamed
}

/** Every honest node holds every other honest node alive. */
export function expectAllAlive (nodes: readonly Registry[]): void {
  for (const node of nodes) {
    for (const other of nodes) {
      if (other === node) continue
      expect(node.members().find((m) => m.peerId === other.peerId)?.state, `${other.peerId} at ${node.peerId}`).toBe('alive')
    }
  }
}

/** A new instance registered at `origin` is visible at every node within `timeoutMs`. */
export async function expectRegistrationConverges (origin: Registry, nodes: readonly Registry[], timeoutMs = 10_000): Promise<void> {
  const service = `probe-${Math.random().toString(36).slice(2, 8)}`
  const instance = await origin.register({ service, version: '1.0.0', address: '10.9.9.9', port: 9 })
  await vi.waitFor(() => {
    for (const node of nodes) expect(node.lookup(service).map((i) => i.id), node.peerId).toEqual([instance.id])
  }, { timeout: timeoutMs, interval: 50 })
}
