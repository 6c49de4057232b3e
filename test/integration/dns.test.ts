/**
 * The DNS interface (src/gateway/dns.ts) asked by Node's own resolver (c-ares, a client nobody here wrote) on
 * loopback: A, AAAA and SRV answers for healthy instances only, the `.addr.` targets, NXDOMAIN for unknown names,
 * and garbage datagrams dropped while the server keeps answering. Then the agent's `--dns` flag end to end.
 */
import { createSocket } from 'node:dgram'
import { Resolver } from 'node:dns/promises'
import dnsPacket from 'dns-packet'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { addressToHex, answerPacket, hexToAddress, startDnsServer, Zone, type DnsServer, type DnsSource } from '../../src/gateway/dns.js'
import { createRegistry, PRESETS, type Instance, type Registry } from '../../src/index.js'
import { startAgent, type Agent } from '../support/agents.js'

let registry: Registry
let server: DnsServer
let resolver: Resolver

const name = (service: string): string => `${service}.service.default.gossip-registry`

beforeAll(async () => {
  registry = await createRegistry({ ...PRESETS.test, logPrefix: 'dns' })
  await registry.register({ service: 'orders', version: '1.0.0', address: '127.0.0.1', port: 7_001, weight: 5 })
  await registry.register({ service: 'orders', version: '1.0.0', address: '127.0.0.2', port: 7_002, weight: 10 })
  await registry.register({ service: 'orders', version: '1.0.0', address: '127.0.0.3', port: 7_003, status: 'critical' })
  await registry.register({ service: 'orders', version: '1.0.0', address: 'orders-4.example', port: 7_004 })
  await registry.register({ service: 'orders', version: '1.0.0', address: '::1', port: 7_005 })
  await registry.register({ service: 'down', version: '1.0.0', address: '127.0.0.9', port: 7_009, status: 'critical' })
  server = await startDnsServer(registry, { host: '127.0.0.1', port: 0 })
  resolver = new Resolver({ timeout: 2_000, tries: 2 })
  resolver.setServers([`127.0.0.1:${server.address().port}`])
})

afterAll(async () => {
  await server?.close()
  await registry?.stop()
})

describe('the DNS interface, asked by node:dns', () => {
  it('answers A with the IPv4 address of each healthy instance, leaving out the critical one', async () => {
    expect((await resolver.resolve4(name('orders'))).sort()).toEqual(['127.0.0.1', '127.0.0.2'])
    const withTtl = await resolver.resolve4(name('orders'), { ttl: true })
    expect(withTtl.map((r) => r.ttl)).toEqual([0, 0])
  })

  it('answers AAAA with IPv6 instances, and matches the service name without regard to case', async () => {
    expect(await resolver.resolve6(name('orders'))).toEqual(['::1'])
    expect((await resolver.resolve4('ORDERS.Service.Default.Gossip-Registry')).sort()).toEqual(['127.0.0.1', '127.0.0.2'])
  })

  it('answers SRV with weight, port and a target that resolves', async () => {
    const records = (await resolver.resolveSrv(name('orders'))).sort((a, b) => a.port - b.port)
    expect(records).toEqual([
      { name: '7f000001.addr.default.gossip-registry', port: 7_001, priority: 1, weight: 5 },
      { name: '7f000002.addr.default.gossip-registry', port: 7_002, priority: 1, weight: 10 },
      { name: 'orders-4.example', port: 7_004, priority: 1, weight: 1 },
      { name: '00000000000000000000000000000001.addr.default.gossip-registry', port: 7_005, priority: 1, weight: 1 }
    ])
    expect(await resolver.resolve4('7f000002.addr.default.gossip-registry')).toEqual(['127.0.0.2'])
    expect(await resolver.resolve6('00000000000000000000000000000001.addr.default.gossip-registry')).toEqual(['::1'])
  })

  it('is NXDOMAIN for an unknown service, a service with no healthy instance, and names outside the zone', async () => {
    for (const unknown of [name('nope'), name('down'), 'orders.service.other.gossip-registry', 'example.com', 'zz.addr.default.gossip-registry']) {
      await expect(resolver.resolve4(unknown), unknown).rejects.toMatchObject({ code: 'ENOTFOUND' })
    }
  })

  it('ignores garbage datagrams and keeps answering', async () => {
    const socket = createSocket('udp4')
    const header = Buffer.from([0x12, 0x34, 0x01, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])
    const response = dnsPacket.encode({ type: 'response', id: 7, questions: [{ type: 'A', name: name('orders') }] })
    const garbage = [Buffer.from('not a dns packet at all'), Buffer.alloc(3), header, Buffer.concat([header, Buffer.alloc(500, 0xc0)]), Buffer.alloc(9_000, 0x41), response]
    const replies: Buffer[] = []
    socket.on('message', (message) => { replies.push(message) })
    try {
      for (const datagram of garbage) {
        await new Promise<void>((resolve, reject) => { socket.send(datagram, server.address().port, '127.0.0.1', (err) => { if (err === null) resolve(); else reject(err) }) })
      }
      // Sent after the garbage on the same path: once it is answered, the garbage has been handled.
      expect((await resolver.resolve4(name('orders'))).sort()).toEqual(['127.0.0.1', '127.0.0.2'])
      expect(replies).toEqual([])
    } finally {
      socket.close()
    }
  })
})

describe('DNS answers (no network)', () => {
  const many: DnsSource = {
    services: () => ['big'],
    lookup: () => Array.from({ length: 200 }, (_, i) => ({ id: `i${i}`, address: `10.0.${i >> 8}.${i & 255}`, port: 1_000 + i, weight: 1 }) as unknown as Instance)
  }
  const zone = new Zone(many, 'default', 0)
  const ask = (type: 'A' | 'SRV', edns = false): Buffer => dnsPacket.encode({
    type: 'query',
    id: 1,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ type, name: name('big') }],
    ...(edns && { additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 4_096, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }] })
  })

  it('cuts a long answer to the response size and sets TC', () => {
    for (const [type, edns, limit] of [['A', false, 512], ['SRV', false, 512], ['A', true, 1_232], ['SRV', true, 1_232]] as const) {
      const reply = answerPacket(zone, ask(type, edns))!
      expect(reply.length, `${type} edns=${edns}`).toBeLessThanOrEqual(limit)
      const decoded = dnsPacket.decode(reply)
      expect(decoded.flag_tc).toBe(true)
      expect(decoded.answers!.length).toBeGreaterThanOrEqual(type === 'A' ? 8 : 4)
    }
  })

  it('answers FORMERR to a query with two questions, and NODATA to a type it does not serve', () => {
    const two = dnsPacket.encode({ type: 'query', id: 2, questions: [{ type: 'A', name: name('big') }, { type: 'A', name: name('big') }] })
    expect(dnsPacket.decode(answerPacket(zone, two)!)).toMatchObject({ id: 2, rcode: 'FORMERR', answers: [] })
    const txt = dnsPacket.encode({ type: 'query', id: 3, questions: [{ type: 'TXT', name: name('big') }] })
    expect(dnsPacket.decode(answerPacket(zone, txt)!)).toMatchObject({ id: 3, rcode: 'NOERROR', answers: [] })
  })

  it('spells addresses as .addr. labels and back', () => {
    for (const [address, hex] of [['127.0.0.1', '7f000001'], ['::1', '0'.repeat(31) + '1'], ['fe80::1:2', 'fe80' + '0'.repeat(20) + '00010002'], ['::ffff:10.0.0.1', '0'.repeat(20) + 'ffff0a000001']] as const) {
      expect(addressToHex(address)).toBe(hex)
    }
    expect(hexToAddress('0a000001')).toBe('10.0.0.1')
    expect(hexToAddress('nothex12')).toBeUndefined()
  })
})

describe('the agent with --dns', () => {
  let agent: Agent | undefined

  afterAll(async () => { await agent?.stop() })

  it('serves the instances registered over HTTP', async () => {
    agent = await startAgent(['--dns', '127.0.0.1:0', '--namespace', 'dnsns'])
    const started = agent
    const port = await vi.waitFor(() => {
      const found = Number(/serving DNS on 127\.0\.0\.1:(\d+)/.exec(started.output())?.[1])
      expect(found).toBeGreaterThan(0)
      return found
    }, { timeout: 10_000 })
    const registered = await fetch(`${agent.url}/payments/3.1.0/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ address: '127.0.0.7', port: 8_443 }) })
    expect(registered.ok).toBe(true)
    const agentResolver = new Resolver({ timeout: 2_000, tries: 2 })
    agentResolver.setServers([`127.0.0.1:${port}`])
    expect(await agentResolver.resolve4('payments.service.dnsns.gossip-registry')).toEqual(['127.0.0.7'])
    expect(await agentResolver.resolveSrv('payments.service.dnsns.gossip-registry')).toMatchObject([{ name: '7f000007.addr.dnsns.gossip-registry', port: 8_443 }])
  })
})
