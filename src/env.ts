/** Bindings declared in wrangler.toml. */
export interface Bindings {
  FEATURES: KVNamespace
  MODELS: R2Bucket
}

/** Hono environment shared by every route. */
export interface AppEnv {
  Bindings: Bindings
}
