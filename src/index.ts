import { Hono } from 'hono'

import type { AppEnv } from './env'

/** Builds the HTTP application with every route of the service. */
export function createApp(): Hono<AppEnv> {
  const app = new Hono<AppEnv>()
  app.get('/health', (c) => c.json({ status: 'ok' }))
  return app
}
