/**
 * `POST /v1/members/prune` and `POST /v1/members/:id/force-leave`: an operator tidies this agent's member list.
 * Both act on this agent's view only and never declare anyone dead: the registry refuses a member alive or
 * suspect here (409), since no single member may get another declared dead (docs/http.md#members).
 */
import type { FastifyInstance } from 'fastify'
import type { Registry } from '../../registry.js'
import { bearer, memberResponse, ref, responses, successResponse } from '../responses.js'
import { memberParams } from '../schemas.js'

/** Registers the member write routes. */
export function memberRoutes (app: FastifyInstance, registry: Registry): void {
  app.post('/v1/members/prune', {
    schema: {
      tags: ['v1'], security: bearer,
      summary: 'Forget every member dead or left here (this agent only); their death marks stay, so they cannot come back from stale copies',
      response: responses({ 200: successResponse({ pruned: { type: 'integer', description: 'Members forgotten' } }) })
    }
  }, async () => ({ success: true, pruned: registry.pruneMembers() }))

  app.post<{ Params: { id: string } }>('/v1/members/:id/force-leave', {
    schema: {
      params: memberParams, tags: ['v1'], security: bearer,
      summary: 'Turn a member dead here into left and forget it (this agent only); 409 for a member alive or suspect, or a name several members have',
      response: responses({ 200: successResponse({ member: ref(memberResponse) }) })
    }
  }, async (request) => ({ success: true, member: registry.forceLeave(request.params.id) }))
}
