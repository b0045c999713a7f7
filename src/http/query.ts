import type { MiddlewareHandler } from 'hono'
import { matchedRoutes } from 'hono/route'

import type { AppEnv } from '../env'
import { FeatureForestError } from '../errors'
import { excerpt } from './excerpt'

/** Route path of middleware that runs on every path, as Hono registers `app.use(handler)`. */
const EVERY_PATH = '/*'

/**
 * Rejects a query string that repeats a parameter. Every parameter of the API takes one value
 * (lists are comma-separated), and a repeat would otherwise be resolved silently to one of them.
 * A path that no route serves is left to the not-found handler, since its query means nothing.
 */
export const singleQueryValues: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!matchedRoutes(c).some((route) => route.path !== EVERY_PATH)) return next()
  const seen = new Set<string>()
  for (const name of new URL(c.req.url).searchParams.keys()) {
    if (seen.has(name)) {
      throw new FeatureForestError(
        'invalid_request',
        `query parameter ${JSON.stringify(excerpt(name, 40))} is repeated; give it once, ` +
          'with a comma-separated list where it takes several values',
      )
    }
    seen.add(name)
  }
  await next()
}

/**
 * Rejects a query parameter the route does not take, as an unknown JSON field is rejected, so
 * that a misspelt option such as `lamda` is reported instead of ignored.
 */
export function queryParameters(...names: string[]): MiddlewareHandler<AppEnv> {
  const accepted = new Set(names)
  const takes = names.length === 0 ? 'takes no query parameters' : `takes only ${names.join(', ')}`
  return async (c, next) => {
    for (const name of new URL(c.req.url).searchParams.keys()) {
      if (!accepted.has(name)) {
        throw new FeatureForestError(
          'invalid_request',
          `query parameter ${JSON.stringify(excerpt(name, 40))} is not known; ` +
            `${c.req.method} ${c.req.routePath.replace(/:(\w+)/g, '{$1}')} ${takes}`,
        )
      }
    }
    await next()
  }
}
