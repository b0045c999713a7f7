import { Hono } from 'hono'
import { bodyLimit } from 'hono/body-limit'

import type { AppEnv } from './env'
import { FeatureForestError } from './errors'
import { errorResponse, handleError } from './http/error-handler'
import { MAX_BODY_BYTES } from './http/image-body'
import { singleQueryValues } from './http/query'
import { withBodyReadErrors } from './http/request-body'
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
  app.use(singleQueryValues)
  // Stops reading a body as soon as it passes the limit (at once for a larger Content-Length),
  // so that no route buffers more than one maximal image upload.
  app.use(
    withBodyReadErrors(
      bodyLimit({
        maxSize: MAX_BODY_BYTES,
        onError: () => {
          throw new FeatureForestError(
            'payload_too_large',
            `request body is larger than ${MAX_BODY_BYTES} bytes`,
          )
        },
      }),
    ),
  )
  app.route('/', embedRoutes())
  app.route('/', itemRoutes())
  app.route('/', ratingRoutes())
  app.route('/', recommendRoutes())
  app.route('/', modelRoutes())

  return app
}
