/**
 * One table from registry error codes to HTTP statuses, and the JSON body of every error answer:
 * `{ success: false, error, code, field? }`, including unknown routes (404), wrong methods (405 with `Allow`) and
 * Fastify's own errors, whose `FST_ERR_*` codes never leak. Client mistakes are 4xx; a 5xx means a bug or an I/O
 * failure here.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { RegistryError, type ErrorCode } from '../errors.js'

/** HTTP status of each registry error code. */
export const STATUS_OF: Record<ErrorCode, number> = {
  ERR_INVALID_OPTION: 400,
  ERR_INVALID_RECORD: 400,
  ERR_INVALID_ARGUMENT: 400,
  ERR_INVALID_CHECK: 400,
  ERR_UNKNOWN_INSTANCE: 404,
  ERR_NO_HEALTHY_INSTANCE: 404,
  ERR_TOO_MANY_INSTANCES: 409,
  ERR_WATCH_OVERFLOW: 409,
  ERR_UNKNOWN_MEMBER: 404,
  ERR_MEMBER_NOT_GONE: 409,
  ERR_AMBIGUOUS_MEMBER: 409,
  ERR_STOPPED: 503
}

/**
 * Codes of the errors the gateway itself answers (beside the registry's codes and ERR_VALIDATION), by status.
 * Fastify's errors are mapped here by status, so clients see the same few codes whatever raised them.
 */
export const HTTP_CODES: Readonly<Record<number, string>> = Object.freeze({
  400: 'ERR_BAD_REQUEST',
  401: 'ERR_UNAUTHORIZED',
  404: 'ERR_NOT_FOUND',
  405: 'ERR_METHOD_NOT_ALLOWED',
  413: 'ERR_BODY_TOO_LARGE',
  415: 'ERR_UNSUPPORTED_MEDIA_TYPE',
  500: 'ERR_INTERNAL'
})

/** The body of an error answer. */
export interface ErrorBody {
  success: false
  error: string
  code: string
  field?: string
}

/** Fastify error handler: schema errors name the field, registry errors keep their code. */
export function handleError (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  if (error.validation !== undefined) {
    const first = error.validation[0]
    const field = fieldOf(error.validationContext ?? 'body', first?.instancePath ?? '', first?.params as Record<string, unknown> | undefined)
    void reply.status(400).send({ success: false, error: `${field}: ${first?.message ?? 'is invalid'}`, code: 'ERR_VALIDATION', field } satisfies ErrorBody)
    return
  }
  if (error instanceof RegistryError) {
    const field = (error as RegistryError & { field?: string, argument?: string }).field ?? (error as { argument?: string }).argument
    void reply.status(STATUS_OF[error.code]).send({ success: false, error: error.message, code: error.code, ...(field !== undefined && { field }) } satisfies ErrorBody)
    return
  }
  const status = error.statusCode ?? 500
  if (status >= 500) request.log.error(error)
  void reply.status(status).send({ success: false, error: messageOf(status, error, request), code: HTTP_CODES[status] ?? (status >= 500 ? 'ERR_INTERNAL' : 'ERR_BAD_REQUEST') } satisfies ErrorBody)
}

/** Fastify's message, made to say what to do where it does not. */
function messageOf (status: number, error: FastifyError, request: FastifyRequest): string {
  if (status >= 500) return 'internal error'
  if (status === 415) return `unsupported content-type ${JSON.stringify(request.headers['content-type'] ?? '')}: send the body as JSON with \`content-type: application/json\``
  if (status === 413) return `${error.message}: a registration is well under the limit; check what is being sent`
  return error.message
}

/**
 * The not-found handler: 405 with `Allow` when the path exists under another method, else 404. Routes are
 * collected as they are added, so call this before adding them.
 */
export function methodNotAllowedOrNotFound (app: FastifyInstance): (request: FastifyRequest, reply: FastifyReply) => void {
  const routes: Array<{ method: string, pattern: RegExp }> = []
  app.addHook('onRoute', (route) => {
    // `/:service/:version/register` matches any one segment per parameter, as the router does.
    const pattern = new RegExp(`^${route.url.split('/').map((part) => part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('/')}$`)
    for (const method of [route.method].flat()) routes.push({ method, pattern })
  })
  return (request, reply) => {
    const path = request.url.split('?')[0]!
    const allow = [...new Set(routes.filter((r) => r.pattern.test(path)).map((r) => r.method))]
    if (allow.length > 0) {
      void reply.status(405).header('allow', allow.join(', ')).send({ success: false, error: `${request.method} is not allowed on ${path}; use ${allow.join(', ')}`, code: HTTP_CODES[405]! } satisfies ErrorBody)
      return
    }
    void reply.status(404).send({ success: false, error: `no route ${request.method} ${path}; see /openapi.json`, code: HTTP_CODES[404]! } satisfies ErrorBody)
  }
}

/** `body.port`, `query.tag[2]`, or for a missing or unknown property, the property itself. */
function fieldOf (context: string, instancePath: string, params: Record<string, unknown> | undefined): string {
  const path = instancePath.split('/').filter((part) => part !== '').map((part) => /^\d+$/.test(part) ? `[${part}]` : `.${part}`).join('')
  const named = params?.missingProperty ?? params?.additionalProperty
  return `${context}${path}${typeof named === 'string' ? `.${named}` : ''}`
}
