import { describe, expect, it } from 'vitest'

import { decodeImage } from '../../src/image'
import { applyOrientation } from '../../src/image/orient'
import { encodeRgbPng, exifWithOrientation } from '../image/png-builder'
import { cosineSimilarity, postImage, type EmbedBody } from '../support/api'
import { HAS_DATA, readFixture } from '../support/fixtures'

const ORIENTATIONS = [1, 2, 3, 4, 5, 6, 7, 8]

/** The orientation that undoes another: 6 and 8 are quarter turns in opposite directions. */
const inverseOrientation = (orientation: number) =>
  orientation === 6 ? 8 : orientation === 8 ? 6 : orientation

async function embed(bytes: Uint8Array): Promise<EmbedBody> {
  const response = await postImage(bytes, '?include=vectors')
  expect(response.status).toBeLessThan(300)
  return (await response.json()) as EmbedBody
}

/**
 * Returns a copy of a JPEG whose EXIF Orientation entry is set to 1, so the decoder shows the
 * stored pixels as they are. Throws when the file has no such entry.
 */
function withoutOrientation(jpeg: Uint8Array): Uint8Array {
  const copy = jpeg.slice()
  const limit = Math.min(copy.length - 10, 65_536)
  for (let i = 0; i < limit; i++) {
    const bigEndian = copy[i] === 0x01 && copy[i + 1] === 0x12 && copy[i + 3] === 0x03
    const littleEndian = copy[i] === 0x12 && copy[i + 1] === 0x01 && copy[i + 2] === 0x03
    if (bigEndian) {
      copy.set([0x00, 0x01], i + 8)
      return copy
    }
    if (littleEndian) {
      copy.set([0x01, 0x00], i + 8)
      return copy
    }
  }
  throw new Error('no EXIF Orientation entry found')
}

describe.skipIf(!HAS_DATA)('POST /embed with EXIF orientation', () => {
  it('embeds every orientation of a lossless photo like the upright one', async () => {
    const { image: upright } = await decodeImage(
      await readFixture('cats_dogs_kaggle/cat/cat.10.jpg'),
    )
    const reference = await embed(encodeRgbPng(upright))

    for (const orientation of ORIENTATIONS) {
      const stored = applyOrientation(upright, inverseOrientation(orientation))
      const png = encodeRgbPng(stored, [['eXIf', exifWithOrientation(orientation)]])

      const body = await embed(png)

      expect(body.image, `orientation ${orientation}`).toMatchObject({
        width: upright.width,
        height: upright.height,
      })
      const similarity = cosineSimilarity(body.vectors!.embedding, reference.vectors!.embedding)
      expect(similarity, `orientation ${orientation}`).toBeGreaterThanOrEqual(0.99)
    }
  })

  // Each of these JPEG fixtures is a separate encoding of one photo with its orientation
  // number drawn large in the centre, so even correctly oriented copies differ from the upright
  // one; measured cosine similarities are 0.92 to 0.98. The check is that orientation brings
  // every copy to the upright size and closer to the upright embedding than ignoring it does.
  it.each(['Landscape', 'Portrait'])(
    '%s EXIF fixtures embed closer to upright than unoriented',
    async (shape) => {
      const folder = 'awkward_images/jpeg_exif_orientation'
      const upright = await embed(await readFixture(`${folder}/${shape}_1.jpg`))

      for (const orientation of [0, 2, 3, 4, 5, 6, 7, 8]) {
        const bytes = await readFixture(`${folder}/${shape}_${orientation}.jpg`)
        const oriented = await embed(bytes)
        const unoriented = await embed(withoutOrientation(bytes))

        const label = `${shape}_${orientation}`
        const orientedSimilarity = cosineSimilarity(
          oriented.vectors!.embedding,
          upright.vectors!.embedding,
        )
        const unorientedSimilarity = cosineSimilarity(
          unoriented.vectors!.embedding,
          upright.vectors!.embedding,
        )
        expect(oriented.image.width, label).toBe(upright.image.width)
        expect(oriented.image.height, label).toBe(upright.image.height)
        expect(orientedSimilarity, label).toBeGreaterThanOrEqual(0.9)
        if (orientation >= 2) {
          expect(orientedSimilarity, label).toBeGreaterThan(unorientedSimilarity)
        }
      }
    },
  )
})
