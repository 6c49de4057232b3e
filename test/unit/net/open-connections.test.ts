/**
 * The connections a node keeps from libp2p's open and close events: every connection once, peers counted by
 * their connections, a peer gone only when its last connection closes, and repeated events harmless.
 */
import type { Connection } from '@libp2p/interface'
import { describe, expect, it } from 'vitest'
import { OpenConnections } from '../../../src/net/open-connections.js'

function connection (id: string, peer: string): Connection {
  return { id, remotePeer: { toString: () => peer }, status: 'open' } as unknown as Connection
}

describe('OpenConnections', () => {
  it('counts a peer until its last connection closes, and takes repeated events once', () => {
    const connections = new OpenConnections()
    const [a1, a2, b1] = [connection('1', 'A'), connection('2', 'A'), connection('3', 'B')]
    connections.opened(a1)
    connections.opened(a2)
    connections.opened(a2)
    connections.opened(b1)
    expect({ size: connections.size, peers: connections.peerCount }).toEqual({ size: 3, peers: 2 })
    expect([...connections.all()].map((c) => `${c.id}:${c.peer}`)).toEqual(['1:A', '2:A', '3:B'])
    connections.closed(a1)
    connections.closed(a1)
    expect(connections.has('A')).toBe(true)
    expect(connections.size).toBe(2)
    connections.closed(a2)
    expect(connections.has('A')).toBe(false)
    expect([...connections.peers()]).toEqual(['B'])
    connections.closed(connection('9', 'C'))
    expect({ size: connections.size, peers: connections.peerCount }).toEqual({ size: 1, peers: 1 })
  })
})
