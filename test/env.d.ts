declare namespace Cloudflare {
  interface GlobalProps {
    mainModule: typeof import('../functions/worker')
  }

  interface Env {
    FEATURES: KVNamespace
    MODELS: R2Bucket
    /** Files of the FEATUREFOREST_DATA folder, served from Node by vitest.config.ts. */
    FIXTURES: Fetcher
    FIXTURES_AVAILABLE: 'yes' | 'no'
  }
}
