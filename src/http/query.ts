import type { MiddlewareHandler } from 'hono'

import type { AppEnv } from '../env'
import { FeatureForestError } from '../errors'

/**
 * Rejects a query string that repeats a parameter. Every parameter of the API takes one value
 * (lists are comma-separated), and a repeat would otherwise be resolved silently to one of them.
 */
export const singleQueryValues: MiddlewareHandler<AppEnv> = async (c, next) => {
  const seen = new Set<string>()
  for (const name of new URL(c.req.url).searchParams.keys()) {
    if (seen.has(name)) {
      throw new FeatureForestError(
        'invalid_request',
        `query parameter ${JSON.stringify(name.slice(0, 40))} is repeated; give it once, ` +
          'with a comma-separated list where it takes several values',
      )
    }
    seen.add(name)
  }
  await next()
}
