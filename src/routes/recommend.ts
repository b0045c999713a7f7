import { Hono } from 'hono'

import { tenantDeps } from '../deps'
import type { AppEnv } from '../env'
import { FeatureForestError } from '../errors'
import { requireId } from '../http/ids'
import { integerQuery, readJsonBody } from '../http/json-body'
import { methodNotAllowed } from '../http/method-not-allowed'
import {
  recommendForUser,
  recommendFromExamples,
  scoreItemsForUser,
  type RecommendOptions,
} from '../learning/recommend-service'

/** Limits of recommendation requests. */
export const MAX_K = 100
const DEFAULT_K = 10
const MAX_EXCLUDE = 1000
const MAX_EXAMPLES = 200
const MAX_SCORED_ITEMS = 500

/** Reads a number from 0 to 1 given as a query string or JSON value; `fallback` when absent. */
function unitInterval(value: unknown, name: string, fallback: number): number {
  if (value === undefined || value === '') return fallback
  const parsed = typeof value === 'string' ? Number(value) : value
  if (typeof parsed !== 'number' || !Number.isFinite(parsed) || parsed < 0 || parsed > 1) {
    throw new FeatureForestError(
      'invalid_request',
      `${name} ${JSON.stringify(value)?.slice(0, 40)} is invalid; use a number from 0 to 1`,
    )
  }
  return parsed
}

/** Reads a list of item ids: an array, or a comma-separated string. */
function idList(value: unknown, name: string, max: number): string[] {
  if (value === undefined || value === '') return []
  const list = typeof value === 'string' ? value.split(',') : value
  if (!Array.isArray(list) || list.length > max) {
    throw new FeatureForestError(
      'invalid_request',
      `${name} must be a list of at most ${max} item ids`,
    )
  }
  return list.map((id, i) => requireId(id, `${name}[${i}]`))
}

function kOf(value: unknown): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_K) {
    return value
  }
  return integerQuery(value === undefined ? undefined : String(value), 'k', DEFAULT_K, 1, MAX_K)
}

function objectBody(body: unknown, shape: string): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new FeatureForestError('invalid_request', `body must be a JSON object ${shape}`)
  }
  return body as Record<string, unknown>
}

/** Routes that recommend catalog items and score them for a user. */
export function recommendRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>()

  routes.get('/recommend', async (c) => {
    const user = requireId(c.req.query('user'), 'user')
    const options: RecommendOptions = {
      k: kOf(c.req.query('k')),
      exclude: idList(c.req.query('exclude'), 'exclude', MAX_EXCLUDE),
      lambda: unitInterval(c.req.query('lambda'), 'lambda', 1),
      explore: unitInterval(c.req.query('explore'), 'explore', 0),
    }
    const result = await recommendForUser(tenantDeps(c.env, c.get('tenant')), user, options)
    return c.json({ user, ...result })
  })

  routes.post('/recommend', async (c) => {
    const body = objectBody(await readJsonBody(c), '{ "positive", "negative", "k" }')
    const positive = idList(body.positive, 'positive', MAX_EXAMPLES)
    const negative = idList(body.negative, 'negative', MAX_EXAMPLES)
    const options: RecommendOptions = {
      k: kOf(body.k),
      exclude: idList(body.exclude, 'exclude', MAX_EXCLUDE),
      lambda: unitInterval(body.lambda, 'lambda', 1),
      explore: unitInterval(body.explore, 'explore', 0),
    }
    const deps = tenantDeps(c.env, c.get('tenant'))
    return c.json(await recommendFromExamples(deps, positive, negative, options))
  })
  routes.all('/recommend', () => methodNotAllowed('GET', 'POST'))

  routes.post('/users/:user/scores', async (c) => {
    const user = requireId(c.req.param('user'), 'user')
    const body = objectBody(await readJsonBody(c), '{ "items": [...] }')
    const items = idList(body.items, 'items', MAX_SCORED_ITEMS)
    const result = await scoreItemsForUser(tenantDeps(c.env, c.get('tenant')), user, items)
    return c.json({ user, ...result })
  })
  routes.all('/users/:user/scores', () => methodNotAllowed('POST'))

  return routes
}
