import { readFile } from 'node:fs/promises'
import { resolve, sep } from 'node:path'

import { cloudflareTest } from '@cloudflare/vitest-plugin'
import { defineConfig } from 'vitest/config'

const DATA_DIR = process.env.FEATUREFOREST_DATA

/**
 * Serves files of the FEATUREFOREST_DATA folder to tests running inside workerd, which has no
 * access to the host file system. A test requests `http://fixtures/<path>`.
 */
async function serveFixture(request: Request): Promise<Response> {
  if (!DATA_DIR) {
    return new Response('FEATUREFOREST_DATA is not set', { status: 503 })
  }
  const root = resolve(DATA_DIR)
  const path = resolve(root, decodeURIComponent(new URL(request.url).pathname.slice(1)))
  if (!path.startsWith(root + sep)) {
    return new Response('path outside the data folder', { status: 400 })
  }
  try {
    return new Response(new Uint8Array(await readFile(path)))
  } catch {
    return new Response(`no fixture at ${path}`, { status: 404 })
  }
}

export default defineConfig({
  test: {
    testTimeout: 120_000,
    hookTimeout: 120_000,
    projects: [
      {
        // Everything the Worker runs is tested inside workerd with Miniflare's real bindings.
        extends: true,
        plugins: [
          cloudflareTest({
            wrangler: { configPath: './wrangler.toml' },
            miniflare: {
              bindings: { FIXTURES_AVAILABLE: DATA_DIR ? 'yes' : 'no' },
              serviceBindings: { FIXTURES: serveFixture },
            },
          }),
        ],
        test: {
          name: 'workers',
          include: ['test/**/*.test.ts'],
          exclude: ['test/**/*.node.test.ts'],
        },
      },
      {
        // Install-time tooling and reference comparisons that need Node's file system.
        extends: true,
        test: { name: 'node', include: ['test/**/*.node.test.ts'], environment: 'node' },
      },
    ],
  },
})
