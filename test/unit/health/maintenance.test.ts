/**
 * The maintenance switches of own instances: what is published while on (critical, with the reason), the status
 * held back and restored, and the validation of `maintenance()`'s input.
 */
import { describe, expect, it } from 'vitest'
import { MaintenanceSwitches, shownStatus, validateMaintenance } from '../../../src/health/maintenance.js'
import type { InstanceRecord } from '../../../src/record/types.js'

const base: InstanceRecord = {
  kind: 'instance', deleted: false, owner: 'o', id: 'i-1', namespace: 'default', stamp: { wall: 1, logical: 0 },
  service: 'web', version: '1.0.0', address: '10.0.0.1', port: 80, tags: [], metadata: {}, weight: 1, status: 'warning'
}
const stamped = (record: Omit<InstanceRecord, 'stamp'>): InstanceRecord => ({ ...record, stamp: { wall: 2, logical: 0 } })

describe('MaintenanceSwitches', () => {
  it('publishes critical with the reason while on, and gives back the status it held when off', () => {
    const switches = new MaintenanceSwitches()
    expect(switches.publishable(base)).toEqual(base)
    switches.set('i-1', true, 'deploy')
    const held = stamped(switches.publishable(switches.logical(base, undefined)))
    expect(held).toMatchObject({ status: 'critical', maintenance: { reason: 'deploy' } })
    // A later write in maintenance (a status reported meanwhile) changes what comes back, not what is published.
    const reported = stamped(switches.publishable({ ...switches.logical(held, undefined), status: 'passing' }))
    expect(reported).toMatchObject({ status: 'critical', maintenance: { reason: 'deploy' } })
    switches.set('i-1', false)
    const back = switches.publishable(switches.logical(reported, undefined))
    expect(back.status).toBe('passing')
    expect(back).not.toHaveProperty('maintenance')
  })

  it("restores what the instance's check found over what was held", () => {
    const switches = new MaintenanceSwitches()
    switches.set('i-1', true)
    const held = stamped(switches.publishable(base))
    switches.set('i-1', false)
    expect(switches.publishable(switches.logical(held, 'critical')).status).toBe('critical')
  })

  it('forgets a deregistered instance: its id starts out of maintenance', () => {
    const switches = new MaintenanceSwitches()
    switches.set('i-1', true, 'x')
    switches.forget('i-1')
    expect(switches.isOn('i-1')).toBe(false)
    expect(switches.publishable(base)).toEqual(base)
  })
})

describe('validateMaintenance', () => {
  it('takes enable and an optional reason', () => {
    expect(validateMaintenance({ enable: true })).toEqual({ enable: true, reason: '' })
    expect(validateMaintenance({ enable: false, reason: 'r' })).toEqual({ enable: false, reason: 'r' })
  })

  it.each([
    [null, 'maintenance'],
    [{}, 'enable'],
    [{ enable: 'yes' }, 'enable'],
    [{ enable: true, reason: 5 }, 'reason'],
    [{ enable: true, reason: 'x'.repeat(257) }, 'reason'],
    [{ enable: true, why: 'x' }, 'why']
  ])('refuses %j naming `%s`', (input, argument) => {
    expect(() => validateMaintenance(input)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT', argument }))
  })
})

describe('shownStatus', () => {
  it('says maintenance for an instance held out, its status otherwise', () => {
    expect(shownStatus({ status: 'critical', maintenance: { reason: '' } })).toBe('maintenance')
    expect(shownStatus({ status: 'critical' })).toBe('critical')
  })
})
