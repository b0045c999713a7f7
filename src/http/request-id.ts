import type { MiddlewareHandler } from 'hono'

import type { AppEnv } from '../env'

/** Shape of a Cloudflare ray id such as `8f1c2d3e4a5b6c7d-LHR`. */
const RAY_ID = /^[0-9a-f]{16}(-[A-Z]{3})?$/

/**
 * Gives each request an id, returned in `X-Request-Id` and in error envelopes: Cloudflare's ray
 * id when the `cf-ray` header has its shape, else a new UUID, so that a client cannot put
 * arbitrary text into responses.
 */
export const requestIdMiddleware: MiddlewareHandler<AppEnv> = async (c, next) => {
  const ray = c.req.header('cf-ray')
  const requestId = ray !== undefined && RAY_ID.test(ray) ? ray : crypto.randomUUID()
  c.set('requestId', requestId)
  await next()
  c.header('X-Request-Id', requestId)
}
