/**
 * `GET /v1/sd/prometheus`: every visible instance as a Prometheus HTTP service discovery target group
 * (https://prometheus.io/docs/prometheus/latest/http_sd/), with `__meta_gossip_registry_*` labels for relabelling.
 * Critical instances are listed too, with their status as a label, as Consul SD does: scraping what is down is
 * how one sees why.
 */
import { shownStatus } from '../../health/maintenance.js'
import { responses } from '../responses.js'
import type { FastifyInstance } from 'fastify'
import type { Registry } from '../../registry.js'
import type { Instance } from '../../record/types.js'
import { joinHostPort } from '../consul/shapes.js'
import { watchQuery } from '../schemas.js'

const PREFIX = '__meta_gossip_registry_'

/** One http_sd target group. */
export interface TargetGroup {
  targets: string[]
  labels: Record<string, string>
}

/** Registers the Prometheus HTTP SD route. */
export function prometheusSdRoute (app: FastifyInstance, registry: Registry): void {
  app.get<{ Querystring: { service?: string } }>('/v1/sd/prometheus', {
    schema: {
      querystring: watchQuery,
      tags: ['v1'],
      summary: 'Prometheus HTTP service discovery: one target group per instance',
      response: responses({
        200: {
          type: 'array',
          items: {
            type: 'object',
            required: ['targets', 'labels'],
            additionalProperties: false,
            properties: { targets: { type: 'array', items: { type: 'string' } }, labels: { type: 'object', additionalProperties: { type: 'string' } } }
          }
        }
      })
    }
  }, async (request, reply) => {
    const { service } = request.query
    const services = service === undefined ? registry.services() : [service]
    const groups = services.flatMap((name) => registry.lookup(name, { includeUnhealthy: true })).map(targetGroup)
    // Prometheus refuses an http_sd answer that is not `application/json`.
    return reply.type('application/json').send(groups)
  })
}

/** An instance as a target group: `host:port` and its fields as labels (tags as `,a,b,`, like Consul SD). */
export function targetGroup (instance: Instance): TargetGroup {
  const labels: Record<string, string> = {
    [`${PREFIX}service`]: instance.service,
    [`${PREFIX}version`]: instance.version,
    [`${PREFIX}instance_id`]: instance.id,
    [`${PREFIX}owner`]: instance.owner,
    [`${PREFIX}status`]: shownStatus(instance),
    [`${PREFIX}tags`]: instance.tags.length === 0 ? '' : `,${instance.tags.join(',')},`,
    [`${PREFIX}zone`]: instance.metadata.zone ?? ''
  }
  // Label names allow [a-zA-Z0-9_]; metadata keys may also hold `.`, `:` and `-`.
  for (const [key, value] of Object.entries(instance.metadata)) labels[`${PREFIX}metadata_${key.replace(/[^A-Za-z0-9_]/g, '_')}`] = value
  return { targets: [joinHostPort(instance.address, instance.port)], labels }
}
