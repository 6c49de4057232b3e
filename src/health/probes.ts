/**
 * The probes behind HTTP, TCP and function checks. Each resolves to a status and never throws: a failure to
 * answer in time is an answer (critical).
 */
import { connect } from 'node:net'
import type { InstanceStatus } from '../record/types.js'
import type { ResolvedCheck } from './check.js'

/** Runs one probe of a check that this node runs itself. */
export async function probe (check: Exclude<ResolvedCheck, { kind: 'ttl' }>): Promise<InstanceStatus> {
  const signal = AbortSignal.timeout(check.timeout)
  try {
    switch (check.kind) {
      case 'http': return await probeHttp(check.url, check.expectedStatus, signal)
      case 'tcp': return await probeTcp(check.host, check.port, signal)
      case 'fn': return await probeFunction(check.fn, signal)
    }
  } catch {
    return 'critical'
  }
}

async function probeHttp (url: string, expected: number | undefined, signal: AbortSignal): Promise<InstanceStatus> {
  const response = await fetch(url, { signal, headers: { 'user-agent': 'gossip-registry-health-check' } })
  await response.body?.cancel()
  if (expected === undefined ? response.status >= 200 && response.status < 300 : response.status === expected) return 'passing'
  // Too Many Requests: alive but shedding load, as Consul reads it.
  return response.status === 429 ? 'warning' : 'critical'
}

async function probeTcp (host: string, port: number, signal: AbortSignal): Promise<InstanceStatus> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, signal })
    socket.once('connect', () => { socket.destroy(); resolve('passing') })
    socket.once('error', () => { socket.destroy(); resolve('critical') })
  })
}

async function probeFunction (fn: Extract<ResolvedCheck, { kind: 'fn' }>['fn'], signal: AbortSignal): Promise<InstanceStatus> {
  const timedOut = new Promise<InstanceStatus>((resolve) => { signal.addEventListener('abort', () => { resolve('critical') }, { once: true }) })
  const result = await Promise.race([Promise.resolve(fn(signal)), timedOut])
  if (result === undefined || result === true || result === 'passing') return 'passing'
  if (result === 'warning') return 'warning'
  return 'critical'
}
