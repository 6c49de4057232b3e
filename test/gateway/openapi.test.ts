/**
 * The OpenAPI 3.1 document tells the truth: real answers of every documented operation (success and error) are
 * validated against the document's own response schemas with ajv (JSON Schema 2020-12), every error answer has
 * the one shape `{ success: false, error, code }` with no framework code leaking, and every documented operation
 * is exercised here.
 */
import { Ajv2020 } from 'ajv/dist/2020.js'
import type { FastifyInstance, LightMyRequestResponse } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createGateway } from '../../src/gateway/server.js'
import { HTTP_CODES } from '../../src/gateway/errors.js'
import { createRegistry, PRESETS, type Registry } from '../../src/index.js'

interface Operation { responses: Record<string, { content?: Record<string, { schema: unknown }> }>, security?: unknown[] }
interface Document { openapi: string, paths: Record<string, Record<string, Operation>>, components: { schemas: Record<string, unknown>, securitySchemes: Record<string, unknown> } }

let registry: Registry
let app: FastifyInstance
let doc: Document
const ajv = new Ajv2020({ strict: false, allErrors: true })
const exercised = new Set<string>()
const AUTH = { authorization: 'Bearer t0ken' }
let left = 0

beforeAll(async () => {
  registry = await createRegistry({ ...PRESETS.test, logPrefix: 'oa' })
  app = await createGateway(registry, { token: 't0ken', onLeave: () => { left++ } })
  doc = (await app.inject({ url: '/openapi.json' })).json()
  ajv.addSchema(doc as object, 'openapi')
})

afterAll(async () => {
  await app.close()
  await registry.stop()
})

/** JSON-pointer fragment of a part of the document. */
const pointer = (...parts: string[]): string => `openapi#/${parts.map((p) => encodeURIComponent(p.replaceAll('~', '~0').replaceAll('/', '~1'))).join('/')}`

/** Validates a real answer against the documented response of `method path` (path as in the document). */
function conforms (response: LightMyRequestResponse, method: string, path: string): void {
  const operation = doc.paths[path]?.[method]
  expect(operation, `${method} ${path} is documented`).toBeDefined()
  exercised.add(`${method} ${path}`)
  const status = String(response.statusCode)
  const key = status in operation!.responses ? status : `${status[0]}XX`
  const documented = operation!.responses[key]
  expect(documented, `${method} ${path} documents ${status} (or ${key})`).toBeDefined()
  const type = String(response.headers['content-type']).split(';')[0]!
  expect(Object.keys(documented!.content ?? {}), `${method} ${path} ${status} content type`).toContain(type)
  if (type !== 'application/json') return
  const validate = ajv.getSchema(pointer('paths', path, method, 'responses', key, 'content', type, 'schema'))!
  expect(validate(response.json()), `${method} ${path} ${status}: ${ajv.errorsText(validate.errors)}\n${response.body}`).toBe(true)
  if (response.statusCode >= 400) expectErrorShape(response)
}

function expectErrorShape (response: LightMyRequestResponse): void {
  const body = response.json()
  expect(body).toMatchObject({ success: false, error: expect.any(String), code: expect.stringMatching(/^ERR_/) })
  expect(body.code).not.toMatch(/^FST_/)
}

describe('the document', () => {
  it('is OpenAPI 3.1 with the bearer scheme and the shared schemas', () => {
    expect(doc.openapi).toBe('3.1.0')
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' })
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(['ErrorBody', 'Instance', 'Member']))
    expect(doc.paths['/v1/instances']!.post!.security).toEqual([{ bearer: [] }])
    expect(Object.keys(doc.paths['/v1/instances']!.post!.responses)).toContain('201')
  })
})

describe('real answers conform to the document', () => {
  it('for every operation, successes and errors', async () => {
    const call = async (method: string, url: string, path: string, payload?: object, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> => {
      const response = await app.inject({ method: method.toUpperCase() as 'GET', url, headers, ...(payload !== undefined && { payload }) })
      conforms(response, method, path)
      return response
    }
    const created = await call('post', '/v1/instances', '/v1/instances', { service: 'docs', version: '1.0.0', address: '10.0.0.1', port: 80, tags: ['eu'], metadata: { zone: 'a' } }, AUTH)
    expect(created.statusCode).toBe(201)
    const id = created.json().instance.id as string
    await call('post', '/v1/instances', '/v1/instances', { service: 'docs', version: '1.0.0', address: '10.0.0.1', port: 0 }, AUTH)
    await call('post', '/v1/instances', '/v1/instances', { service: 'docs' })
    await call('get', '/v1/services', '/v1/services')
    await call('get', '/v1/services/docs/instances?healthy=false', '/v1/services/{service}/instances')
    await call('get', '/v1/services/docs/instances?version=not-a-range!', '/v1/services/{service}/instances')
    await call('put', `/v1/instances/${id}/renew`, '/v1/instances/{id}/renew', undefined, AUTH)
    await call('put', '/v1/instances/nope/renew', '/v1/instances/{id}/renew', undefined, AUTH)
    await call('post', '/v1/instances', '/v1/instances', { service: 'docs', version: '1.0.0', address: '10.0.0.1', port: 81, check: { tcp: '127.0.0.1:9', interval: '1s' } }, AUTH)
    await call('post', '/v1/instances', '/v1/instances', { service: 'docs', version: '1.0.0', address: '10.0.0.1', port: 81, check: { tcp: '127.0.0.1:9', interval: 'soon' } }, AUTH)
    const held = await call('put', `/v1/instances/${id}/maintenance`, '/v1/instances/{id}/maintenance', { enable: true, reason: 'docs' }, AUTH)
    expect(held.json().instance.maintenance).toEqual({ reason: 'docs' })
    await call('get', '/v1/services/docs/instances?healthy=false', '/v1/services/{service}/instances')
    await call('put', `/v1/instances/${id}/maintenance`, '/v1/instances/{id}/maintenance', { enable: false }, AUTH)
    await call('put', '/v1/instances/nope/maintenance', '/v1/instances/{id}/maintenance', { enable: true }, AUTH)
    await call('get', '/v1/members', '/v1/members')
    await call('post', '/v1/members/prune', '/v1/members/prune', undefined, AUTH)
    await call('post', `/v1/members/${registry.peerId}/force-leave`, '/v1/members/{id}/force-leave', undefined, AUTH)
    await call('post', '/v1/members/nobody/force-leave', '/v1/members/{id}/force-leave', undefined, AUTH)
    await call('get', '/v1/self', '/v1/self')
    await call('get', '/healthz', '/healthz')
    await call('get', '/metrics', '/metrics')
    await call('get', '/v1/sd/prometheus?service=docs', '/v1/sd/prometheus')
    await call('post', '/classic/1.0.0/register', '/{service}/{version}/register', { name: 'classic', version: '1.0.0', address: '10.0.0.2', port: 81, healthy: true }, AUTH)
    await call('post', '/classic/1.0.0/register', '/{service}/{version}/register', { name: 'other', address: '10.0.0.2', port: 81 }, AUTH)
    await call('get', '/classic/1.0.0/getaddresses', '/{service}/{version}/getaddresses')
    await call('get', '/missing/1.0.0/getaddresses', '/{service}/{version}/getaddresses')
    await call('get', '/classic/1.0.0/heartbeat?address=10.0.0.2&port=81', '/{service}/{version}/heartbeat', undefined, AUTH)
    await call('put', '/classic/1.0.0/heartbeat?address=10.0.0.3&port=81', '/{service}/{version}/heartbeat', undefined, AUTH)
    await call('delete', `/v1/instances/${id}`, '/v1/instances/{id}', undefined, AUTH)
    await call('delete', `/v1/instances/${id}`, '/v1/instances/{id}', undefined, AUTH)
    const leave = await call('put', '/v1/agent/leave', '/v1/agent/leave', undefined, AUTH)
    expect(leave.statusCode).toBe(202)
    await new Promise((resolve) => setImmediate(resolve))
    expect(left).toBe(1)
  })

  it('for the event stream: its status and content type', async () => {
    await app.listen({ host: '127.0.0.1', port: 0 })
    const controller = new AbortController()
    const response = await fetch(`http://127.0.0.1:${(app.server.address() as { port: number }).port}/v1/watch`, { signal: controller.signal })
    expect(response.status).toBe(200)
    expect(Object.keys(doc.paths['/v1/watch']!.get!.responses['200']!.content!)).toEqual([response.headers.get('content-type')])
    exercised.add('get /v1/watch')
    controller.abort()
  })

  it('covers every documented operation', () => {
    // Consul's routes follow Consul's API reference, not schemas of ours: test/docs/consul-compatibility.test.ts
    // sends a request for every row of docs/consul-compatibility.md, and checks every Consul route has a row.
    const documented = Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods as Record<string, { tags?: string[] }>)
      .filter(([, operation]) => operation.tags?.includes('consul') !== true).map(([method]) => `${method} ${path}`))
    expect([...exercised].sort()).toEqual(documented.sort())
  })
})

describe('errors outside any route have the same shape', () => {
  const errorSchema = (): ReturnType<typeof ajv.getSchema> => ajv.getSchema(pointer('components', 'schemas', 'ErrorBody'))

  it.each([
    ['an unknown route: 404', { method: 'GET', url: '/v2/nothing' }, 404, 'ERR_NOT_FOUND', 'no route GET /v2/nothing'],
    ['a wrong method: 405 with Allow', { method: 'GET', url: '/v1/instances' }, 405, 'ERR_METHOD_NOT_ALLOWED', 'GET is not allowed on /v1/instances; use POST'],
    ['a body that is not JSON: 415 naming application/json', { method: 'POST', url: '/v1/instances', headers: { ...AUTH, 'content-type': 'text/plain' }, payload: 'hi' }, 415, 'ERR_UNSUPPORTED_MEDIA_TYPE', '`content-type: application/json`'],
    ['malformed JSON: 400', { method: 'POST', url: '/v1/instances', headers: { ...AUTH, 'content-type': 'application/json' }, payload: '{"service":' }, 400, 'ERR_BAD_REQUEST', 'JSON'],
    ['a missing token: 401', { method: 'POST', url: '/v1/instances', payload: {} }, 401, 'ERR_UNAUTHORIZED', 'Bearer'],
    ['a body over the limit: 413', { method: 'POST', url: '/v1/instances', headers: { ...AUTH, 'content-type': 'application/json' }, payload: JSON.stringify({ pad: 'x'.repeat(20_000) }) }, 413, 'ERR_BODY_TOO_LARGE', 'limit']
  ] as const)('%s', async (_name, request, status, code, message) => {
    const response = await app.inject(request as never)
    expect(response.statusCode).toBe(status)
    expectErrorShape(response)
    expect(response.json()).toMatchObject({ code })
    expect(response.json().error).toContain(message)
    expect(errorSchema()!(response.json())).toBe(true)
    if (status === 405) expect(response.headers.allow).toBe('POST')
    expect(Object.values(HTTP_CODES).concat('ERR_VALIDATION')).toContain(code)
  })

  it('405 lists every allowed method of a parameterised path', async () => {
    const response = await app.inject({ method: 'POST', url: '/orders/1.0.0/heartbeat' })
    expect(response.statusCode).toBe(405)
    expect(String(response.headers.allow).split(', ').sort()).toEqual(['GET', 'HEAD', 'PUT'])
  })
})
