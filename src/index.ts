import { Hono } from 'hono'

import type { AppEnv } from './env'
import { errorResponse, handleError } from './http/error-handler'
import { requestIdMiddleware } from './http/request-id'
import { tenantMiddleware } from './http/tenant'
import { embedRoutes } from './routes/embed'
import { itemRoutes } from './routes/items'
import { modelRoutes } from './routes/models'
import { ratingRoutes } from './routes/ratings'
import { recommendRoutes } from './routes/recommend'

/** Builds the HTTP application with every route of the service. */
export function createApp(): Hono<AppEnv> {
  const app = new Hono<AppEnv>()

  app.use(requestIdMiddleware)
  app.onError(handleError)
  app.notFound((c) => errorResponse(c, 'not_found', `no route for ${c.req.method} ${c.req.path}`))

  app.get('/health', (c) => c.json({ status: 'ok' }))
  app.use(tenantMiddleware)
  app.route('/', embedRoutes())
  app.route('/', itemRoutes())
  app.route('/', ratingRoutes())
  app.route('/', recommendRoutes())
  app.route('/', modelRoutes())

  return app
}
