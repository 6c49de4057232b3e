/**
 * Steady-state cost of a cluster in one process: N nodes on loopback (mDNS off, default 1 s heartbeats),
 * after they converge, for a fixed window: bytes per second per node in and out (registry payload bytes, not
 * counting noise/yamux framing) and the CPU of the whole process. Bounded: it stops by itself.
 *
 *   npx tsx bench/scenarios/steady-state.ts [nodes=20] [seconds=10]
 *
 * Prints one JSON line. The full benchmark suite (several processes, N up to 200) is the benchmarks' job.
 */
import { createRegistry, type Registry } from '../../src/index.js'

const nodes = Number(process.argv[2] ?? 20)
const seconds = Number(process.argv[3] ?? 10)
const CONVERGE_TIMEOUT_MS = 60_000

const cluster: Registry[] = []
const first = await createRegistry({ mdns: false, listen: ['/ip4/127.0.0.1/tcp/0'] })
cluster.push(first)
for (let i = 1; i < nodes; i++) {
  cluster.push(await createRegistry({ mdns: false, listen: ['/ip4/127.0.0.1/tcp/0'], bootstrap: [first.multiaddrs[0]!] }))
}

const startedAt = Date.now()
while (!cluster.every((node) => node.members().filter((m) => m.state === 'alive').length === nodes)) {
  if (Date.now() - startedAt > CONVERGE_TIMEOUT_MS) throw new Error(`members did not converge within ${CONVERGE_TIMEOUT_MS} ms`)
  await new Promise((resolve) => setTimeout(resolve, 100))
}
const convergedMs = Date.now() - startedAt

const total = (key: 'bytesIn' | 'bytesOut'): number => cluster.reduce((sum, node) => {
  const counts = node.stats.snapshot()[key]
  return sum + counts.beats + counts.gossip + counts.sync
}, 0)
const inBefore = total('bytesIn')
const outBefore = total('bytesOut')
const cpuBefore = process.cpuUsage()
await new Promise((resolve) => setTimeout(resolve, seconds * 1000))
const cpu = process.cpuUsage(cpuBefore)
const suspects = cluster.reduce((sum, node) => sum + node.members().filter((m) => m.state !== 'alive').length, 0)

console.log(JSON.stringify({
  bench: 'steady-state',
  nodes,
  seconds,
  membersConvergedMs: convergedMs,
  bytesInPerNodePerSec: Math.round((total('bytesIn') - inBefore) / nodes / seconds),
  bytesOutPerNodePerSec: Math.round((total('bytesOut') - outBefore) / nodes / seconds),
  cpuPercentOfOneCore: Number(((cpu.user + cpu.system) / 1e6 / seconds * 100).toFixed(1)),
  notAliveAtEnd: suspects,
  rssMb: Math.round(process.memoryUsage().rss / 1e6)
}))
await Promise.all(cluster.map(async (node) => node.stop()))
