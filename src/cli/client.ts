/**
 * The client commands: each one HTTP call to an agent, printed as a table (or JSON with --json).
 */
import { AGENT_DEFAULTS } from './options.js'
import { maintenanceBody, registerBody, type RegisterFlags } from './register-body.js'
import { renderTable } from './table.js'
import { watchAgent } from './watch.js'

/** Commands that talk to an agent. */
export const CLIENT_COMMANDS = ['services', 'lookup', 'members', 'force-leave', 'register', 'deregister', 'renew', 'maintenance', 'leave', 'watch'] as const

/** The agent a client talks to when neither `--agent` nor `GOSSIP_REGISTRY_AGENT` names one: the agent's default. */
export const DEFAULT_AGENT_URL = `http://${AGENT_DEFAULTS.http}`

/** The client's command-line values. */
export interface ClientFlags extends RegisterFlags {
  agent?: string
  token?: string
  json?: boolean
  semver?: string
  tag?: string[]
  all?: boolean
  reason?: string
}

interface Member { peerId: string, name?: string, state: string, stale: boolean, lastSeen: number, observed?: boolean, instances: number, self: boolean }
interface Instance { id: string, service: string, version: string, address: string, port: number, status: string, tags: string[], owner: string }

/** Runs one client command; returns the exit code. */
export async function runClientCommand (command: (typeof CLIENT_COMMANDS)[number], args: string[], flags: ClientFlags): Promise<number> {
  const agent = (flags.agent ?? DEFAULT_AGENT_URL).replace(/\/$/, '')
  const call = async (method: string, path: string, body?: unknown): Promise<unknown> => {
    const response = await fetch(`${agent}${path}`, {
      method,
      headers: { ...(body !== undefined && { 'content-type': 'application/json' }), ...(flags.token !== undefined && { authorization: `Bearer ${flags.token}` }) },
      ...(body !== undefined && { body: JSON.stringify(body) })
    }).catch((err: Error) => { throw new Error(`cannot reach the agent at ${agent}: ${err.message}`) })
    const json = await response.json() as { error?: string, code?: string }
    if (!response.ok) throw new Error(`${response.status} ${json.code ?? ''}: ${json.error ?? 'request failed'}`)
    return json
  }
  const print = (json: unknown, header: string[], rows: string[][]): void => {
    console.log(flags.json === true ? JSON.stringify(json, null, 2) : renderTable(header, rows))
  }
  switch (command) {
    case 'services': {
      const json = await call('GET', '/v1/services') as { services: string[] }
      print(json, ['service'], json.services.map((s) => [s]))
      return 0
    }
    case 'lookup': {
      const service = required(args[0], 'service')
      const query = new URLSearchParams()
      if (flags.semver !== undefined) query.set('version', flags.semver)
      for (const tag of flags.tag ?? []) query.append('tag', tag)
      if (flags.all === true) query.set('healthy', 'false')
      const json = await call('GET', `/v1/services/${encodeURIComponent(service)}/instances?${query}`) as { instances: Instance[] }
      print(json, ['id', 'version', 'address', 'status', 'tags', 'owner'], json.instances.map((i) => [i.id, i.version, `${i.address}:${i.port}`, i.status, i.tags.join(','), i.owner]))
      return 0
    }
    case 'members': {
      if (args[0] === 'prune') {
        const json = await call('POST', '/v1/members/prune') as { pruned: number }
        print(json, ['pruned'], [[String(json.pruned)]])
        return 0
      }
      if (args[0] !== undefined) throw new Error(`unknown members action ${JSON.stringify(args[0])}: the only one is \`prune\`; see --help`)
      const json = await call('GET', '/v1/members') as { members: Member[], now?: number }
      // The agent's clock, not ours: lastSeen was stamped there.
      const now = json.now ?? Date.now()
      print(json, ['name', 'member', 'state', 'last heard', 'instances'], json.members.map((m) => [
        nameOf(m), m.self ? `${m.peerId} (agent)` : m.peerId, m.stale ? `${m.state} (stale)` : m.state, lastHeard(m, now), String(m.instances)
      ]))
      return 0
    }
    case 'force-leave': {
      const member = required(args[0], 'member')
      const json = await call('POST', `/v1/members/${encodeURIComponent(member)}/force-leave`) as { member: Member }
      print(json, ['forced out', 'name'], [[json.member.peerId, nameOf(json.member)]])
      return 0
    }
    case 'register': {
      const [service, version, address, port] = [required(args[0], 'service'), required(args[1], 'version'), required(args[2], 'address'), required(args[3], 'port')]
      const json = await call('POST', '/v1/instances', registerBody(service, version, address, port, flags)) as { instance: Instance }
      print(json, ['id', 'service', 'version', 'address'], [[json.instance.id, service, version, `${address}:${port}`]])
      return 0
    }
    case 'deregister': {
      const json = await call('DELETE', `/v1/instances/${encodeURIComponent(required(args[0], 'id'))}`)
      print(json, ['deregistered'], [[args[0]!]])
      return 0
    }
    case 'renew': {
      const id = required(args[0], 'id')
      const json = await call('PUT', `/v1/instances/${encodeURIComponent(id)}/renew`)
      print(json, ['renewed'], [[id]])
      return 0
    }
    case 'maintenance': {
      const id = required(args[0], 'id')
      const body = maintenanceBody(required(args[1], 'on|off'), flags.reason)
      const json = await call('PUT', `/v1/instances/${encodeURIComponent(id)}/maintenance`, body) as { instance: Instance & { maintenance?: { reason: string } } }
      const { maintenance } = json.instance
      print(json, ['id', 'maintenance', 'reason'], [[id, maintenance === undefined ? 'off' : 'on', maintenance?.reason ?? '']])
      return 0
    }
    case 'leave': {
      const json = await call('PUT', '/v1/agent/leave')
      print(json, ['left'], [[agent]])
      return 0
    }
    case 'watch': {
      const controller = new AbortController()
      process.once('SIGINT', () => { controller.abort() })
      return watchAgent({ agent, service: args[0], json: flags.json === true, token: flags.token, signal: controller.signal })
    }
  }
}

/**
 * A member's name, or for one without (versions before names) the end of its peer id, as libp2p abbreviates ids:
 * the start is the same `12D3KooW` for every Ed25519 key.
 */
function nameOf (member: Member): string {
  return member.name !== undefined && member.name !== '' ? member.name : `…${member.peerId.slice(-8)}`
}

/**
 * How long ago the agent heard a member, on the agent's clock (`now`). Only of a member it observes: of any other
 * it hears no beats, and an age there would read as silence.
 */
function lastHeard (member: Member, now: number): string {
  if (member.self) return '-'
  if (member.observed === false) return 'not observed here'
  return `${((now - member.lastSeen) / 1000).toFixed(1)} s ago`
}

function required (value: string | undefined, name: string): string {
  if (value === undefined || value === '') throw new Error(`missing <${name}>; see --help`)
  return value
}
