import { Hono } from 'hono'

import { tenantDeps } from '../deps'
import type { AppEnv } from '../env'
import { FeatureForestError } from '../errors'
import { requireId } from '../http/ids'
import { integerQuery, readJsonBody, rejectUnknownFields, showJsonValue } from '../http/json-body'
import { methodNotAllowed } from '../http/method-not-allowed'
import { queryParameters } from '../http/query'
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

/** Fields of the POST /recommend body. */
const RECOMMEND_FIELDS = ['user', 'positive', 'negative', 'k', 'exclude', 'lambda', 'explore']

/** A plain decimal number such as `0.5`, `1` or `.25`, without sign, exponent or spaces. */
const DECIMAL = /^(?:\d{1,16}(?:\.\d{0,16})?|\.\d{1,16})$/

/** Origin of a parameter: a query string contains text, and a JSON body typed values. */
type ParameterSource = 'query' | 'body'

/**
 * Reads a number from 0 to 1: a decimal string in a query, or a JSON number in a body. An absent
 * value gives `fallback`.
 */
function unitInterval(
  value: unknown,
  name: string,
  fallback: number,
  source: ParameterSource,
): number {
  if (value === undefined || (source === 'query' && value === '')) return fallback
  let parsed = Number.NaN
  if (source === 'body' && typeof value === 'number') parsed = value
  if (source === 'query' && typeof value === 'string' && DECIMAL.test(value)) {
    parsed = Number(value)
  }
  if (!Number.isFinite(parsed) || parsed < 0 || parsed > 1) {
    throw new FeatureForestError(
      'invalid_request',
      `${name} ${showJsonValue(value)} is invalid; use a number from 0 to 1`,
    )
  }
  return parsed
}

/**
 * Reads a list of item ids: a comma-separated string in a query, or a JSON array in a body. An id
 * listed twice is an error, unless `repeats` is 'merge', which keeps its first occurrence and
 * applies `max` to the distinct ids and twice `max` to the entries.
 */
function idList(
  value: unknown,
  name: string,
  max: number,
  source: ParameterSource,
  repeats: 'reject' | 'merge' = 'reject',
): string[] {
  if (value === undefined || (source === 'query' && value === '')) return []
  const list = source === 'query' && typeof value === 'string' ? value.split(',') : value
  // Merged repeats may take a list past `max`, so the entries are bounded at twice `max`.
  const maxEntries = repeats === 'merge' ? 2 * max : max
  const tooLong = () => {
    const shape = source === 'query' ? 'a comma-separated list' : 'a JSON array'
    const limit =
      repeats === 'merge'
        ? `${max} distinct item ids in at most ${maxEntries} entries`
        : `${max} item ids`
    return new FeatureForestError('invalid_request', `${name} must be ${shape} of at most ${limit}`)
  }
  if (!Array.isArray(list) || list.length > maxEntries) throw tooLong()
  const ids = list.map((id, i) => requireId(id, `${name}[${i}]`))
  if (repeats === 'merge') {
    const distinct = [...new Set(ids)]
    if (distinct.length > max) throw tooLong()
    return distinct
  }
  const repeated = ids.find((id, i) => ids.indexOf(id) !== i)
  if (repeated !== undefined) {
    throw new FeatureForestError('invalid_request', `${name} lists ${repeated} twice`)
  }
  return ids
}

/** Reads `k` from a query string, or from a JSON body where it must be a number. */
function kOf(value: unknown, source: ParameterSource): number {
  if (source === 'query') return integerQuery(value as string | undefined, 'k', DEFAULT_K, 1, MAX_K)
  if (value === undefined) return DEFAULT_K
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_K) {
    return value
  }
  throw new FeatureForestError(
    'invalid_request',
    `k ${showJsonValue(value)} is invalid; use an integer from 1 to ${MAX_K}`,
  )
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

  routes.get(
    '/recommend',
    queryParameters('user', 'k', 'exclude', 'lambda', 'explore'),
    async (c) => {
      const user = requireId(c.req.query('user'), 'user')
      const options: RecommendOptions = {
        k: kOf(c.req.query('k'), 'query'),
        exclude: idList(c.req.query('exclude'), 'exclude', MAX_EXCLUDE, 'query', 'merge'),
        lambda: unitInterval(c.req.query('lambda'), 'lambda', 1, 'query'),
        explore: unitInterval(c.req.query('explore'), 'explore', 0, 'query'),
      }
      const result = await recommendForUser(tenantDeps(c.env, c.get('tenant')), user, options)
      return c.json({ user, ...result })
    },
  )

  routes.post('/recommend', queryParameters(), async (c) => {
    const body = objectBody(await readJsonBody(c), '{ "user" or "positive" and "negative", ... }')
    rejectUnknownFields(body, RECOMMEND_FIELDS, 'body')
    const options: RecommendOptions = {
      k: kOf(body.k, 'body'),
      exclude: idList(body.exclude, 'exclude', MAX_EXCLUDE, 'body', 'merge'),
      lambda: unitInterval(body.lambda, 'lambda', 1, 'body'),
      explore: unitInterval(body.explore, 'explore', 0, 'body'),
    }
    const deps = tenantDeps(c.env, c.get('tenant'))
    // With a user instead of examples, this form serves exclusion lists too long for a URL.
    if (body.user !== undefined) {
      if (body.positive !== undefined || body.negative !== undefined) {
        throw new FeatureForestError(
          'invalid_request',
          'give either user or positive and negative examples, not both',
        )
      }
      const user = requireId(body.user, 'user')
      return c.json({ user, ...(await recommendForUser(deps, user, options)) })
    }
    const positive = idList(body.positive, 'positive', MAX_EXAMPLES, 'body')
    const negative = idList(body.negative, 'negative', MAX_EXAMPLES, 'body')
    const both = positive.find((id) => negative.includes(id))
    if (both !== undefined) {
      throw new FeatureForestError(
        'invalid_request',
        `item ${both} is in both positive and negative; give each example once`,
      )
    }
    return c.json(await recommendFromExamples(deps, positive, negative, options))
  })
  routes.all('/recommend', () => methodNotAllowed('GET', 'POST'))

  routes.post('/users/:user/scores', queryParameters(), async (c) => {
    const user = requireId(c.req.param('user'), 'user')
    const body = objectBody(await readJsonBody(c), '{ "items": [...] }')
    rejectUnknownFields(body, ['items'], 'body')
    if (body.items === undefined) {
      throw new FeatureForestError(
        'invalid_request',
        `items is missing; send { "items": [...] } with up to ${MAX_SCORED_ITEMS} catalog item ids`,
      )
    }
    const items = idList(body.items, 'items', MAX_SCORED_ITEMS, 'body')
    const result = await scoreItemsForUser(tenantDeps(c.env, c.get('tenant')), user, items)
    return c.json({ user, ...result })
  })
  routes.all('/users/:user/scores', () => methodNotAllowed('POST'))

  return routes
}
