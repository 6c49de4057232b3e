/**
 * Every other Consul endpoint (KV, ACL, sessions, events, Connect, ...) and the agent, catalog, health and status
 * endpoints not implemented here answer 400 saying so and naming the URL: never a 404, which Consul clients read
 * as "no such key" or "no such service" and would act on silently.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { InvalidArgumentError } from '../../errors.js'

/** Consul API areas, each with what this agent says about it. */
export const UNSUPPORTED_AREAS: Readonly<Record<string, string>> = {
  kv: 'the key/value store is not part of a service registry',
  acl: 'ACLs are not supported: the agent has one token for writes',
  session: 'sessions and locks are not supported: there is no leader to hold them',
  event: 'user events are not supported',
  connect: 'Connect (service mesh) is not supported',
  config: 'configuration entries are not supported',
  txn: 'transactions are not supported',
  query: 'prepared queries are not supported',
  coordinate: 'network coordinates are not supported',
  operator: 'operator endpoints are not supported: there are no servers',
  snapshot: 'snapshots are not supported: every node holds the whole registry',
  internal: 'Consul UI internals are not supported',
  'discovery-chain': 'discovery chains (Connect) are not supported',
  namespace: 'namespaces (Consul Enterprise) are not supported',
  namespaces: 'namespaces (Consul Enterprise) are not supported',
  partition: 'admin partitions (Consul Enterprise) are not supported',
  partitions: 'admin partitions (Consul Enterprise) are not supported',
  peering: 'cluster peering is not supported',
  acls: 'ACLs are not supported',
  exported: 'exported services (peering) are not supported',
  imported: 'imported services (peering) are not supported',
  agent: 'this agent endpoint is not supported',
  catalog: 'this catalog endpoint is not supported',
  health: 'this health endpoint is not supported',
  status: 'this status endpoint is not supported'
}

/** Registers the catch-all routes; the implemented endpoints are static routes and win over them. */
export function consulUnsupportedRoutes (app: FastifyInstance): void {
  for (const [area, why] of Object.entries(UNSUPPORTED_AREAS)) {
    const refuse = async (request: FastifyRequest): Promise<never> => {
      throw new InvalidArgumentError('url', `\`${request.method} ${request.url.split('?')[0]}\` is not supported by this agent: ${why} (see docs/consul-compatibility.md)`)
    }
    // `/v1/txn` and `/v1/snapshot` have no sub-path; the wildcard does not cover the bare area.
    app.all(`/v1/${area}`, { schema: { hide: true } }, refuse)
    app.all(`/v1/${area}/*`, { schema: { hide: true } }, refuse)
  }
}
