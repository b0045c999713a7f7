import type { CatalogDeps } from './catalog/catalog-service'
import type { Bindings } from './env'
import type { RatingDeps } from './ratings/ratings-service'
import { CatalogStore } from './storage/catalog-store'
import { ClassifierStore } from './storage/classifier-store'
import { FeatureStore } from './storage/feature-store'
import { ForestStore } from './storage/forest-store'
import { TextFeatureStore } from './storage/text-feature-store'

/** Storage adapters of one tenant, built once per request from the bindings. */
export interface TenantDeps extends CatalogDeps, RatingDeps {
  shards: CatalogStore
  forests: ForestStore
  classifiers: ClassifierStore
}

/** Builds the storage adapters that domain functions use for `tenant`. */
export function tenantDeps(env: Bindings, tenant: string): TenantDeps {
  return {
    tenant,
    features: new FeatureStore(env.FEATURES, tenant),
    textFeatures: new TextFeatureStore(env.FEATURES, tenant),
    index: env.CATALOG_INDEX.get(env.CATALOG_INDEX.idFromName(tenant)),
    users: env.USER_RATINGS,
    shards: new CatalogStore(env.MODELS, tenant),
    forests: new ForestStore(env.MODELS, tenant),
    classifiers: new ClassifierStore(env.MODELS, tenant),
  }
}
