import type { MiddlewareHandler } from 'hono'

import type { AppEnv } from '../env'

/** Gives each request an id, returned in `X-Request-Id` and in error envelopes. */
export const requestIdMiddleware: MiddlewareHandler<AppEnv> = async (c, next) => {
  const requestId = c.req.header('cf-ray') ?? crypto.randomUUID()
  c.set('requestId', requestId)
  await next()
  c.header('X-Request-Id', requestId)
}
