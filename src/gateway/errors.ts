/**
 * One table from registry error codes to HTTP statuses, and the JSON body of every error answer:
 * `{ success: false, error, code, field? }`. Client mistakes are 4xx; a 5xx means a bug or an I/O failure here.
 */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
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
  ERR_STOPPED: 503
}

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
  void reply.status(status).send({ success: false, error: status >= 500 ? 'internal error' : error.message, code: error.code ?? 'ERR_HTTP' } satisfies ErrorBody)
}

/** `body.port`, `query.tag[2]`, or for a missing or unknown property, the property itself. */
function fieldOf (context: string, instancePath: string, params: Record<string, unknown> | undefined): string {
  const path = instancePath.split('/').filter((part) => part !== '').map((part) => /^\d+$/.test(part) ? `[${part}]` : `.${part}`).join('')
  const named = params?.missingProperty ?? params?.additionalProperty
  return `${context}${path}${typeof named === 'string' ? `.${named}` : ''}`
}
