/**
 * `gossip-registry/agent`: the agent (a node, its HTTP gateway and DNS, with logs and a graceful leave) for a
 * program that wants to run one itself, and the command line behind the `gossip-registry` executable. Loads
 * pino, commander, Fastify and dns-packet, which `gossip-registry` itself never does.
 */
export { runAgent, ALONE_WARNING_MS } from './cli/agent.js'
export { resolveAgentSettings } from './cli/settings.js'
export type { AgentSettings, SettingSources } from './cli/settings.js'
export type { AgentOnlyOptions } from './cli/options.js'
export { AGENT_DEFAULTS } from './cli/options.js'
export { main } from './cli/main.js'
