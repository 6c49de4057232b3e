/**
 * What sealing and opening one record costs: every delivered record is opened once at every node (signature,
 * decoding, limits), so this is the registry's own floor under the CPU per delivery (bench/delivery-cost.ts
 * measures the whole stack around it). Beside it, the bare Ed25519 signature and verification on node:crypto
 * with the key imported once: what is left above those is envelope and record work.
 *
 *   npx tsx bench/envelope-cost.ts [--records 2000] [--rounds 8] [--out bench/results/full]
 *
 * Appends one JSON line to <out>/envelope-cost.jsonl. Times are the best round's, in microseconds a record:
 * the first rounds run before V8 has optimised the path.
 */
import { generateKeyPairSync, sign, verify } from 'node:crypto'
import { generateKeyPair } from '@libp2p/crypto/keys'
import type { PrivateKey } from '@libp2p/interface'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { openRecord, sealRecord } from '../src/record/sign.js'
import type { InstanceRecord } from '../src/record/types.js'
import { benchArgs, isMain } from './report/cli.js'
import { writeJsonLine } from './report/jsonl.js'
import { round } from './report/stats.js'

/** Owners the records are spread over, as in a cluster where a few nodes write. */
const OWNERS = 20

export interface EnvelopeCostResult {
  readonly bench: 'envelope-cost'
  readonly records: number
  readonly envelopeBytes: number
  readonly sealUs: number
  readonly openUs: number
  /** node:crypto alone, on a message of the envelope's size, the key object made once. */
  readonly ed25519SignUs: number
  readonly ed25519VerifyUs: number
}

function instance (owner: string, i: number): InstanceRecord {
  return {
    kind: 'instance', deleted: false, owner, id: `i-${i}`, namespace: 'default', stamp: { wall: 1_700_000_000_000 + i, logical: 0 },
    service: 'orders', version: '2.1.0', address: '10.0.0.1', port: 8080, tags: ['eu'], metadata: { zone: 'a' }, weight: 1, status: 'passing'
  }
}

/** The best of `rounds` timings of `body` over `count` items, in microseconds an item. */
async function best (rounds: number, count: number, body: () => Promise<void> | void): Promise<number> {
  let fastest = Infinity
  for (let r = 0; r < rounds; r++) {
    const start = performance.now()
    await body()
    fastest = Math.min(fastest, (performance.now() - start) * 1_000 / count)
  }
  return round(fastest, 1)
}

export async function runEnvelopeCost (options: { records: number, rounds: number, out: string }): Promise<EnvelopeCostResult> {
  const keys: PrivateKey[] = await Promise.all(Array.from({ length: OWNERS }, async () => generateKeyPair('Ed25519')))
  const records = Array.from({ length: options.records }, (_, i) => instance(peerIdFromPrivateKey(keys[i % OWNERS]!).toString(), i))
  const envelopes: Uint8Array[] = []
  const sealUs = await best(options.rounds, records.length, async () => {
    envelopes.length = 0
    for (let i = 0; i < records.length; i++) envelopes.push(await sealRecord(records[i]!, keys[i % OWNERS]!))
  })
  const expect = { maxBytes: 4_096, namespace: 'default' }
  const openUs = await best(options.rounds, envelopes.length, async () => {
    for (const envelope of envelopes) {
      if (!(await openRecord(envelope, expect)).ok) throw new Error('a sealed record did not open')
    }
  })
  const pair = generateKeyPairSync('ed25519')
  const message = new Uint8Array(envelopes[0]!.length).fill(7)
  const signature = sign(null, message, pair.privateKey)
  const ed25519SignUs = await best(options.rounds, records.length, () => { for (let i = 0; i < records.length; i++) sign(null, message, pair.privateKey) })
  const ed25519VerifyUs = await best(options.rounds, records.length, () => { for (let i = 0; i < records.length; i++) verify(null, message, pair.publicKey, signature) })
  const result: EnvelopeCostResult = { bench: 'envelope-cost', records: records.length, envelopeBytes: envelopes[0]!.length, sealUs, openUs, ed25519SignUs, ed25519VerifyUs }
  writeJsonLine(`${options.out}/envelope-cost.jsonl`, result)
  return result
}

if (isMain(import.meta.url)) {
  const values = benchArgs(import.meta.url, { records: { type: 'string', default: '2000' }, rounds: { type: 'string', default: '8' }, out: { type: 'string', default: 'bench/results/full' } })
  console.log(JSON.stringify(await runEnvelopeCost({ records: Number(values.records), rounds: Number(values.rounds), out: values.out })))
}
