/**
 * `PUT /v1/instances/:id/maintenance`: takes an instance this agent owns out of lookups at every node without
 * deregistering it, or brings it back. The registry's own `maintenance()`: the switch travels in the record.
 */
import type { FastifyInstance } from 'fastify'
import type { MaintenanceInput } from '../../health/maintenance.js'
import type { Registry } from '../../registry.js'
import { bearer, instanceResponse, ref, responses, successResponse } from '../responses.js'
import { idParams, maintenanceBody } from '../schemas.js'

/** Registers the maintenance route. */
export function maintenanceRoute (app: FastifyInstance, registry: Registry): void {
  app.put<{ Params: { id: string }, Body: MaintenanceInput }>('/v1/instances/:id/maintenance', {
    schema: {
      params: idParams, body: maintenanceBody, tags: ['v1'], security: bearer,
      summary: 'Switch maintenance of an instance this agent owns: out of lookups everywhere, still registered',
      response: responses({ 200: successResponse({ instance: ref(instanceResponse) }) })
    }
  }, async (request) => ({ success: true, instance: await registry.maintenance(request.params.id, request.body) }))
}
