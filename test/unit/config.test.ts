import { hostname } from 'node:os'
import { describe, expect, it } from 'vitest'
import { defaultName } from '../../src/config.js'
import { DEFAULTS, InvalidOptionError, PRESETS, resolveConfig } from '../../src/index.js'

describe('resolveConfig', () => {
  it('returns the defaults, frozen, for no options', () => {
    const config = resolveConfig()
    // `name` is the one default known only at run time: the host name.
    expect(config).toEqual({ ...DEFAULTS, name: defaultName(hostname()) })
    expect(Object.isFrozen(config)).toBe(true)
    expect(Object.isFrozen(config.listen)).toBe(true)
  })

  it('treats an explicit undefined as omitted', () => {
    expect(resolveConfig({ heartbeatInterval: undefined }).heartbeatInterval).toBe(DEFAULTS.heartbeatInterval)
  })

  it('accepts the test preset', () => {
    expect(resolveConfig(PRESETS.test).deadAfter).toBe(PRESETS.test.deadAfter)
  })

  it.each([
    [{ heartbeatInterval: 0 }, 'heartbeatInterval', 'Expected `heartbeatInterval` to be a positive integer, got `0` (number)'],
    [{ heartbeatInterval: '1s' }, 'heartbeatInterval', 'Expected `heartbeatInterval` to be a positive integer, got `"1s"` (string)'],
    [{ mdns: 'yes' }, 'mdns', 'Expected `mdns` to be a boolean'],
    [{ listen: '/ip4/0.0.0.0/tcp/0' }, 'listen', 'Expected `listen` to be an array of strings'],
    [{ namespace: 'has space' }, 'namespace', 'Expected `namespace` to be a name'],
    [{ dropGossipRate: 2 }, 'dropGossipRate', 'a number from 0 to 1'],
    [{ heartbeatChainLength: 1 }, 'heartbeatChainLength', 'an integer from 2 to 1 000 000'],
    [{ suspectAfter: 500, heartbeatInterval: 1000 }, 'suspectAfter', 'Expected `suspectAfter` to be > heartbeatInterval (1000), got `500` (number)'],
    [{ deadAfter: 2000 }, 'deadAfter', 'Expected `deadAfter` to be > suspectAfter (2000), got `2000` (number)'],
    [{ observerQuorum: 5 }, 'observerQuorum', 'Expected `observerQuorum` to be <= observers (4), got `5` (number)'],
    [{ heartbeatIntervall: 5 }, 'heartbeatIntervall', 'Unknown option `heartbeatIntervall`']
  ])('rejects %j naming `%s`', (options, option, message) => {
    let thrown: unknown
    try {
      resolveConfig(options as never)
    } catch (err) {
      thrown = err
    }
    expect(thrown).toBeInstanceOf(InvalidOptionError)
    expect(thrown).toMatchObject({ code: 'ERR_INVALID_OPTION', option })
    expect((thrown as Error).message).toContain(message)
  })
})
