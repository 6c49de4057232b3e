/**
 * The agent's log (pino): text lines for a terminal or JSON lines for a collector, written synchronously so a
 * line is out before the process exits. What the agent says: start-up progress, then one line per member or
 * instance change. The registry's own debug logs stay on DEBUG=gossip-registry* (@libp2p/logger).
 */
import { pino, type Logger } from 'pino'
import type { Registry } from '../registry.js'

/** Creates the agent's logger. Text lines look like `2026-12-01T01:02:03.456Z INFO  listening on /ip4/...`. */
export function createAgentLogger (options: { level: string, json: boolean, write?: (line: string) => void }): Logger {
  const write = options.write ?? ((line: string) => { process.stdout.write(line) })
  const base = { level: options.level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime }
  if (options.json) return pino(base, { write })
  return pino({ ...base, formatters: { level: (label) => ({ level: label }) } }, { write: (line: string) => { write(toText(line)) } })
}

/** A pino JSON line as text: time, level, message, then any other fields as key=value. */
function toText (line: string): string {
  const { time, level, msg, ...rest } = JSON.parse(line) as Record<string, unknown>
  const extra = Object.entries(rest).map(([key, value]) => ` ${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`).join('')
  return `${String(time)} ${String(level).toUpperCase().padEnd(5)} ${String(msg)}${extra}\n`
}

/** Logs one line per member state change and per instance change. */
export function logChanges (registry: Registry, log: Logger): void {
  for (const type of ['member:alive', 'member:suspect', 'member:dead', 'member:left'] as const) {
    registry.addEventListener(type, (event) => {
      const { member, from } = event.detail
      const line = `member ${member.peerId} ${from} -> ${member.state}${member.addrs[0] === undefined ? '' : ` (${member.addrs[0]})`}`
      // A field, not part of the message: a text line ends in ` name=web-1`, a JSON line has `"name"` to filter on.
      const fields = member.name === '' ? {} : { name: member.name }
      if (member.state === 'alive' || member.state === 'left') log.info(fields, line)
      else log.warn(fields, line)
    })
  }
  for (const type of ['instance:up', 'instance:down', 'instance:changed'] as const) {
    registry.addEventListener(type, (event) => {
      const { instance } = event.detail
      const why = event.detail.type === 'down' ? ` (${event.detail.reason})` : ''
      log.info(`instance ${event.detail.type} ${instance.service}@${instance.version} ${instance.address}:${instance.port} ${instance.status}${why} id=${instance.id} owner=${instance.owner}`)
    })
  }
}
