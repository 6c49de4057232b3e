/**
 * Valid records of each kind for the record tests; tests derive invalid ones by overriding one field.
 */
import type { InstanceRecord, InstanceTombstone, MemberRecord } from '../../../src/record/types.js'

/** The required fields of `register()`, valid. */
export const validFields = { service: 'orders', version: '2.1.0', address: '10.0.0.1', port: 8080 } as const

export function instanceOf (owner: string): InstanceRecord {
  return {
    kind: 'instance', deleted: false, owner, id: 'i-1', namespace: 'default', stamp: { wall: 1_700_000_000_000, logical: 3 },
    service: 'orders', version: '2.1.0', address: '10.0.0.1', port: 8080, tags: ['eu', 'canary'], metadata: { zone: 'a', 'git.sha': 'abc' }, weight: 5, status: 'warning'
  }
}

export function tombstoneOf (owner: string): InstanceTombstone {
  return { kind: 'instance', deleted: true, owner, id: 'i-1', namespace: 'default', stamp: { wall: 1_700_000_000_001, logical: 0 }, service: 'orders' }
}

export function memberOf (owner: string): MemberRecord {
  return {
    kind: 'member', deleted: false, owner, id: '', namespace: 'default', stamp: { wall: 1_700_000_000_002, logical: 0 },
    addrs: ['/ip4/127.0.0.1/tcp/4001', '/ip6/::1/tcp/4001'], chain: { chainId: 77, anchor: new Uint8Array(16).fill(5), length: 4096 }, leaving: true, name: 'web-1.eu'
  }
}

/** Number of fast-check runs: `FC_RUNS` from the environment, 200 by default. */
export const numRuns = Number(process.env.FC_RUNS ?? 200)
