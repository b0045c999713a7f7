import { beforeAll, describe, expect, it } from 'vitest'

import { decodeImage, type RgbImage } from '../../src/image'
import { HAS_DATA, readFixture } from '../support/fixtures'

/** Side of the grid of block means that oriented images are compared on. */
const GRID = 24
/** Largest mean absolute difference of block means (0–255 levels) between an image and its twin. */
const MAX_MEAN_DIFF = 4
/** An unrotated or wrongly rotated photo differs by far more than this from the upright one. */
const MIN_WRONG_DIFF = 12

/** Means of each channel over a GRID×GRID grid of blocks. */
function blockMeans(image: RgbImage): Float64Array {
  const sums = new Float64Array(GRID * GRID * 3)
  const counts = new Float64Array(GRID * GRID)
  for (let y = 0; y < image.height; y++) {
    const row = Math.floor((y * GRID) / image.height)
    for (let x = 0; x < image.width; x++) {
      const block = row * GRID + Math.floor((x * GRID) / image.width)
      const pixel = (y * image.width + x) * 3
      for (let channel = 0; channel < 3; channel++) {
        sums[block * 3 + channel] =
          (sums[block * 3 + channel] ?? 0) + (image.data[pixel + channel] ?? 0)
      }
      counts[block] = (counts[block] ?? 0) + 1
    }
  }
  return sums.map((sum, index) => sum / (counts[Math.floor(index / 3)] ?? 1))
}

function meanAbsDiff(left: Float64Array, right: Float64Array): number {
  let total = 0
  left.forEach((value, index) => (total += Math.abs(value - (right[index] ?? 0))))
  return total / left.length
}

for (const shape of ['Landscape', 'Portrait'] as const) {
  describe.skipIf(!HAS_DATA)(`EXIF orientation of ${shape}_N.jpg`, () => {
    let reference: Float64Array
    beforeAll(async () => {
      const upright = await decodeImage(
        await readFixture(`awkward_images/jpeg_exif_orientation/${shape}_1.jpg`),
      )
      reference = blockMeans(upright.image)
    })
    const size = shape === 'Landscape' ? [1800, 1200] : [1200, 1800]

    for (let orientation = 0; orientation <= 8; orientation++) {
      it(`orients ${shape}_${orientation} upright`, async () => {
        const path = `awkward_images/jpeg_exif_orientation/${shape}_${orientation}.jpg`
        const decoded = await decodeImage(await readFixture(path))

        expect(decoded.orientation).toBe(orientation === 0 ? 1 : orientation)
        expect([decoded.image.width, decoded.image.height]).toEqual(size)
        expect(meanAbsDiff(blockMeans(decoded.image), reference)).toBeLessThan(MAX_MEAN_DIFF)
      })
    }

    it('differs from the upright image when flipped', async () => {
      const flipped = await decodeImage(
        await readFixture(`awkward_images/jpeg_exif_orientation/${shape}_1.jpg`),
      )
      const data = new Uint8Array(flipped.image.data.length)
      const stride = flipped.image.width * 3
      for (let y = 0; y < flipped.image.height; y++) {
        data.set(
          flipped.image.data.subarray(y * stride, (y + 1) * stride),
          (flipped.image.height - 1 - y) * stride,
        )
      }

      expect(meanAbsDiff(blockMeans({ ...flipped.image, data }), reference)).toBeGreaterThan(
        MIN_WRONG_DIFF,
      )
    })
  })
}
