import { env, exports } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'

import { HAS_DATA } from './support/fixtures'

describe('GET /health', () => {
  it('returns ok', async () => {
    const response = await exports.default.fetch('http://example.com/health')

    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ status: 'ok' })
  })

  it.skipIf(!HAS_DATA)('reads fixtures through the FIXTURES binding', async () => {
    const response = await env.FIXTURES.fetch('http://fixtures/awkward_images/manifest.csv')

    expect(response.status).toBe(200)
  })
})
