import type { MiddlewareHandler } from 'hono'

import type { AppEnv } from '../env'
import { FeatureForestError } from '../errors'
import { excerpt } from './excerpt'

/** Request header that selects the tenant (the application) whose data a request uses. */
export const TENANT_HEADER = 'X-FeatureForest-Tenant'

/** Tenant used when a request names none. */
export const DEFAULT_TENANT = 'default'

const TENANT_PATTERN = /^[a-z0-9][a-z0-9_-]{0,62}$/

/**
 * Sets the request's tenant. Every stored key starts with it, so applications sharing one
 * deployment never see each other's data.
 */
// NOTE: any caller may name any tenant until API keys bind a key to its tenant.
export const tenantMiddleware: MiddlewareHandler<AppEnv> = async (c, next) => {
  const tenant = c.req.header(TENANT_HEADER) ?? DEFAULT_TENANT
  if (!TENANT_PATTERN.test(tenant)) {
    throw new FeatureForestError(
      'invalid_tenant',
      `${TENANT_HEADER} "${excerpt(tenant, 80)}" is invalid; use 1 to 63 lowercase letters, ` +
        'digits, "-" or "_", starting with a letter or digit',
    )
  }
  c.set('tenant', tenant)
  await next()
}
