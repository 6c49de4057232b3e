/**
 * The client commands: each one HTTP call to an agent, printed as a table (or JSON with --json).
 */
import { AGENT_DEFAULTS } from './options.js'
import { renderTable } from './table.js'

/** Commands that talk to an agent. */
export const CLIENT_COMMANDS = ['services', 'lookup', 'members', 'register', 'deregister', 'renew', 'leave', 'watch'] as const

/** The agent a client talks to when neither `--agent` nor `GOSSIP_REGISTRY_AGENT` names one: the agent's default. */
export const DEFAULT_AGENT_URL = `http://${AGENT_DEFAULTS.http}`

/** The client's command-line values. */
export interface ClientFlags {
  agent?: string
  token?: string
  json?: boolean
  semver?: string
  tag?: string[]
  all?: boolean
  ttl?: string
}

interface Member { peerId: string, state: string, stale: boolean, lastSeen: number, instances: number, self: boolean }
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
      const json = await call('GET', '/v1/members') as { members: Member[], now?: number }
      // The agent's clock, not ours: lastSeen was stamped there.
      const now = json.now ?? Date.now()
      print(json, ['member', 'state', 'last heard', 'instances'], json.members.map((m) => [
        m.self ? `${m.peerId} (agent)` : m.peerId, m.stale ? `${m.state} (stale)` : m.state, m.self ? '-' : `${((now - m.lastSeen) / 1000).toFixed(1)} s ago`, String(m.instances)
      ]))
      return 0
    }
    case 'register': {
      const [service, version, address, port] = [required(args[0], 'service'), required(args[1], 'version'), required(args[2], 'address'), required(args[3], 'port')]
      const body = { service, version, address, port: Number(port), ...(flags.tag !== undefined && { tags: flags.tag }), ...(flags.ttl !== undefined && { ttl: Number(flags.ttl) }) }
      const json = await call('POST', '/v1/instances', body) as { instance: Instance }
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
    case 'leave': {
      const json = await call('PUT', '/v1/agent/leave')
      print(json, ['left'], [[agent]])
      return 0
    }
    case 'watch':
      return watch(agent, args[0], flags.json === true)
  }
}

function required (value: string | undefined, name: string): string {
  if (value === undefined || value === '') throw new Error(`missing <${name}>; see --help`)
  return value
}

/** Prints each change from the agent's SSE stream until SIGINT. */
async function watch (agent: string, service: string | undefined, json: boolean): Promise<number> {
  const controller = new AbortController()
  process.once('SIGINT', () => { controller.abort() })
  const response = await fetch(`${agent}/v1/watch${service === undefined ? '' : `?service=${encodeURIComponent(service)}`}`, { signal: controller.signal })
  if (!response.ok || response.body === null) throw new Error(`${response.status}: cannot watch`)
  if (!json) console.log(`watching ${service ?? 'every service'} at ${agent} (Ctrl-C to stop)`)
  const decoder = new TextDecoder()
  let buffer = ''
  try {
    for await (const chunk of response.body) {
      buffer += decoder.decode(chunk, { stream: true })
      let end: number
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const frame = buffer.slice(0, end)
        buffer = buffer.slice(end + 2)
        const event = /^event: (.*)$/m.exec(frame)?.[1]
        const data = /^data: (.*)$/m.exec(frame)?.[1]
        if (event === undefined || data === undefined) continue
        if (json) {
          console.log(data)
          continue
        }
        const detail = JSON.parse(data) as { instance?: Instance, member?: Member }
        if (detail.instance !== undefined) console.log(`${event} ${detail.instance.service}@${detail.instance.version} ${detail.instance.address}:${detail.instance.port} ${detail.instance.status}`)
        else if (detail.member !== undefined) console.log(`member ${detail.member.peerId} ${detail.member.state}`)
      }
    }
  } catch (err) {
    if (!controller.signal.aborted) throw err
  }
  return 0
}
