/** Bindings declared in wrangler.toml. */
export interface Bindings {
  FEATURES: KVNamespace
  MODELS: R2Bucket
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
