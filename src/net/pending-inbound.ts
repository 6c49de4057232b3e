/**
 * Inbound connections still in their handshake, by remote address. libp2p bounds them all together
 * (`maxIncomingPendingConnections`) and each in time (`inboundUpgradeTimeout`), not per address: idle sockets
 * from one host could take every slot and lock all other hosts out for the whole timeout.
 */
import type { MultiaddrConnection } from '@libp2p/interface'
import type { RejectReason } from '../reject-reason.js'

/** Counts and bounds the inbound connections in their handshake per address. */
export class PendingInbound {
  /** Per address, oldest first. Entries leave when swept: upgraded, closed, or evicted. */
  private readonly byAddress = new Map<string, MultiaddrConnection[]>()
  /** Where closed connections are reported: set by the network, whose engine counts them. */
  onDropped: (reason: RejectReason, detail: string) => void = () => {}

  constructor (
    private readonly perAddress: number,
    private readonly upgradeTimeoutMs: number
  ) {}

  /**
   * A connection from `maConn.remoteAddr` starts its handshake. At the bound, the address's oldest pending
   * connection is closed rather than the new one refused: an honest handshake ends in milliseconds, so the oldest
   * is the likeliest to be idle, and refusing newcomers would lock honest nodes sharing the address (NAT,
   * containers, one host) out until the idle ones time out.
   */
  admit (maConn: MultiaddrConnection): void {
    const address = maConn.remoteAddr.nodeAddress().address
    const pending = this.sweepAddress(address) ?? []
    if (pending.length >= this.perAddress) {
      const oldest = pending.shift()!
      this.onDropped('too-many-pending', `${this.perAddress} connections from ${address} still in their handshake: closed the oldest, ${oldest.remoteAddr.toString()}`)
      oldest.abort(new Error('too many pending connections from this address'))
    }
    pending.push(maConn)
    this.byAddress.set(address, pending)
  }

  /** Forgets connections whose handshake is over, counting those that ran out of time as stalled. */
  sweep (): void {
    for (const address of this.byAddress.keys()) this.sweepAddress(address)
  }

  private sweepAddress (address: string): MultiaddrConnection[] | undefined {
    const pending = this.byAddress.get(address)?.filter((maConn) => {
      const { open, upgraded, close } = maConn.timeline
      if (upgraded !== undefined) return false
      if (close === undefined) return true
      // Closed unfinished. A handshake that fails does so in milliseconds (a wrong network key, say): one that
      // lasted most of the bound ran into it (libp2p's timer starts on the event loop's cached clock, so a little
      // before `open` when the loop is busy accepting many sockets at once).
      if (close - open >= 0.9 * this.upgradeTimeoutMs) this.onDropped('stalled', `${maConn.remoteAddr.toString()} did not finish its handshake within ${this.upgradeTimeoutMs} ms`)
      return false
    })
    if (pending === undefined || pending.length === 0) {
      this.byAddress.delete(address)
      return undefined
    }
    this.byAddress.set(address, pending)
    return pending
  }
}
