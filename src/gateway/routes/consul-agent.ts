/**
 * Consul's agent writes, for services that register themselves through a Consul client:
 * `PUT /v1/agent/service/register`, `/v1/agent/service/deregister/:id`, `/v1/agent/check/pass|warn|fail/:checkId`
 * and `/v1/agent/check/update/:checkId`. They are the registry's own `register`/`deregister`/TTL reports on
 * instances this agent owns: one record path, no second store.
 */
import type { FastifyInstance, FastifyReply } from 'fastify'
import { InvalidArgumentError, InvalidRecordError, UnknownInstanceError } from '../../errors.js'
import type { CheckDefinition } from '../../health/check.js'
import type { Registry } from '../../registry.js'
import type { InstanceStatus } from '../../record/types.js'
import { AgentChecks } from '../consul/agent-checks.js'
import { CheckSet, namedChecks, worstOf, type ConsulCheck, type NamedCheck } from '../consul/checks.js'
import { checkIdParams, checkNoteQuery, checkUpdateBody, consulRegisterBody, registerQuery, serviceIdParams } from '../consul/schemas.js'
import { hostPortOf } from '../consul/shapes.js'
import type { ErrorBody } from '../errors.js'

interface RegisterBody {
  Name: string
  ID?: string
  Address?: string
  Port: number
  Tags?: string[]
  Meta?: Record<string, string>
  Check?: ConsulCheck
  Checks?: ConsulCheck[]
  EnableTagOverride?: boolean
}

/** Consul services have no version: one in `Meta.version` is used, else this. */
export const UNVERSIONED = '0.0.0'

/** The registry's field names as a Consul client knows them. */
const CONSUL_FIELD: Record<string, string> = { service: 'body.Name', id: 'body.ID', address: 'body.Address', port: 'body.Port', tags: 'body.Tags', metadata: 'body.Meta', version: 'body.Meta.version' }

/** Registers the Consul agent write routes. */
export function consulAgentRoutes (app: FastifyInstance, registry: Registry): void {
  const now = (): number => performance.now()
  const checks = new AgentChecks(registry, now)

  app.put<{ Body: RegisterBody }>('/v1/agent/service/register', {
    schema: { body: consulRegisterBody, querystring: registerQuery, tags: ['consul'], summary: 'Consul: register (or replace) a service instance owned by this agent' }
  }, async (request) => {
    const body = request.body
    if (body.Check !== undefined && body.Checks !== undefined) throw new InvalidArgumentError('body.Checks', 'Expected either `body.Check` or `body.Checks`, not both')
    const id = body.ID ?? body.Name
    const named: NamedCheck[] = body.Check !== undefined ? namedChecks(id, 'body.Check', [body.Check]) : namedChecks(id, 'body.Checks', body.Checks ?? [])
    const clash = checks.taken(id, named)
    if (clash !== undefined) throw new InvalidArgumentError('body.Checks.CheckID', `Check id \`${clash}\` already belongs to another service of this agent`)
    // Consul checks start critical unless told otherwise; a service without checks is passing.
    const status = worstOf(named.map((check) => check.initial))
    const set = named.length > 1 ? new CheckSet(named, now()) : undefined
    const check: CheckDefinition | undefined = set !== undefined ? set.definition(now, minDeregister(named)) : named[0]?.definition
    try {
      await registry.register({
        service: body.Name,
        id,
        version: body.Meta?.version ?? UNVERSIONED,
        // Consul falls back to the node's address; here that is this agent's first advertised address.
        address: body.Address !== undefined && body.Address !== '' ? body.Address : nodeAddress(registry) ?? request.ip,
        port: body.Port,
        tags: body.Tags ?? [],
        metadata: body.Meta ?? {},
        status,
        ...(check !== undefined && { check })
      })
    } catch (err) {
      if (err instanceof InvalidRecordError || err instanceof InvalidArgumentError) throw renamed(err)
      throw err
    }
    checks.track(id, named, set)
    return null
  })

  app.put<{ Params: { id: string } }>('/v1/agent/service/deregister/:id', {
    schema: { params: serviceIdParams, tags: ['consul'], summary: 'Consul: deregister a service instance owned by this agent' }
  }, async (request, reply) => {
    try {
      await registry.deregister(request.params.id)
    } catch (err) {
      if (err instanceof UnknownInstanceError) return notFound(reply, 'params.id', `Unknown service ID \`${request.params.id}\`: no instance with this id is registered through this agent`)
      throw err
    }
    return null
  })

  const report = (status: InstanceStatus, checkId: string, reply: FastifyReply): FastifyReply | null => {
    const outcome = checks.report(checkId, status)
    if (outcome === 'unknown') return notFound(reply, 'params.checkId', `Unknown check ID \`${checkId}\`: no check with this id is registered through this agent`)
    if (outcome === 'not-ttl') throw new InvalidArgumentError('params.checkId', `Check \`${checkId}\` is an HTTP or TCP check that this agent runs itself; only TTL checks take reports`)
    return null
  }
  for (const [verb, status] of [['pass', 'passing'], ['warn', 'warning'], ['fail', 'critical']] as const) {
    app.put<{ Params: { checkId: string } }>(`/v1/agent/check/${verb}/:checkId`, {
      schema: { params: checkIdParams, querystring: checkNoteQuery, tags: ['consul'], summary: `Consul: report a TTL check ${status}` }
    }, async (request, reply) => report(status, request.params.checkId, reply))
  }
  app.put<{ Params: { checkId: string }, Body: { Status: InstanceStatus, Output?: string } }>('/v1/agent/check/update/:checkId', {
    schema: { params: checkIdParams, body: checkUpdateBody, tags: ['consul'], summary: 'Consul: report a TTL check\'s status' }
  }, async (request, reply) => report(request.body.Status, request.params.checkId, reply))
}

function notFound (reply: FastifyReply, field: string, error: string): FastifyReply {
  return reply.status(404).send({ success: false, error, code: 'ERR_UNKNOWN_INSTANCE', field } satisfies ErrorBody)
}

/** The shortest `DeregisterCriticalServiceAfter` of several checks: the folded check deregisters when it would. */
function minDeregister (checks: readonly NamedCheck[]): number | undefined {
  const all = checks.map((check) => check.definition.deregisterCriticalAfter).filter((ms): ms is number => ms !== undefined)
  return all.length === 0 ? undefined : Math.min(...all)
}

function nodeAddress (registry: Registry): string | undefined {
  return registry.multiaddrs.map(hostPortOf).find((hostPort) => hostPort !== undefined)?.host
}

/** A registry validation error, renamed to the Consul field the client sent. */
function renamed (err: InvalidRecordError | InvalidArgumentError): InvalidArgumentError {
  const field = err instanceof InvalidRecordError ? err.field : err.argument
  const [head, ...rest] = field.split('.')
  const consul = CONSUL_FIELD[head!]
  const named = consul === undefined ? field : [consul, ...rest].join('.')
  return new InvalidArgumentError(named, err.message.replaceAll(`\`${field}\``, `\`${named}\``))
}
