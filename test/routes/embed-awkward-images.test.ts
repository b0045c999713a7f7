import { describe, expect, it } from 'vitest'

import { postImage, type EmbedBody, type ErrorBody } from '../support/api'
import { HAS_DATA, readFixture, readManifest } from '../support/fixtures'

/** Error codes that name why an image was rejected. */
const REJECTION_CODES = ['unsupported_format', 'corrupt_image', 'image_too_large']

const manifest = HAS_DATA ? await readManifest('awkward_images') : []

describe.skipIf(!HAS_DATA)('POST /embed on awkward images', () => {
  it('covers every file of the manifest', () => {
    expect(manifest.length).toBeGreaterThanOrEqual(60)
  })

  it.each(manifest.map((entry) => [entry.path!, entry.expected!]))(
    '%s: %s',
    async (path, expected) => {
      const bytes = await readFixture(`awkward_images/${path}`)

      const response = await postImage(bytes)
      const body = (await response.json()) as EmbedBody & ErrorBody

      expect(response.status).toBeLessThan(500)
      if (expected.startsWith('decode') && !expected.includes('-or-')) {
        expect(response.status).toBe(201)
        expect(body.dimensions.embedding).toBe(1280)
      } else if (expected === 'reject') {
        expect(response.status).toBeGreaterThanOrEqual(400)
        expect(REJECTION_CODES).toContain(body.error.code)
      } else if (response.status >= 400) {
        expect(REJECTION_CODES).toContain(body.error.code)
      } else {
        expect(body.dimensions.embedding).toBe(1280)
      }
    },
  )
})
