/**
 * The watch stream's event log: consecutive ids under one epoch, replay after an id, resets for ids it cannot
 * resume from, and bounds by count and bytes that hold under a flood.
 */
import { describe, expect, it } from 'vitest'
import { ENTRY_OVERHEAD_BYTES, EVENT_ID_PATTERN, EventLog, MAX_LOG_BYTES, MAX_LOG_EVENTS } from '../../../src/gateway/event-log.js'

const fill = (log: EventLog, count: number, data: unknown = { n: 0 }): void => {
  for (let i = 0; i < count; i++) log.append('up', data, 's')
}

describe('EventLog', () => {
  it('numbers events from 1 under its epoch, in ids of the shape the route accepts', () => {
    const log = new EventLog('e1')
    expect(log.headId).toBe('e1-0')
    const first = log.append('up', { a: 1 }, 'orders')
    const second = log.append('member', { b: 2 })
    expect([first.id, second.id, log.headId]).toEqual(['e1-1', 'e1-2', 'e1-2'])
    expect(first.frame).toBe('id: e1-1\nevent: up\ndata: {"a":1}\n\n')
    expect([first.service, second.service]).toEqual(['orders', undefined])
    expect(EVENT_ID_PATTERN.test(first.id)).toBe(true)
  })

  it('replays exactly the events after an id, and nothing after the head', () => {
    const log = new EventLog('e1')
    fill(log, 5)
    const resume = log.after('e1-2')
    expect(resume.kind === 'replay' && resume.entries.map((e) => e.id)).toEqual(['e1-3', 'e1-4', 'e1-5'])
    expect(log.after('e1-5')).toEqual({ kind: 'replay', entries: [] })
    const start = log.after('e1-0')
    expect(start.kind === 'replay' && start.entries.length).toBe(5)
  })

  it.each([
    ['another epoch', 'e2-3', 'unknown-epoch'],
    ['an id ahead of the head', 'e1-6', 'unknown-id'],
    ['a sequence number past what a number holds', 'e1-99999999999999999999', 'unknown-id']
  ])('resets for %s', (_what, id, reason) => {
    const log = new EventLog('e1')
    fill(log, 5)
    const resume = log.after(id)
    expect(resume.kind).toBe('reset')
    expect(resume.kind === 'reset' && resume.reason).toBe(reason)
    expect(resume.kind === 'reset' && resume.message).toContain(id)
  })

  it('resumes from just before its oldest event, and resets as too old before that', () => {
    const log = new EventLog('e1', { maxEvents: 3, maxBytes: 1_000_000 })
    fill(log, 10)
    expect(log.size).toBe(3)
    const oldest = log.after('e1-7')
    expect(oldest.kind === 'replay' && oldest.entries.map((e) => e.id)).toEqual(['e1-8', 'e1-9', 'e1-10'])
    const gone = log.after('e1-6')
    expect(gone.kind === 'reset' && gone.reason).toBe('too-old')
    expect(gone.kind === 'reset' && gone.message).toContain('last 3 events')
  })

  it('keeps at most maxBytes, evicting the oldest, and drops a single event larger than the bound', () => {
    const log = new EventLog('e1', { maxEvents: 1_000, maxBytes: 10_000 })
    const entry = log.append('up', { blob: 'x'.repeat(1_000) })
    fill(log, 50, { blob: 'x'.repeat(1_000) })
    expect(log.bytes).toBeLessThanOrEqual(10_000)
    expect(log.size).toBe(Math.floor(10_000 / entry.bytes))
    log.append('up', { blob: 'x'.repeat(20_000) })
    expect([log.size, log.bytes]).toEqual([0, 0])
    expect(log.after('e1-51').kind).toBe('reset')
    expect(log.after('e1-52')).toEqual({ kind: 'replay', entries: [] })
  })

  it('stays within both bounds under a flood, with ids still right after many compactions', () => {
    const log = new EventLog('e1')
    // Small enough (~320 B counted each) that the count bound, not the byte bound, holds them back.
    const data = { instance: { service: 's' } }
    for (let i = 0; i < 5 * MAX_LOG_EVENTS; i++) {
      log.append('up', data, 's')
      if (i % 997 === 0) expect(log.size <= MAX_LOG_EVENTS && log.bytes <= MAX_LOG_BYTES).toBe(true)
    }
    expect(log.size).toBe(MAX_LOG_EVENTS)
    expect(log.bytes).toBeLessThanOrEqual(MAX_LOG_BYTES)
    const resume = log.after(`e1-${5 * MAX_LOG_EVENTS - 2}`)
    expect(resume.kind === 'replay' && resume.entries.map((e) => e.id)).toEqual([`e1-${5 * MAX_LOG_EVENTS - 1}`, `e1-${5 * MAX_LOG_EVENTS}`])
    const bulky = new EventLog('e2')
    fill(bulky, 3_000, { blob: 'x'.repeat(4_000) })
    expect(bulky.bytes).toBeLessThanOrEqual(MAX_LOG_BYTES)
    // Full to within one event: the byte bound, not the count, holds bulky events back.
    expect(bulky.bytes).toBeGreaterThan(MAX_LOG_BYTES - 4_100 - ENTRY_OVERHEAD_BYTES)
    expect(bulky.size).toBeLessThan(1_100)
  })

  it('hands each appended entry to subscribers until they unsubscribe', () => {
    const log = new EventLog('e1')
    const seen: string[] = []
    const unsubscribe = log.subscribe((entry) => seen.push(entry.id))
    fill(log, 2)
    expect(log.subscriberCount).toBe(1)
    unsubscribe()
    fill(log, 1)
    expect([seen, log.subscriberCount]).toEqual([['e1-1', 'e1-2'], 0])
  })

  it('refuses an epoch that would not make a well-formed id', () => {
    expect(() => new EventLog('a-b')).toThrow(/`epoch`/)
  })
})
