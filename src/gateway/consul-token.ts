/**
 * Consul clients send the agent's token as `X-Consul-Token`; the gateway's write guard reads
 * `Authorization: Bearer`. This hook, added before the guard, gives it the Consul header's token when no
 * `Authorization` is sent, so either header works and the guard stays the one place that compares tokens.
 */
import type { FastifyRequest } from 'fastify'

/** onRequest hook: `X-Consul-Token: t` counts as `Authorization: Bearer t` when no Authorization is given. */
export async function consulTokenHeader (request: FastifyRequest): Promise<void> {
  const token = request.headers['x-consul-token']
  if (request.headers.authorization === undefined && typeof token === 'string' && token !== '') {
    request.headers.authorization = `Bearer ${token}`
  }
}
