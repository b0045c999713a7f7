import { Hono } from 'hono'

import { tenantDeps } from '../deps'
import type { AppEnv } from '../env'
import { FeatureForestError } from '../errors'
import { requireId } from '../http/ids'
import { readJsonBody, rejectUnknownFields } from '../http/json-body'
import { methodNotAllowed } from '../http/method-not-allowed'
import { queryParameters } from '../http/query'
import { parseRating } from '../ratings/rating'
import { deleteRating, deleteUser, listRatings, rateItem } from '../ratings/ratings-service'

/** Reads the body of POST /ratings: `{ user, item, rating }`. */
function parseRatingRequest(body: unknown) {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new FeatureForestError(
      'invalid_request',
      'body must be a JSON object { "user", "item", "rating" }',
    )
  }
  rejectUnknownFields(body, ['user', 'item', 'rating'], 'body')
  const { user, item, rating } = body as Record<string, unknown>
  return {
    user: requireId(user, 'user'),
    item: requireId(item, 'item'),
    rating: parseRating(rating),
  }
}

/** Routes that record users' ratings and manage their data. */
export function ratingRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>()

  routes.post('/ratings', queryParameters(), async (c) => {
    const { user, item, rating } = parseRatingRequest(await readJsonBody(c))
    const change = await rateItem(tenantDeps(c.env, c.get('tenant')), user, item, rating)
    return c.json(change, 201)
  })
  routes.all('/ratings', () => methodNotAllowed('POST'))

  routes.get('/users/:user/ratings', queryParameters(), async (c) => {
    const user = requireId(c.req.param('user'), 'user')
    const listing = await listRatings(tenantDeps(c.env, c.get('tenant')), user)
    return c.json({ user, ...listing })
  })
  routes.all('/users/:user/ratings', () => methodNotAllowed('GET'))

  routes.delete('/users/:user/ratings/:item', queryParameters(), async (c) => {
    const user = requireId(c.req.param('user'), 'user')
    const item = requireId(c.req.param('item'), 'item')
    return c.json(await deleteRating(tenantDeps(c.env, c.get('tenant')), user, item))
  })
  routes.all('/users/:user/ratings/:item', () => methodNotAllowed('DELETE'))

  routes.delete('/users/:user', queryParameters(), async (c) => {
    const user = requireId(c.req.param('user'), 'user')
    await deleteUser(tenantDeps(c.env, c.get('tenant')), user)
    return c.body(null, 204)
  })
  routes.all('/users/:user', () => methodNotAllowed('DELETE'))

  return routes
}
