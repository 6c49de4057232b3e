/**
 * LAN demo (needs root): builds three hosts as network namespaces on one bridge, starts a node in each with
 * mDNS on and no addresses configured, registers a service on each, and prints what host 1 sees as it
 * converges. Cleans up on exit or Ctrl-C. Run: sudo npm run demo:lan
 * (It reuses the namespace harness of the test suite, test/support/netns.ts.)
 */
import type { Instance, Member } from '../../src/index.js'
import { canUseNetns, Lan, NsNode } from '../../test/support/netns.js'

if (!canUseNetns()) {
  console.error('The LAN demo needs root and `ip netns` (it creates three network namespaces).')
  process.exit(1)
}
const lan = new Lan(3, '10.89.0')
const nodes: NsNode[] = []
let stopping = false
process.once('SIGINT', () => { stopping = true })
try {
  lan.create()
  for (const [i, ns] of lan.hosts.entries()) {
    nodes.push(new NsNode(ns, { mdns: true, mdnsInterval: 1_000, listen: [`/ip4/${lan.address(i)}/tcp/0`] }))
  }
  const ids = await Promise.all(nodes.map(async (node) => node.peerId))
  ids.forEach((id, i) => { console.log(`host ${i + 1} ${lan.address(i)}  peer ${id}`) })
  const seconds = Number(process.env.DEMO_SECONDS ?? 12)
  for (let second = 1; second <= seconds && !stopping; second++) {
    if (second <= 3) await nodes[second - 1]!.call('register', { service: `svc-${second}`, version: '1.0.0', address: lan.address(second - 1), port: 8000 + second })
    const members = await nodes[0]!.call<Member[]>('members')
    const services = await nodes[0]!.call<string[]>('services')
    const instances = (await Promise.all(services.map(async (s) => nodes[0]!.call<Instance[]>('lookup', s)))).flat()
    console.log(`\n[t=${second}s] host 1 sees ${members.length} member(s): ${members.map((m) => `${m.peerId.slice(-6)}=${m.state}`).join(' ')}`)
    for (const i of instances) console.log(`  ${i.service}@${i.version} ${i.address}:${i.port}`)
    await new Promise((resolve) => setTimeout(resolve, 1_000))
  }
} finally {
  await Promise.allSettled(nodes.map(async (node) => node.stop()))
  lan.destroy()
  console.log('\nnamespaces removed')
}
