import { describe, expect, it } from 'vitest'

import { decodeImage } from '../../src/image'
import { FeatureForestError } from '../../src/errors'
import { HAS_DATA, parseCsv, readFixture } from '../support/fixtures'

/** Fixture decoded right after every other one, to prove a failed decode leaves no damage. */
const KNOWN_GOOD = 'awkward_images/jpeg_progressive/skater.jpg'

/** Upright sizes of the files that must decode, from their headers and ImageMagick. */
const EXPECTED_SIZES: Record<string, [number, number]> = {
  'jpeg_progressive/skater-progressive.jpg': [256, 256],
  'jpeg_progressive/skater.jpg': [256, 256],
  'jpeg_cmyk/pil_sample_cmyk.jpg': [100, 100],
  'jpeg_cmyk/pil_sample_rgb.jpg': [100, 100],
  'jpeg_cmyk/tree-cmyk.jpg': [400, 250],
  'jpeg_cmyk/tree-rgb.jpg': [400, 250],
  'jpeg_cmyk/cmyktest.jpg': [300, 111],
  'jpeg_cmyk/cmyk-grey.jpg': [300, 389],
  'jpeg_grayscale/hopper_gray.jpg': [128, 128],
  'png_16bit/basn0g16.png': [32, 32],
  'png_16bit/basn2c16.png': [32, 32],
  'png_16bit/basn6a16.png': [32, 32],
  'png_interlaced/basi2c08.png': [32, 32],
  'png_interlaced/basi6a16.png': [32, 32],
  'png_interlaced/basi3p08.png': [32, 32],
  'png_palette_alpha/basn3p08.png': [32, 32],
  'png_palette_alpha/tbbn3p08.png': [32, 32],
  'png_palette_alpha/basn6a08.png': [32, 32],
  'png_palette_alpha/basn4a08.png': [32, 32],
  'png_palette_alpha/basn0g01.png': [32, 32],
  'png_palette_alpha/p_trns_single.png': [64, 64],
  'gif/iss634.gif': [245, 245],
  'gif/transparent.gif': [200, 150],
  'gif/dispose_bgnd.gif': [100, 100],
  'webp/hopper.webp': [128, 128],
  'webp/flower.webp': [480, 360],
  'webp/transparent.webp': [200, 150],
  'webp/iss634.webp': [245, 245],
  'mislabeled_extension/Abyssinian_34.jpg': [250, 202],
  'mislabeled_extension/Abyssinian_5.jpg': [200, 150],
}

const MUST_DECODE = new Set(['decode', 'decode+orient', 'decode(first-frame)', 'decode(sniff)'])
const REJECT_CODES = new Set(['unsupported_format', 'corrupt_image', 'image_too_large'])

function expectedSize(path: string): [number, number] {
  const orientation = /^jpeg_exif_orientation\/(Landscape|Portrait)_\d\.jpg$/.exec(path)
  if (orientation) {
    return orientation[1] === 'Landscape' ? [1800, 1200] : [1200, 1800]
  }
  const size = EXPECTED_SIZES[path]
  if (!size) {
    throw new Error(`no expected size listed for ${path}`)
  }
  return size
}

async function outcome(bytes: Uint8Array) {
  try {
    return { decoded: await decodeImage(bytes) }
  } catch (error) {
    return { error }
  }
}

const manifest = HAS_DATA
  ? parseCsv(new TextDecoder().decode(await readFixture('awkward_images/manifest.csv')))
  : []

describe.skipIf(!HAS_DATA)('decodeImage on the awkward_images manifest', () => {
  it('lists every fixture', () => {
    expect(manifest.length).toBe(63)
  })

  for (const { path = '', expected = '' } of manifest) {
    it(`${expected}: ${path}`, async () => {
      const result = await outcome(await readFixture(`awkward_images/${path}`))

      if (MUST_DECODE.has(expected)) {
        expect(result.error).toBeUndefined()
        const image = result.decoded?.image
        expect([image?.width, image?.height]).toEqual(expectedSize(path))
        expect(image?.data.length).toBe((image?.width ?? 0) * (image?.height ?? 0) * 3)
      } else if (expected === 'reject') {
        expect(result.error).toBeInstanceOf(FeatureForestError)
        expect(REJECT_CODES.has((result.error as FeatureForestError).code)).toBe(true)
      } else if (result.error !== undefined) {
        expect(result.error).toBeInstanceOf(FeatureForestError)
        expect(REJECT_CODES.has((result.error as FeatureForestError).code)).toBe(true)
      } else {
        const image = result.decoded?.image
        expect(image?.data.length).toBe((image?.width ?? 0) * (image?.height ?? 0) * 3)
      }

      const next = await decodeImage(await readFixture(KNOWN_GOOD))
      expect([next.image.width, next.image.height]).toEqual([256, 256])
    })
  }
})

describe.skipIf(!HAS_DATA)('decodeImage rejection reasons', () => {
  const cases: [string, string, RegExp][] = [
    ['huge_dimensions/decompression_bomb.gif', 'corrupt_image', /GIF/],
    [
      'huge_dimensions/decompression_bomb_extents.gif',
      'corrupt_image',
      /beyond the 100×100 logical screen/,
    ],
    ['huge_dimensions/black-6000x6000.jpg', 'image_too_large', /6000×6000 \(36\.0 megapixels\)/],
    ['png_corrupt/xs1n0g01.png', 'corrupt_image', /signature/],
    ['png_corrupt/xhdn0g08.png', 'corrupt_image', /CRC mismatch for chunk IHDR/],
    ['png_corrupt/xcsn0g01.png', 'corrupt_image', /CRC mismatch for chunk IDAT/],
    ['png_corrupt/xdtn0g01.png', 'corrupt_image', /no IDAT chunk/],
    ['png_corrupt/xd0n2c08.png', 'corrupt_image', /bit depth 0/],
    ['gif/zero_width.gif', 'corrupt_image', /GIF/],
  ]
  for (const [path, code, message] of cases) {
    it(`names the reason for ${path}`, async () => {
      const { error } = await outcome(await readFixture(`awkward_images/${path}`))

      expect(error).toBeInstanceOf(FeatureForestError)
      expect((error as FeatureForestError).code).toBe(code)
      expect((error as FeatureForestError).message).toMatch(message)
    })
  }
})
