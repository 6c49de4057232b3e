/**
 * The failure detector on a manual clock: observers alert on silent subjects, a quorum of alerts kills, a newer
 * member record refutes, an uncorroborated suspicion dies after deadAfter, no resurrection, leave, chains,
 * forgetting, and self-preservation when this node is the one cut off.
 */
import { describe, expect, it } from 'vitest'
import { FailureDetector } from '../../../src/membership/detector.js'
import { MAX_HEALTH_PENALTY } from '../../../src/membership/local-health.js'
import { MAX_GONE_MEMBERS } from '../../../src/membership/member-table.js'
import type { DetectorOptions, OwnAlert } from '../../../src/membership/types.js'
import { HashChain } from '../../../src/membership/hash-chain.js'
import { Rings } from '../../../src/membership/rings.js'
import type { InstanceRecord, MemberRecord } from '../../../src/record/types.js'

const SELF = 'self'
const PEER = '12D3KooWPeer'
const options: DetectorOptions = {
  self: SELF, suspectAfter: 2_000, deadAfter: 10_000, forgetAfter: 60_000, maxChainSteps: 100, observers: 4, quorum: 3,
  selfPreservationThreshold: 1, selfPreservationLimit: 30_000
}
const chains = new Map<string, HashChain>()
function chainOf (peer: string): HashChain {
  let chain = chains.get(peer)
  if (chain === undefined) chains.set(peer, chain = HashChain.create(new Uint8Array(32).fill(chains.size + 1), 100))
  return chain
}

function member (wall: number, owner = PEER, overrides: Partial<MemberRecord> = {}): MemberRecord {
  const chain = chainOf(owner)
  return {
    kind: 'member', deleted: false, owner, id: '', namespace: 'default', stamp: { wall, logical: 0 },
    addrs: [], chain: { chainId: 1, anchor: chain.anchor, length: chain.length }, leaving: false, ...overrides
  }
}

function instance (wall: number, owner = PEER): InstanceRecord {
  return {
    kind: 'instance', deleted: false, owner, id: 'i', namespace: 'default', stamp: { wall, logical: 0 },
    service: 's', version: '1.0.0', address: 'h', port: 1, tags: [], metadata: {}, weight: 1, status: 'passing'
  }
}

/**
 * A detector that knows one other member, and has had its first beat: in a view of two, each is the other's only
 * observer.
 */
function pair (): FailureDetector {
  const detector = new FailureDetector(options)
  detector.join(0)
  expect(detector.observeRecord(member(100), 0)).toEqual({ peerId: PEER, from: 'unknown', to: 'alive', reason: 'first-heard' })
  beat(detector, PEER, 1, 0)
  return detector
}

function beat (detector: FailureDetector, peer: string, seq: number, nowMs: number): void {
  expect(detector.observeBeat(peer, 1, seq, chainOf(peer).reveal(seq), nowMs).kind).toBe('fresh')
}

/** The K rings of a view. */
function ringsOf (view: string[]): Rings {
  const rings = new Rings(options.observers)
  rings.update(view)
  return rings
}

/** Ticks at `nowMs`, the rest of the cluster heard meanwhile, and returns this node's alerts against `subject`. */
function alertsAgainst (detector: FailureDetector, subject: string, nowMs: number): OwnAlert[] {
  detector.contact(nowMs)
  return detector.tick(nowMs).alerts.filter((a) => a.subject === subject)
}

describe('FailureDetector, two members', () => {
  it.each([
    [1_999, 'alive', 0],
    [2_000, 'dead', 1]
  ])('after %i ms of silence the subject is %s (its only observer alerts %i time)', (silentMs, state, alerts) => {
    const detector = pair()
    const result = detector.tick(silentMs)
    expect(result.alerts).toHaveLength(alerts)
    expect(detector.get(PEER)?.state).toBe(state)
  })

  it('names the incarnation it alerts against: the stamp of the newest member record', () => {
    const detector = pair()
    detector.observeRecord(member(300), 10)
    expect(detector.tick(2_010).alerts).toEqual([{ subject: PEER, incarnation: { wall: 300, logical: 0 } }])
  })

  it('keeps a subject that beats more often than suspectAfter alive, and never alerts', () => {
    const detector = pair()
    for (let seq = 2; seq <= 20; seq++) {
      beat(detector, PEER, seq, seq * 1_900)
      expect(detector.tick(seq * 1_900 + 1_899)).toEqual({ transitions: [], alerts: [] })
    }
  })

  it('revives a dead member on a fresh beat from the member itself', () => {
    const detector = pair()
    detector.tick(2_000)
    expect(detector.get(PEER)?.state).toBe('dead')
    expect(detector.observeBeat(PEER, 1, 5, chainOf(PEER).reveal(5), 3_000)).toMatchObject({ kind: 'fresh', transition: { from: 'dead', to: 'alive' } })
  })

  it('does not revive a dead member on an old beat, a forged beat, or an old record', () => {
    const detector = pair()
    beat(detector, PEER, 3, 100)
    detector.observeRecord(instance(200), 100)
    detector.tick(2_100)
    expect(detector.observeBeat(PEER, 1, 3, chainOf(PEER).reveal(3), 2_200)).toEqual({ kind: 'old' })
    expect(detector.observeBeat(PEER, 1, 4, new Uint8Array(16), 2_200)).toMatchObject({ kind: 'rejected', rejection: { reason: 'bad-proof' } })
    expect(detector.admits(PEER, { wall: 200, logical: 0 })).toBe(false)
    expect(detector.observeRecord(instance(200), 2_200)).toBeUndefined()
    expect(detector.get(PEER)?.state).toBe('dead')
    expect(detector.observeRecord(instance(201), 2_300)).toEqual({ peerId: PEER, from: 'dead', to: 'alive', reason: 'record' })
  })

  it('does not take a relayed instance record as hearing from its member', () => {
    const detector = pair()
    detector.observeRecord(instance(5_000), 1_500)
    expect(detector.tick(2_000).transitions).toMatchObject([{ to: 'dead' }])
  })

  it('marks a leaving member left at once, and its beats still in flight do not bring it back', () => {
    const detector = pair()
    expect(detector.observeRecord(member(200, PEER, { leaving: true }), 50)).toEqual({ peerId: PEER, from: 'alive', to: 'left', reason: 'leave' })
    expect(detector.observeBeat(PEER, 1, 7, chainOf(PEER).reveal(7), 60)).toEqual({ kind: 'old' })
    expect(detector.get(PEER)?.state).toBe('left')
    expect(detector.admits(PEER, { wall: 200, logical: 0 })).toBe(false)
  })

  it('reports unknown members and chains, and starts over on a new chain', () => {
    const detector = new FailureDetector(options)
  detector.join(0)
    expect(detector.observeBeat(PEER, 1, 1, chainOf(PEER).reveal(1), 0)).toEqual({ kind: 'unknown-member' })
    detector.observeRecord(member(100), 0)
    expect(detector.observeBeat(PEER, 2, 1, chainOf(PEER).reveal(1), 0)).toEqual({ kind: 'unknown-chain' })
    const next = HashChain.create(new Uint8Array(32).fill(99), 100)
    beat(detector, PEER, 50, 0)
    detector.observeRecord(member(200, PEER, { chain: { chainId: 2, anchor: next.anchor, length: next.length } }), 0)
    expect(detector.observeBeat(PEER, 2, 1, next.reveal(1), 1).kind).toBe('fresh')
  })

  it('refuses a beat past the end of its chain', () => {
    const detector = pair()
    expect(detector.observeBeat(PEER, 1, 101, new Uint8Array(16), 1)).toMatchObject({ kind: 'rejected' })
  })

  it('forgets a member dead for forgetAfter', () => {
    const detector = pair()
    detector.tick(2_000)
    detector.tick(61_999)
    expect(detector.get(PEER)).toBeDefined()
    detector.tick(62_000)
    expect(detector.get(PEER)).toBeUndefined()
  })

  it('gives a subject it has not heard from yet deadAfter before it alerts: the subject may not know its observer yet', () => {
    const detector = new FailureDetector(options)
  detector.join(0)
    detector.observeRecord(member(100), 0)
    expect(detector.tick(2_000)).toEqual({ transitions: [], alerts: [] })
    expect(detector.tick(9_999)).toEqual({ transitions: [], alerts: [] })
    expect(detector.tick(10_000)).toMatchObject({ alerts: [{ subject: PEER }], transitions: [{ to: 'dead' }] })
  })

  it('watches no one and beats to no one before its own member record is out (nobody knows it yet)', () => {
    const detector = new FailureDetector(options)
    detector.observeRecord(member(100), 0)
    expect(detector.observersOfSelf(0)).toEqual([])
    expect(detector.subjectsOfSelf(0)).toEqual([])
    expect(detector.tick(5_000).alerts).toEqual([])
    detector.join(5_000)
    expect(detector.subjectsOfSelf(5_000)).toEqual([PEER])
  })

  it('alerts at once on a subject it cannot reach, once per incarnation, and on nobody else', () => {
    const detector = pair()
    expect(detector.observeUnreachable('stranger', 100)).toEqual({ transitions: [], alerts: [] })
    expect(detector.observeUnreachable(PEER, 100)).toEqual({
      transitions: [{ peerId: PEER, from: 'alive', to: 'dead', reason: 'alerts' }],
      alerts: [{ subject: PEER, incarnation: { wall: 100, logical: 0 } }]
    })
    expect(detector.observeUnreachable(PEER, 200)).toEqual({ transitions: [], alerts: [] })
  })

  it('withdraws its own alert when the subject beats again, so a healed partition does not leave it suspect', () => {
    const detector = new FailureDetector({ ...options, selfPreservationThreshold: 0.5, selfPreservationLimit: 300_000 })
    detector.join(0)
    const peers = ['p1', 'p2']
    for (const peer of peers) detector.observeRecord(member(100, peer), 0)
    for (const peer of peers) beat(detector, peer, 1, 0)
    // Cut off: this node alerts on both and, hearing no one, holds them suspect and stale.
    detector.tick(3_000)
    detector.tick(12_000)
    for (const peer of peers) expect(detector.get(peer)).toMatchObject({ state: 'suspect', stale: true, alerts: 1 })
    // Healed: their beats come again; nobody else ever alerted, so nothing is left to refute.
    for (const peer of peers) beat(detector, peer, 2, 12_100)
    for (const peer of peers) expect(detector.get(peer)).toMatchObject({ state: 'alive', stale: false, alerts: 0 })
  })

  it('turns a death into a leave when the leave notice arrives after the connections closed', () => {
    const detector = pair()
    detector.observeUnreachable(PEER, 100)
    expect(detector.observeRecord(member(200, PEER, { leaving: true }), 150)).toEqual({ peerId: PEER, from: 'dead', to: 'left', reason: 'leave' })
  })

  it('beats to its observer and watches its subject', () => {
    const detector = pair()
    expect(detector.observersOfSelf(0)).toEqual([PEER])
    expect(detector.subjectsOfSelf(0)).toEqual([PEER])
  })
})

describe('FailureDetector, its own stalls', () => {
  const TICK = 125

  /** A pair whose detector ticks every TICK ms from 0 up to `untilMs`, hearing nothing more from the subject. */
  function ticking (untilMs: number): { detector: FailureDetector, alerts: number } {
    const detector = new FailureDetector({ ...options, tickInterval: TICK })
    detector.join(0)
    detector.observeRecord(member(100), 0)
    beat(detector, PEER, 1, 0)
    let alerts = 0
    for (let t = 0; t <= untilMs; t += TICK) alerts += detector.tick(t).alerts.length
    return { detector, alerts }
  }

  it('does not count its own stall as the subject\'s silence: beats may be waiting in its sockets', () => {
    const { detector } = ticking(1_000)
    // The event loop was blocked for 5 s: the next tick comes that late, and the subject's beat right after it.
    expect(detector.tick(6_000)).toEqual({ transitions: [], alerts: [] })
    beat(detector, PEER, 2, 6_001)
    expect(detector.get(PEER)?.state).toBe('alive')
    expect(detector.stalled).toBe(5_000 - TICK)
  })

  it('still alerts on silence that it watched tick by tick, and after a stall once suspectAfter more has passed', () => {
    expect(ticking(2_000).alerts).toBe(1)
    const { detector } = ticking(1_000)
    detector.tick(6_000)
    let alerts = 0
    for (let t = 6_000 + TICK; t <= 7_000; t += TICK) alerts += detector.tick(t).alerts.length
    expect(alerts).toBe(1)
    expect(detector.get(PEER)?.state).toBe('dead')
  })

  it('takes a tick up to a quarter of suspectAfter late as ordinary jitter', () => {
    const { detector } = ticking(1_750)
    expect(detector.tick(1_750 + TICK + options.suspectAfter / 4).alerts).toHaveLength(1)
    expect(detector.stalled).toBe(0)
  })
})

describe('FailureDetector, local health: alerts proved wrong slow the next ones', () => {
  /** A pair whose subject was alerted on at 2 s (dead: this node is the quorum) and beat again at `beatAtMs`. */
  function wronged (beatAtMs: number): FailureDetector {
    const detector = pair()
    expect(detector.tick(2_000).alerts).toHaveLength(1)
    beat(detector, PEER, 2, beatAtMs)
    return detector
  }

  it('waits twice suspectAfter before its next alert once a beat proved its alert wrong', () => {
    const detector = wronged(2_100)
    expect(detector.healthScore).toBe(1)
    expect(alertsAgainst(detector, PEER, 2_100 + 2 * options.suspectAfter - 1)).toHaveLength(0)
    expect(detector.get(PEER)?.state).toBe('alive')
    expect(alertsAgainst(detector, PEER, 2_100 + 2 * options.suspectAfter)).toHaveLength(1)
  })

  it('counts a refutation of its alert (a newer member record) as proved wrong too', () => {
    const detector = pair()
    detector.tick(2_000)
    detector.observeRecord(member(200), 2_100)
    expect(detector.get(PEER)?.state).toBe('alive')
    expect(detector.healthScore).toBe(1)
  })

  it('recovers one step per deadAfter without another wrong alert, and alerts after suspectAfter again', () => {
    const detector = wronged(2_100)
    for (let seq = 3, t = 3_000; t <= 2_100 + options.deadAfter + 1_000; seq++, t += 1_000) {
      beat(detector, PEER, seq, t)
      alertsAgainst(detector, PEER, t)
    }
    expect(detector.healthScore).toBe(0)
    beat(detector, PEER, 20, 20_000)
    expect(alertsAgainst(detector, PEER, 20_000 + options.suspectAfter)).toHaveLength(1)
  })

  it(`stops at ${MAX_HEALTH_PENALTY}: subjects that fall silent and beat again on purpose slow its alerts at most ${1 + MAX_HEALTH_PENALTY} times`, () => {
    const detector = new FailureDetector(options)
    detector.join(0)
    const peers = ['p1', 'p2']
    for (const peer of peers) detector.observeRecord(member(100, peer), 0)
    for (const peer of peers) beat(detector, peer, 1, 0)
    let now = 0
    for (let seq = 2; seq < 8; seq++) {
      now += options.suspectAfter * (1 + detector.healthScore) + 1
      detector.contact(now)
      expect(detector.tick(now).alerts).toHaveLength(peers.length)
      for (const peer of peers) beat(detector, peer, seq, now)
      expect(detector.healthScore).toBe(Math.min(MAX_HEALTH_PENALTY, 2 * (seq - 1)))
    }
  })

  it('does not count an alert that nobody proved wrong: a real death leaves its health alone', () => {
    const detector = pair()
    detector.tick(2_000)
    detector.tick(30_000)
    expect(detector.get(PEER)?.state).toBe('dead')
    expect(detector.healthScore).toBe(0)
  })
})

describe('FailureDetector, observers and quorum', () => {
  const peers = Array.from({ length: 12 }, (_, i) => `p${i + 1}`)
  const rings = new Rings(options.observers)
  rings.update([SELF, ...peers])
  // A member this node does not observe, with at least a quorum of distinct observers.
  const subject = peers.find((p) => !rings.observersOf(p).includes(SELF) && rings.observersOf(p).length > options.quorum)!
  const observers = rings.observersOf(subject)
  const outsider = peers.find((p) => p !== subject && !rings.observersOf(subject, 2).includes(p))!

  function cluster (): FailureDetector {
    const detector = new FailureDetector(options)
  detector.join(0)
    for (const peer of peers) detector.observeRecord(member(100, peer), 0)
    return detector
  }

  const alert = (observer: string, wall = 100): { observer: string, subject: string, incarnation: { wall: number, logical: number } } =>
    ({ observer, subject, incarnation: { wall, logical: 0 } })

  it('has a subject that it does not observe, watched by up to K observers', () => {
    expect(subject).toBeDefined()
    expect(observers.length).toBeGreaterThan(options.quorum)
    expect(observers.length).toBeLessThanOrEqual(options.observers)
  })

  it('says which members it observes: its subjects, and not the subject it only hears alerts about', () => {
    const detector = cluster()
    const observed = new Set(detector.subjectsOfSelf(0))
    expect(observed.size).toBeGreaterThan(0)
    expect(observed.has(subject)).toBe(false)
    for (const view of detector.members(0)) expect(view.observed, view.peerId).toBe(observed.has(view.peerId))
    expect(detector.get(subject)?.observed).toBe(false)
  })

  it('lists whom it observes in the view it holds now: a member just learned moves the rings before any tick', () => {
    const detector = pair()
    // A newcomer that this node observes in the view of three (the peer ids decide the rings): until the rings
    // are rebuilt, the listing would still say it observes only PEER.
    const newcomer = Array.from({ length: 50 }, (_, i) => `n${i}`).find((p) => ringsOf([SELF, PEER, p]).subjectsOf(SELF).includes(p))!
    expect(newcomer).toBeDefined()
    detector.observeRecord(member(100, newcomer), 100)
    const observed = new Set(ringsOf([SELF, PEER, newcomer]).subjectsOf(SELF))
    for (const view of detector.members(100)) expect(view.observed, view.peerId).toBe(observed.has(view.peerId))
  })

  it('suspects at the first alert and kills at a quorum of distinct observers', () => {
    const detector = cluster()
    expect(detector.observeAlert(alert(observers[0]!), 10)).toEqual({ kind: 'counted', transition: { peerId: subject, from: 'alive', to: 'suspect', reason: 'alerts' } })
    expect(detector.observeAlert(alert(observers[0]!), 11)).toEqual({ kind: 'ignored', why: 'duplicate' })
    expect(detector.observeAlert(alert(observers[1]!), 12)).toEqual({ kind: 'counted' })
    expect(detector.get(subject)).toMatchObject({ state: 'suspect', alerts: 2 })
    expect(detector.observeAlert(alert(observers[2]!), 13)).toEqual({ kind: 'counted', transition: { peerId: subject, from: 'suspect', to: 'dead', reason: 'alerts' } })
    expect(detector.observeAlert(alert(observers[3] ?? observers[0]!), 14)).toEqual({ kind: 'ignored', why: 'gone' })
  })

  it('ignores alerts from members that are not the subject\'s observers, and alerts against an older incarnation', () => {
    const detector = cluster()
    expect(detector.observeAlert(alert(outsider), 10)).toEqual({ kind: 'ignored', why: 'not-observer' })
    detector.observeRecord(member(500, subject), 20)
    expect(detector.observeAlert(alert(observers[0]!, 100), 30)).toEqual({ kind: 'ignored', why: 'stale' })
    expect(detector.observeAlert({ observer: observers[0]!, subject: 'stranger', incarnation: { wall: 1, logical: 0 } }, 30)).toEqual({ kind: 'ignored', why: 'unknown-subject' })
    expect(detector.get(subject)?.state).toBe('alive')
  })

  it('takes a newer member record as the accused\'s refutation', () => {
    const detector = cluster()
    detector.observeAlert(alert(observers[0]!), 10)
    detector.observeAlert(alert(observers[1]!), 11)
    expect(detector.observeRecord(member(101, subject), 12)).toEqual({ peerId: subject, from: 'suspect', to: 'alive', reason: 'record' })
    expect(detector.get(subject)).toMatchObject({ state: 'alive', alerts: 0 })
    // Alerts against the refuted incarnation no longer count.
    expect(detector.observeAlert(alert(observers[2]!, 100), 13)).toEqual({ kind: 'ignored', why: 'stale' })
  })

  it('lets an uncorroborated, unrefuted suspicion die after deadAfter, not before', () => {
    const detector = cluster()
    // The other members stay in touch (their beats are contact), so only the accusation counts.
    detector.observeAlert(alert(observers[0]!), 1_000)
    for (let t = 1; t <= 10; t++) {
      for (const peer of detector.subjectsOfSelf(t * 1_000)) if (peer !== subject) beat(detector, peer, t, t * 1_000)
      detector.tick(t * 1_000 + 999)
    }
    expect(detector.get(subject)?.state).toBe('suspect')
    for (const peer of detector.subjectsOfSelf(11_000)) if (peer !== subject) beat(detector, peer, 11, 11_000)
    expect(detector.tick(11_000).transitions).toEqual([{ peerId: subject, from: 'suspect', to: 'dead', reason: 'alerts' }])
  })

  it('does not age out a member it does not observe while it hears the cluster', () => {
    const detector = cluster()
    const mine = detector.subjectsOfSelf(0)
    for (let t = 1; t <= 30; t++) {
      for (const peer of mine) beat(detector, peer, t, t * 1_000)
      expect(detector.tick(t * 1_000 + 500).transitions).toEqual([])
    }
    expect(detector.members(30_500).every((m) => m.state === 'alive')).toBe(true)
  })

  it('takes back members it does not observe, suspect while it heard no one, once it hears the cluster again', () => {
    const detector = cluster()
    const mine = detector.subjectsOfSelf(0)
    for (const peer of mine) beat(detector, peer, 1, 0)
    // Cut off: nothing arrives for longer than suspectAfter, so every member is suspect by silence.
    detector.tick(1_000)
    detector.tick(3_000)
    expect(detector.get(subject)?.state).toBe('suspect')
    // The subjects beat again: the cluster is heard, so the members it does not observe are alive again.
    for (const peer of mine) beat(detector, peer, 2, 3_500)
    const back = detector.tick(3_600).transitions.filter((t) => !mine.includes(t.peerId))
    expect(back.map((t) => [t.peerId, t.to])).toEqual(peers.filter((p) => !mine.includes(p)).sort().map((p) => [p, 'alive']))
    expect(detector.members(3_600).every((m) => m.state === 'alive')).toBe(true)
  })

  it('alerts on each silent subject, and again (up to 3 times) while it is not dead here', () => {
    const detector = cluster()
    const mine = detector.subjectsOfSelf(0)
    const silent = mine[0]!
    let sent = 0
    for (let t = 1; t <= 12; t++) {
      for (const peer of mine) if (peer !== silent) beat(detector, peer, t, t * 1_000)
      sent += detector.tick(t * 1_000).alerts.filter((a) => a.subject === silent).length
    }
    expect(sent).toBeGreaterThanOrEqual(1)
    expect(sent).toBeLessThanOrEqual(3)
  })
})

describe('FailureDetector, handover after a view change', () => {
  const peers = Array.from({ length: 10 }, (_, i) => `h${i + 1}`)
  const before = ringsOf([SELF, ...peers])
  // A newcomer that takes SELF's slot after one of SELF's subjects: SELF stays second on that ring, within the
  // window where its alerts count.
  let displaced: { subject: string, newcomer: string } | undefined
  for (let i = 0; displaced === undefined && i < 2_000; i++) {
    const newcomer = `n${i}`
    const after = ringsOf([SELF, ...peers, newcomer])
    const subject = before.subjectsOf(SELF).find((p) => !after.observersOf(p).includes(SELF) && after.observersOf(p, 2).includes(SELF))
    if (subject !== undefined) displaced = { subject, newcomer }
  }
  const { subject, newcomer } = displaced!

  /** SELF with every peer known, having heard `subject` beat at 0 and 1 000, and the newcomer admitted at 1 000. */
  function displacedObserver (): FailureDetector {
    const detector = new FailureDetector(options)
    detector.join(0)
    for (const peer of peers) detector.observeRecord(member(100, peer), 0)
    expect(detector.observes(subject, 0)).toBe(true)
    beat(detector, subject, 1, 0)
    beat(detector, subject, 2, 1_000)
    detector.observeRecord(member(100, newcomer), 1_000)
    expect(detector.observes(subject, 1_000)).toBe(false)
    return detector
  }

  const alertsOn = (detector: FailureDetector, nowMs: number): OwnAlert[] => alertsAgainst(detector, subject, nowMs)

  it('finds a newcomer that displaces this node as an observer', () => {
    expect(displaced).toBeDefined()
  })

  it('keeps alerting on a former subject that falls silent right after the view changed', () => {
    const detector = displacedObserver()
    expect(alertsOn(detector, 1_000 + options.suspectAfter - 1)).toEqual([])
    expect(alertsOn(detector, 1_000 + options.suspectAfter)).toEqual([{ subject, incarnation: { wall: 100, logical: 0 } }])
    expect(detector.get(subject)?.state).toBe('suspect')
  })

  it('withdraws nothing and alerts on nothing while the former subject still beats to it', () => {
    const detector = displacedObserver()
    for (let t = 2_000; t <= 8_000; t += 1_000) {
      beat(detector, subject, t / 1_000 + 1, t)
      expect(alertsOn(detector, t + 500), `at ${t + 500} ms`).toEqual([])
    }
  })

  it('stops watching the former subject deadAfter - suspectAfter after the view changed', () => {
    const detector = displacedObserver()
    // Beats until the handover is almost over, then silence: the former subject has stopped beating here.
    const endsAtMs = 1_000 + options.deadAfter - options.suspectAfter
    for (let t = 2_000; t < endsAtMs; t += 1_000) {
      beat(detector, subject, t / 1_000 + 1, t)
      alertsOn(detector, t)
    }
    for (let t = endsAtMs; t <= endsAtMs + options.deadAfter; t += 250) expect(alertsOn(detector, t), `at ${t} ms`).toEqual([])
    expect(detector.get(subject)?.state).toBe('alive')
  })

  it('at a third node, the displaced observer\'s alert completes the quorum: a hang in the handover dies in suspectAfter', () => {
    const third = peers.find((p) => p !== subject && !ringsOf([SELF, ...peers, newcomer]).observersOf(subject, 2).includes(p))!
    const detector = new FailureDetector({ ...options, self: third })
    detector.join(0)
    for (const peer of [SELF, ...peers, newcomer]) if (peer !== third) detector.observeRecord(member(100, peer), 0)
    const current = ringsOf([SELF, ...peers, newcomer]).observersOf(subject).filter((o) => o !== newcomer)
    // Every current observer but the newcomer, which never heard the subject beat and waits deadAfter.
    const alert = (observer: string): ReturnType<FailureDetector['observeAlert']> =>
      detector.observeAlert({ observer, subject, incarnation: { wall: 100, logical: 0 } }, 3_000)
    for (const observer of current) expect(alert(observer).kind).toBe('counted')
    expect(alert(SELF).kind).toBe('counted')
    expect(detector.get(subject)?.state).toBe(current.length + 1 >= options.quorum ? 'dead' : 'suspect')
  })

  it('keeps beating to an observer it no longer has, for deadAfter after its view changed', () => {
    // SELF's own observers: a newcomer that displaces one of them.
    const mine = before.observersOf(SELF)
    let found: { newcomer: string, gone: string } | undefined
    for (let i = 0; found === undefined && i < 2_000; i++) {
      const after = ringsOf([SELF, ...peers, `m${i}`]).observersOf(SELF)
      const gone = mine.find((o) => !after.includes(o))
      if (gone !== undefined) found = { newcomer: `m${i}`, gone }
    }
    const detector = new FailureDetector(options)
    detector.join(0)
    for (const peer of peers) detector.observeRecord(member(100, peer), 0)
    expect(detector.observersOfSelf(0).sort()).toEqual([...mine].sort())
    detector.observeRecord(member(100, found!.newcomer), 1_000)
    expect(detector.observersOfSelf(1_000)).toContain(found!.gone)
    expect(detector.observersOfSelf(1_000)).toContain(found!.newcomer)
    expect(detector.observersOfSelf(1_000 + options.deadAfter - 1)).toContain(found!.gone)
    expect(detector.observersOfSelf(1_000 + options.deadAfter)).not.toContain(found!.gone)
  })
})

describe('FailureDetector, a new observer that has not heard its subject yet', () => {
  // A subject with two distinct observers, and a newcomer that becomes a third without displacing either: with
  // three observers the quorum is three, and the third alert must be the newcomer's, which has never been beaten to.
  let found: { peers: string[], subject: string, newcomer: string, before: string[] } | undefined
  for (let size = 4; found === undefined && size <= 12; size++) {
    const peers = Array.from({ length: size }, (_, i) => `q${i + 1}`)
    const view = [SELF, ...peers]
    for (const subject of peers) {
      const before = ringsOf(view).observersOf(subject)
      if (before.length !== 2 || before.includes(SELF)) continue
      for (let i = 0; found === undefined && i < 500; i++) {
        const after = ringsOf([...view, `r${i}`]).observersOf(subject)
        if (after.length === 3 && after.includes(`r${i}`) && !after.includes(SELF) && before.every((o) => after.includes(o))) found = { peers, subject, newcomer: `r${i}`, before }
      }
      if (found !== undefined) break
    }
  }
  const { peers, subject, newcomer, before } = found!
  const JOINED_MS = 20_000
  const alert = (observer: string): { observer: string, subject: string, incarnation: { wall: number, logical: number } } =>
    ({ observer, subject, incarnation: { wall: 100, logical: 0 } })

  /** The newcomer's detector: it joins at 20 s, takes in the cluster, and has never been beaten to by `subject`. */
  function newcomerView (): FailureDetector {
    const detector = new FailureDetector({ ...options, self: newcomer })
    detector.join(JOINED_MS)
    for (const peer of [SELF, ...peers]) detector.observeRecord(member(100, peer), JOINED_MS)
    expect(detector.observes(subject, JOINED_MS)).toBe(true)
    return detector
  }

  const alertsOn = (detector: FailureDetector, nowMs: number): OwnAlert[] => alertsAgainst(detector, subject, nowMs)

  it('finds a newcomer that adds a third observer to a subject that had two', () => {
    expect(found).toBeDefined()
  })

  it('waits deadAfter while nobody else accuses the subject: it may only not know of this node yet', () => {
    const detector = newcomerView()
    for (let t = JOINED_MS + 250; t < JOINED_MS + options.deadAfter; t += 250) expect(alertsOn(detector, t), `at ${t} ms`).toEqual([])
    expect(alertsOn(detector, JOINED_MS + options.deadAfter)).toHaveLength(1)
  })

  it('alerts once another observer accuses the subject and suspectAfter has passed since it took the subject on', () => {
    const detector = newcomerView()
    // An accusation before suspectAfter has passed here: the subject may still be about to beat to this node.
    detector.observeAlert(alert(before[0]!), JOINED_MS + 1_000)
    for (let t = JOINED_MS + 1_000; t < JOINED_MS + options.suspectAfter; t += 250) expect(alertsOn(detector, t), `at ${t} ms`).toEqual([])
    expect(alertsOn(detector, JOINED_MS + options.suspectAfter)).toEqual([{ subject, incarnation: { wall: 100, logical: 0 } }])
  })

  it('with its own alert, completes the quorum of three: the hang dies in suspectAfter, not deadAfter', () => {
    const detector = newcomerView()
    detector.observeAlert(alert(before[0]!), JOINED_MS + 2_100)
    detector.observeAlert(alert(before[1]!), JOINED_MS + 2_150)
    expect(detector.get(subject)?.state).toBe('suspect')
    alertsOn(detector, JOINED_MS + 2_250)
    expect(detector.get(subject)?.state).toBe('dead')
  })

  it('keeps the quorum at three elsewhere: the two older observers alone only make the subject suspect', () => {
    const detector = new FailureDetector(options)
    detector.join(0)
    for (const peer of peers) detector.observeRecord(member(100, peer), 0)
    detector.observeRecord(member(100, newcomer), JOINED_MS)
    detector.observeAlert(alert(before[0]!), JOINED_MS + 2_100)
    expect(detector.observeAlert(alert(before[1]!), JOINED_MS + 2_150)).toEqual({ kind: 'counted' })
    expect(detector.get(subject)?.state).toBe('suspect')
    expect(detector.observeAlert(alert(newcomer), JOINED_MS + 2_300)).toMatchObject({ kind: 'counted', transition: { to: 'dead' } })
  })

  it('still does not alert on a subject that beats to it, accused or not', () => {
    const detector = newcomerView()
    detector.observeAlert(alert(before[0]!), JOINED_MS + 500)
    for (let t = JOINED_MS + 1_000; t <= JOINED_MS + 6_000; t += 1_000) {
      beat(detector, subject, t / 1_000, t)
      expect(alertsOn(detector, t + 250), `at ${t + 250} ms`).toEqual([])
    }
  })
})

describe('self-preservation', () => {
  const preserving = { ...options, selfPreservationThreshold: 0.5, selfPreservationLimit: 30_000 }
  const peers = ['p1', 'p2', 'p3', 'p4', 'p5']

  function cluster (): FailureDetector {
    const detector = new FailureDetector(preserving)
    detector.join(0)
    for (const peer of peers) detector.observeRecord(member(100, peer), 0)
    return detector
  }

  it('lets a single silent subject die', () => {
    const detector = cluster()
    const [silent, ...rest] = detector.subjectsOfSelf(0)
    for (let t = 1; t <= 10; t++) {
      for (const peer of rest) beat(detector, peer, t, t * 1_000)
      detector.tick(t * 1_000)
    }
    expect(detector.get(silent!)?.state).toBe('dead')
  })

  it('keeps members suspect and stale when it hears nothing from the cluster, until the limit', () => {
    const detector = cluster()
    detector.tick(5_000)
    expect(detector.tick(12_000).transitions.filter((t) => t.to === 'dead')).toEqual([])
    for (const peer of peers) expect(detector.get(peer)).toMatchObject({ state: 'suspect', stale: true })
    detector.tick(29_999)
    expect(detector.get('p1')?.state).toBe('suspect')
    expect(detector.tick(30_000).transitions.map((t) => t.to)).toEqual(['dead', 'dead', 'dead', 'dead', 'dead'])
  })

  it('holds members that their observers accuse together, while it still hears its own subjects', () => {
    // A fifth of the members in trouble is a mass silence here; more than two of twelve will do.
    const fifth = { ...preserving, selfPreservationThreshold: 0.2 }
    const many = Array.from({ length: 12 }, (_, i) => `m${i + 1}`)
    const rings = new Rings(fifth.observers)
    rings.update([SELF, ...many])
    const detector = new FailureDetector(fifth)
    detector.join(0)
    for (const peer of many) detector.observeRecord(member(100, peer), 0)
    const subjects = new Set(detector.subjectsOfSelf(0))
    // Members this node does not observe, whose trouble reaches it as alerts only, each with a quorum of observers
    // outside the accused (an observer in trouble itself does not count towards a quorum, see quorumOf).
    const accused: string[] = []
    const observersOf = (p: string): string[] => rings.observersOf(p).filter((o) => o !== SELF)
    for (const p of many) {
      if (subjects.has(p) || accused.some((a) => observersOf(a).includes(p))) continue
      if (observersOf(p).filter((o) => !accused.includes(o)).length >= fifth.quorum) accused.push(p)
      if (accused.length === 3) break
    }
    expect(accused.length).toBe(3)
    const alert = (subject: string, observer: string): Parameters<FailureDetector['observeAlert']>[0] => ({ observer, subject, incarnation: { wall: 100, logical: 0 } })
    let seq = 1
    const beatSubjects = (nowMs: number): void => { for (const s of subjects) beat(detector, s, seq, nowMs); seq++ }
    beatSubjects(500)
    for (const subject of accused) expect(detector.observeAlert(alert(subject, observersOf(subject)[0]!), 1_000)).toMatchObject({ kind: 'counted', transition: { to: 'suspect' } })
    beatSubjects(1_000)
    detector.tick(1_100)
    // The alerts that complete each quorum come after the tick that saw the trouble: they must not kill.
    for (const subject of accused) {
      for (const observer of observersOf(subject).slice(1, fifth.quorum)) expect(detector.observeAlert(alert(subject, observer), 1_200)).toEqual({ kind: 'counted' })
    }
    beatSubjects(1_500)
    expect(detector.tick(1_600).transitions.filter((t) => t.to === 'dead')).toEqual([])
    for (const subject of accused) expect(detector.get(subject)).toMatchObject({ state: 'suspect', stale: true, alerts: fifth.quorum })
  })

  it('revives a stale member when it refutes the alerts with a newer member record', () => {
    const detector = cluster()
    detector.tick(12_000)
    const [subject] = detector.subjectsOfSelf(12_000)
    expect(detector.get(subject!)).toMatchObject({ state: 'suspect', stale: true })
    // Its own alerts stand until the member refutes them; the refutation (a newer member record) revives it.
    detector.observeRecord(member(200, subject), 12_500)
    expect(detector.get(subject!)).toMatchObject({ state: 'alive', stale: false })
  })
})

describe('self-preservation counts only established members', () => {
  const preserving: DetectorOptions = { ...options, selfPreservationThreshold: 0.5, selfPreservationLimit: 30_000 }
  const { suspectAfter, deadAfter } = options
  const TICK = 250
  /** Members taken in from here on are newcomers to a node that joined at 0, not the cluster it found. */
  const LATER = deadAfter

  /**
   * One node's view of a cluster on a manual clock: each member that is up beats every second (heard here if this
   * node observes it, or did within the last deadAfter: members keep beating to displaced observers for that long)
   * and, as real observers do, alerts against a member it observes once that member has been silent for
   * suspectAfter.
   */
  class World {
    readonly detector = new FailureDetector(preserving)
    nowMs = 0
    /** Members that self-preservation kept from dying here at some point. */
    readonly held = new Set<string>()
    private readonly up = new Set<string>()
    private readonly silentSinceMs = new Map<string, number>()
    private readonly seqs = new Map<string, number>()
    /** When this node last observed each member, as the member itself (in the same view) knows. */
    private readonly observedAtMs = new Map<string, number>()

    constructor (private readonly othersAlert = true) {
      this.detector.join(0)
    }

    admit (...peers: string[]): void {
      for (const peer of peers) {
        this.detector.observeRecord(member(100, peer), this.nowMs)
        this.up.add(peer)
      }
    }

    silence (...peers: string[]): void {
      for (const peer of peers) {
        this.up.delete(peer)
        this.silentSinceMs.set(peer, this.nowMs)
      }
    }

    resume (...peers: string[]): void {
      for (const peer of peers) {
        this.up.add(peer)
        this.silentSinceMs.delete(peer)
        if (this.beatsHere(peer)) this.beat(peer)
      }
    }

    /** Whether `peer` beats to this node: it observes `peer`, or did less than deadAfter ago. */
    private beatsHere (peer: string): boolean {
      if (this.detector.observes(peer, this.nowMs)) this.observedAtMs.set(peer, this.nowMs)
      const atMs = this.observedAtMs.get(peer)
      return atMs !== undefined && this.nowMs - atMs < deadAfter
    }

    /** Ticks every TICK ms up to `untilMs` (bounded: time only moves forward). */
    runUntil (untilMs: number): void {
      while (this.nowMs < untilMs) {
        this.nowMs += TICK
        if (this.nowMs % 1_000 === 0) for (const peer of this.up) if (this.beatsHere(peer)) this.beat(peer)
        if (this.othersAlert) this.alert()
        this.detector.tick(this.nowMs)
        for (const view of this.detector.members(this.nowMs)) if (view.stale) this.held.add(view.peerId)
      }
    }

    established (peer: string): boolean {
      return this.detector.isEstablished(peer, this.nowMs)
    }

    state (peer: string): string | undefined {
      return this.detector.get(peer)?.state
    }

    private beat (peer: string): void {
      const seq = (this.seqs.get(peer) ?? 0) + 1
      this.seqs.set(peer, seq)
      beat(this.detector, peer, seq, this.nowMs)
    }

    private alert (): void {
      const rings = new Rings(preserving.observers)
      rings.update([SELF, ...this.detector.members(this.nowMs).filter((m) => m.state === 'alive' || m.state === 'suspect').map((m) => m.peerId)])
      for (const [subject, sinceMs] of this.silentSinceMs) {
        if (this.nowMs - sinceMs < suspectAfter) continue
        for (const observer of rings.observersOf(subject)) {
          if (this.up.has(observer)) this.detector.observeAlert({ observer, subject, incarnation: { wall: 100, logical: 0 } }, this.nowMs)
        }
      }
    }
  }

  /** A world whose node took `peers` in well after it joined, and has held them alive long enough since. */
  function withEstablished (peers: string[], othersAlert = true): World {
    const world = new World(othersAlert)
    world.runUntil(LATER)
    world.admit(...peers)
    world.runUntil(LATER + 2 * deadAfter)
    for (const peer of peers) expect(world.established(peer), peer).toBe(true)
    return world
  }

  it('lets an established member die on its own clock when fresh members fall silent with it (issue 14, class 8)', () => {
    const established = ['e1', 'e2', 'e3']
    const world = withEstablished(established)
    const fresh = ['f1', 'f2', 'f3', 'f4']
    world.admit(...fresh)
    world.runUntil(world.nowMs + 1_000)
    for (const peer of fresh) expect(world.established(peer), peer).toBe(false)
    // One this node observes, so that it hears the silence itself.
    const victim = established.find((peer) => world.detector.observes(peer, world.nowMs))!
    expect(victim).toBeDefined()

    world.silence(victim, ...fresh)
    const silentAtMs = world.nowMs
    world.runUntil(silentAtMs + deadAfter + TICK)
    expect(world.state(victim)).toBe('dead')
    expect([...world.held]).toEqual([])
    for (const peer of established) if (peer !== victim) expect(world.state(peer), peer).toBe('alive')
  })

  it('still holds established members when this node is cut off, while fresh members die on their own clock', () => {
    const established = ['e1', 'e2', 'e3', 'e4']
    const world = withEstablished(established)
    const fresh = ['f1', 'f2', 'f3', 'f4']
    world.admit(...fresh)
    world.runUntil(world.nowMs + 1_000)

    world.silence(...established, ...fresh)
    const silentAtMs = world.nowMs
    world.runUntil(silentAtMs + deadAfter + TICK)
    for (const peer of established) expect(world.detector.get(peer), peer).toMatchObject({ state: 'suspect', stale: true })

    // Each death moves the rings, and a member that becomes this node's subject is given deadAfter afresh: the
    // fresh ones die one after another, never held.
    world.runUntil(silentAtMs + preserving.selfPreservationLimit - TICK)
    for (const peer of established) expect(world.state(peer), peer).toBe('suspect')
    for (const peer of fresh) expect(world.state(peer), peer).toBe('dead')
    expect([...world.held].sort()).toEqual(established)
  })

  it('holds a member back from the dead once it has been alive for deadAfter again', () => {
    const established = ['e1', 'e2', 'e3', 'e4']
    const world = withEstablished(established)
    const victim = established.find((peer) => world.detector.observes(peer, world.nowMs))!
    world.silence(victim)
    world.runUntil(world.nowMs + deadAfter + TICK)
    expect(world.state(victim)).toBe('dead')
    // Back with a newer member record, beating again.
    world.detector.observeRecord(member(300, victim), world.nowMs)
    world.resume(victim)
    expect(world.state(victim)).toBe('alive')
    expect(world.established(victim)).toBe(false)
    world.runUntil(world.nowMs + deadAfter + 1_000)
    expect(world.established(victim)).toBe(true)

    // Cut off: every established member is held, the one back from the dead with the rest.
    world.silence(...established)
    world.runUntil(world.nowMs + deadAfter + TICK)
    for (const peer of established) expect(world.detector.get(peer), peer).toMatchObject({ state: 'suspect', stale: true })
  })

  describe('isEstablished', () => {
    it('holds a member it observes established once it has heard it for deadAfter, and only while it is alive', () => {
      const world = new World()
      world.runUntil(LATER)
      world.admit('a', 'b', 'c', 'd', 'e')
      const [subject] = world.detector.subjectsOfSelf(world.nowMs)
      expect(world.established(subject!)).toBe(false)
      world.runUntil(LATER + deadAfter - 1_000)
      expect(world.established(subject!)).toBe(false)
      world.runUntil(LATER + deadAfter)
      expect(world.established(subject!)).toBe(true)

      world.silence(subject!)
      world.runUntil(world.nowMs + suspectAfter + TICK)
      expect(world.state(subject!)).not.toBe('alive')
      expect(world.established(subject!)).toBe(false)
      expect(world.established('stranger')).toBe(false)
    })

    it('gives the observers of a member it does not observe deadAfter to report a silence before it counts', () => {
      const world = new World(false)
      world.runUntil(LATER)
      const peers = ['a', 'b', 'c', 'd', 'e']
      world.admit(...peers)
      const [other, quiet] = peers.filter((peer) => !world.detector.observes(peer, world.nowMs))
      expect(quiet).toBeDefined()
      world.runUntil(LATER + 1_000)
      world.silence(quiet!)
      // Held alive here while the cluster is heard, but an observer may give a new subject deadAfter before its
      // first alert: until that is past, a member that fell silent after a second must not be established.
      world.runUntil(LATER + 1_000 + deadAfter - TICK)
      expect(world.state(quiet!)).toBe('alive')
      expect(world.established(quiet!)).toBe(false)
      const rings = new Rings(preserving.observers)
      rings.update([SELF, ...peers])
      const observer = rings.observersOf(quiet!).find((peer) => peer !== quiet)!
      expect(world.detector.observeAlert({ observer, subject: quiet!, incarnation: { wall: 100, logical: 0 } }, world.nowMs).kind).toBe('counted')

      // One that stays up is established once no alert came for deadAfter after deadAfter of it.
      world.runUntil(LATER + 2 * deadAfter - TICK)
      expect(world.established(other!)).toBe(false)
      world.runUntil(LATER + 2 * deadAfter)
      expect(world.established(other!)).toBe(true)
    })

    it('takes the members found on joining as established at once: the node cannot tell them from old members', () => {
      const detector = new FailureDetector(preserving)
      detector.observeRecord(member(100, 'before'), 0)
      expect(detector.isEstablished('before', 0)).toBe(true)
      detector.join(1_000)
      detector.observeRecord(member(100, 'found'), 1_000 + deadAfter - 1)
      expect(detector.isEstablished('found', 1_000 + deadAfter - 1)).toBe(true)
      detector.observeRecord(member(100, 'newcomer'), 1_000 + deadAfter)
      expect(detector.isEstablished('newcomer', 1_000 + deadAfter)).toBe(false)
    })

    it('starts over when a member that is not established yet falls silent, rather than adding up its beats', () => {
      const world = new World(false)
      world.runUntil(LATER)
      world.admit('a', 'b', 'c', 'd', 'e')
      const [subject] = world.detector.subjectsOfSelf(world.nowMs)
      world.runUntil(LATER + 4_000)
      world.silence(subject!)
      world.runUntil(LATER + 8_000)
      expect(world.state(subject!)).toBe('suspect')
      world.resume(subject!)
      expect(world.state(subject!)).toBe('alive')
      world.runUntil(LATER + 8_000 + deadAfter - 1_000)
      expect(world.established(subject!)).toBe(false)
      world.runUntil(LATER + 8_000 + deadAfter + 1_000)
      expect(world.established(subject!)).toBe(true)
    })

    it('keeps an established member established through a restart it never saw as a death; a leave ends it', () => {
      const world = withEstablished(['m', 'n', 'o'])
      const chain = (chainId: number): MemberRecord['chain'] => {
        const next = HashChain.create(new Uint8Array(32).fill(70 + chainId), 100)
        return { chainId, anchor: next.anchor, length: next.length }
      }
      // Restarted with the same key: a newer member record on a new chain.
      world.detector.observeRecord(member(300, 'm', { chain: chain(2) }), world.nowMs)
      expect(world.established('m')).toBe(true)

      world.detector.observeRecord(member(400, 'm', { leaving: true }), world.nowMs)
      expect(world.established('m')).toBe(false)
      expect(world.detector.observeRecord(member(500, 'm', { chain: chain(3) }), world.nowMs)).toMatchObject({ from: 'left', to: 'alive' })
      expect(world.established('m')).toBe(false)
    })
  })
})

describe('FailureDetector, members gone (dead or left)', () => {
  /** A member taken in and marked left by its leave notice, at `nowMs` (one chain for all: no hashing per member). */
  function leave (detector: FailureDetector, peer: string, nowMs: number): void {
    const notice = { ...member(100), owner: peer, leaving: true }
    expect(detector.observeRecord(notice, nowMs)).toMatchObject({ to: 'left' })
  }

  it('remembers at most MAX_GONE_MEMBERS, forgetting the oldest departure first: its old records are admitted again', () => {
    const detector = new FailureDetector(options)
    detector.join(0)
    for (let i = 0; i <= MAX_GONE_MEMBERS; i++) leave(detector, `gone-${i}`, i)
    expect(detector.get('gone-0')).toBeUndefined()
    expect(detector.admits('gone-0', { wall: 100, logical: 0 })).toBe(true)
    expect(detector.get('gone-1')).toMatchObject({ state: 'left' })
    expect(detector.admits('gone-1', { wall: 100, logical: 0 })).toBe(false)
    expect(detector.members(MAX_GONE_MEMBERS)).toHaveLength(MAX_GONE_MEMBERS)
  })

  it('forgets them forgetAfter after their latest departure: a leave notice after a death starts the count again', () => {
    const detector = pair()
    detector.observeUnreachable(PEER, 0)
    leave(detector, 'other', 10)
    detector.observeRecord(member(200, PEER, { leaving: true }), 20)
    detector.tick(60_010)
    expect(detector.get('other')).toBeUndefined()
    expect(detector.get(PEER)).toMatchObject({ state: 'left' })
    detector.tick(60_020)
    expect(detector.get(PEER)).toBeUndefined()
  })

  it('forgets none of the living, and ticks over them as before once the gone are forgotten', () => {
    const detector = pair()
    for (let i = 0; i < 100; i++) leave(detector, `gone-${i}`, 1)
    beat(detector, PEER, 2, 60_000)
    expect(detector.tick(60_001)).toEqual({ transitions: [], alerts: [] })
    expect(detector.members(60_001).map((m) => m.peerId)).toEqual([PEER])
    expect(detector.tick(62_000)).toMatchObject({ transitions: [{ peerId: PEER, to: 'dead' }] })
  })
})
