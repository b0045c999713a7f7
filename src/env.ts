import type { CatalogIndex } from './catalog/catalog-index'
import type { UserRatings } from './ratings/user-ratings'

/** Bindings declared in wrangler.toml. */
export interface Bindings {
  FEATURES: KVNamespace
  MODELS: R2Bucket
  /** One catalog index per tenant, named by the tenant. */
  CATALOG_INDEX: DurableObjectNamespace<CatalogIndex>
  /** One ratings object per tenant and user, named `{tenant}:{user}`. */
  USER_RATINGS: DurableObjectNamespace<UserRatings>
}

/** Values that middleware sets on each request. */
export interface Variables {
  requestId: string
  tenant: string
}

/** Hono environment shared by every route. */
export interface AppEnv {
  Bindings: Bindings
  Variables: Variables
}
