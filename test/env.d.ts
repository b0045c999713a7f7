declare namespace Cloudflare {
  interface GlobalProps {
    mainModule: typeof import('../functions/worker')
  }

  interface Env {
    FEATURES: KVNamespace
    MODELS: R2Bucket
    CATALOG_INDEX: DurableObjectNamespace<import('../src/catalog/catalog-index').CatalogIndex>
    USER_RATINGS: DurableObjectNamespace<import('../src/ratings/user-ratings').UserRatings>
    /** Files of the FEATUREFOREST_DATA folder, served from Node by vitest.config.ts. */
    FIXTURES: Fetcher
    FIXTURES_AVAILABLE: 'yes' | 'no'
  }
}
