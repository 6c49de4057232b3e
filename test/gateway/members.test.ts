/**
 * The member routes through inject(), in front of a real node with real peers on loopback: names in /v1/members,
 * and prune and force-leave acting on this node's view only: 409 for a member alive here or a name several members
 * have, 404 for one not listed, 400 for a malformed id, and a dead or left member forgotten.
 */
import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createGateway } from '../../src/gateway/server.js'
import type { Member, MemberChange, Registry } from '../../src/index.js'
import { Cluster } from '../support/cluster.js'

const cluster = new Cluster()
let home: Registry
let alive: Registry
let twinA: Registry
let twinB: Registry
let doomed: Registry
let app: FastifyInstance
const AUTH = { authorization: 'Bearer t0ken' }

const members = async (): Promise<Member[]> => (await app.inject({ url: '/v1/members' })).json().members as Member[]
const stateAtHome = async (peerId: string): Promise<string | undefined> => (await members()).find((m) => m.peerId === peerId)?.state
const forceLeave = async (id: string, headers: Record<string, string> = AUTH) => app.inject({ method: 'POST', url: `/v1/members/${encodeURIComponent(id)}/force-leave`, headers })

beforeAll(async () => {
  home = await cluster.start({ name: 'home' })
  alive = await cluster.start({ name: 'alive-one' })
  twinA = await cluster.start({ name: 'twin' })
  twinB = await cluster.start({ name: 'twin' })
  doomed = await cluster.start({ name: 'doomed' })
  app = await createGateway(home, { token: 't0ken' })
  await vi.waitFor(async () => { expect((await members()).filter((m) => m.state === 'alive')).toHaveLength(5) }, { timeout: 20_000, interval: 100 })
}, 40_000)

afterAll(async () => {
  await app?.close()
  await cluster.stopAll()
})

describe('/v1/members', () => {
  it("lists every member with its name, this node's first", async () => {
    const listed = await members()
    expect(listed[0]).toMatchObject({ peerId: home.peerId, name: 'home', self: true })
    expect(listed.find((m) => m.peerId === alive.peerId)).toMatchObject({ name: 'alive-one', state: 'alive' })
    expect(listed.filter((m) => m.name === 'twin').map((m) => m.peerId).sort()).toEqual([twinA.peerId, twinB.peerId].sort())
  })
})

describe('POST /v1/members/:id/force-leave', () => {
  it('refuses a member alive here with 409, by peer id or by name, and this node itself', async () => {
    for (const id of [alive.peerId, 'alive-one', home.peerId]) {
      const response = await forceLeave(id)
      expect(response.statusCode).toBe(409)
      expect(response.json()).toMatchObject({ success: false, code: 'ERR_MEMBER_NOT_GONE', error: expect.stringContaining('is alive here') })
    }
    expect(await stateAtHome(alive.peerId)).toBe('alive')
  })

  it('answers 409 listing the peer ids for a name several members have', async () => {
    const response = await forceLeave('twin')
    expect(response.statusCode).toBe(409)
    const body = response.json()
    expect(body).toMatchObject({ success: false, code: 'ERR_AMBIGUOUS_MEMBER' })
    expect(body.error).toContain(twinA.peerId)
    expect(body.error).toContain(twinB.peerId)
  })

  it('answers 404 for a member not listed here, and 400 naming the parameter for a malformed one', async () => {
    const unknown = await forceLeave('nobody')
    expect(unknown.statusCode).toBe(404)
    expect(unknown.json()).toMatchObject({ success: false, code: 'ERR_UNKNOWN_MEMBER', error: expect.stringContaining('"nobody"') })
    const malformed = await forceLeave('no such/name')
    expect(malformed.statusCode).toBe(400)
    expect(malformed.json()).toMatchObject({ success: false, code: 'ERR_VALIDATION', field: 'params.id' })
  })

  it('needs the token', async () => {
    expect((await forceLeave('doomed', {})).statusCode).toBe(401)
    expect((await app.inject({ method: 'POST', url: '/v1/members/prune' })).statusCode).toBe(401)
  })

  it('turns a member dead here into left, tells listeners, and forgets it', async () => {
    await doomed.stop({ leave: false })
    await vi.waitFor(async () => { expect(await stateAtHome(doomed.peerId)).toBe('dead') }, { timeout: 20_000, interval: 100 })
    const left: MemberChange[] = []
    home.addEventListener('member:left', (event) => { left.push(event.detail) })
    const response = await forceLeave('doomed')
    expect(response.statusCode).toBe(200)
    expect(response.json()).toMatchObject({ success: true, member: { peerId: doomed.peerId, name: 'doomed', state: 'dead' } })
    expect(left).toMatchObject([{ from: 'dead', member: { peerId: doomed.peerId, name: 'doomed', state: 'left' } }])
    expect((await members()).map((m) => m.peerId)).not.toContain(doomed.peerId)
    expect((await forceLeave(doomed.peerId)).statusCode).toBe(404)
  }, 30_000)
})

describe('POST /v1/members/prune', () => {
  it('forgets every member gone here and says how many; a name then unique finds its member again', async () => {
    await twinB.stop()
    await vi.waitFor(async () => { expect(await stateAtHome(twinB.peerId)).toBe('left') }, { timeout: 20_000, interval: 100 })
    const pruned = await app.inject({ method: 'POST', url: '/v1/members/prune', headers: AUTH })
    expect(pruned.statusCode).toBe(200)
    expect(pruned.json()).toEqual({ success: true, pruned: 1 })
    expect((await members()).map((m) => m.peerId).sort()).toEqual([home.peerId, alive.peerId, twinA.peerId].sort())
    // The remaining twin is alive: refused, not ambiguous any more.
    expect((await forceLeave('twin')).json()).toMatchObject({ code: 'ERR_MEMBER_NOT_GONE', error: expect.stringContaining(twinA.peerId) })
    expect((await app.inject({ method: 'POST', url: '/v1/members/prune', headers: AUTH })).json()).toEqual({ success: true, pruned: 0 })
  }, 30_000)
})
