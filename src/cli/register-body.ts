/**
 * The body of `gossip-registry register` and `maintenance`: command-line values turned into what
 * `POST /v1/instances` and `PUT /v1/instances/:id/maintenance` take. The agent validates them (and names the field);
 * here only what the command line alone can get wrong.
 */
import { parseDuration } from '../gateway/consul/duration.js'

/** The register command's values. */
export interface RegisterFlags {
  tag?: string[]
  ttl?: string
  checkHttp?: string
  checkTcp?: string
  checkInterval?: string
  checkTimeout?: string
  checkStatus?: string
}

/** ms as given (`30000`), or a Go duration (`30s`, `1m30s`) converted to ms. */
function msOf (flag: string, text: string): number {
  return /^\d+$/.test(text) ? Number(text) : parseDuration(flag, text)
}

/** `POST /v1/instances`'s body. Throws naming the flag when the flags do not fit together. */
export function registerBody (service: string, version: string, address: string, port: string, flags: RegisterFlags): Record<string, unknown> {
  if (flags.checkHttp !== undefined && flags.checkTcp !== undefined) throw new Error('give --check-http or --check-tcp, not both: an instance has one check')
  const probe = flags.checkHttp !== undefined ? { http: flags.checkHttp } : flags.checkTcp !== undefined ? { tcp: flags.checkTcp } : undefined
  if (probe === undefined) {
    const stray = (['checkInterval', 'checkTimeout', 'checkStatus'] as const).find((key) => flags[key] !== undefined)
    if (stray !== undefined) throw new Error(`--${stray.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} needs --check-http or --check-tcp`)
  }
  if (probe !== undefined && flags.ttl !== undefined) throw new Error('give --ttl (a lease to renew) or a --check-http/--check-tcp check the agent runs, not both')
  if (flags.checkStatus !== undefined && flags.checkHttp === undefined) throw new Error('--check-status needs --check-http')
  const check = probe === undefined
    ? undefined
    : {
        ...probe,
        ...(flags.checkInterval !== undefined && { interval: msOf('--check-interval', flags.checkInterval) }),
        ...(flags.checkTimeout !== undefined && { timeout: msOf('--check-timeout', flags.checkTimeout) }),
        ...(flags.checkStatus !== undefined && { expectedStatus: Number(flags.checkStatus) })
      }
  return {
    service,
    version,
    address,
    port: Number(port),
    ...(flags.tag !== undefined && { tags: flags.tag }),
    ...(flags.ttl !== undefined && { ttl: msOf('--ttl', flags.ttl) }),
    ...(check !== undefined && { check })
  }
}

/** `PUT /v1/instances/:id/maintenance`'s body from `on` or `off`. */
export function maintenanceBody (state: string, reason: string | undefined): { enable: boolean, reason?: string } {
  if (state !== 'on' && state !== 'off') throw new Error(`expected \`on\` or \`off\`, got ${JSON.stringify(state)}; see --help`)
  if (state === 'off' && reason !== undefined) throw new Error('--reason goes with `on`: it says why the instance is out')
  return { enable: state === 'on', ...(reason !== undefined && { reason }) }
}
