import { describe, expect, it } from 'vitest'

import { ALPHA_BACKGROUND, decodeImage, type RgbImage } from '../../src/image'
import { HAS_DATA, readFixture } from '../support/fixtures'

/** Largest mean absolute difference (0–255 levels) between an image and its twin in another encoding. */
const TWIN_MEAN_DIFF = 6

async function decodeFixture(path: string): Promise<RgbImage> {
  return (await decodeImage(await readFixture(`awkward_images/${path}`))).image
}

function meanAbsDiff(left: RgbImage, right: RgbImage): number {
  expect([left.width, left.height]).toEqual([right.width, right.height])
  let total = 0
  for (let index = 0; index < left.data.length; index++) {
    total += Math.abs((left.data[index] ?? 0) - (right.data[index] ?? 0))
  }
  return total / left.data.length
}

function pixel(image: RgbImage, x: number, y: number): number[] {
  const index = (y * image.width + x) * 3
  return Array.from(image.data.subarray(index, index + 3))
}

describe.skipIf(!HAS_DATA)('decodeImage formats', () => {
  it('decodes an Adobe CMYK JPEG like its RGB twin', async () => {
    const diff = meanAbsDiff(
      await decodeFixture('jpeg_cmyk/tree-cmyk.jpg'),
      await decodeFixture('jpeg_cmyk/tree-rgb.jpg'),
    )

    expect(diff).toBeLessThan(TWIN_MEAN_DIFF)
  })

  it('decodes a Pillow CMYK JPEG like its RGB twin', async () => {
    const diff = meanAbsDiff(
      await decodeFixture('jpeg_cmyk/pil_sample_cmyk.jpg'),
      await decodeFixture('jpeg_cmyk/pil_sample_rgb.jpg'),
    )

    expect(diff).toBeLessThan(TWIN_MEAN_DIFF)
  })

  it('decodes a progressive JPEG like its baseline twin', async () => {
    const diff = meanAbsDiff(
      await decodeFixture('jpeg_progressive/skater-progressive.jpg'),
      await decodeFixture('jpeg_progressive/skater.jpg'),
    )

    expect(diff).toBeLessThan(TWIN_MEAN_DIFF)
  })

  it('expands a grayscale JPEG to equal channels', async () => {
    const image = await decodeFixture('jpeg_grayscale/hopper_gray.jpg')

    const [red, green, blue] = pixel(image, 64, 64)
    expect(red).toBe(green)
    expect(green).toBe(blue)
  })

  it('decodes the first frame of an animated WebP like the GIF twin', async () => {
    const diff = meanAbsDiff(
      await decodeFixture('webp/iss634.webp'),
      await decodeFixture('gif/iss634.gif'),
    )

    expect(diff).toBeLessThan(TWIN_MEAN_DIFF)
  })

  it('composites transparent pixels on white', async () => {
    const white = [ALPHA_BACKGROUND.r, ALPHA_BACKGROUND.g, ALPHA_BACKGROUND.b]

    expect(pixel(await decodeFixture('gif/transparent.gif'), 0, 0)).toEqual(white)
    expect(pixel(await decodeFixture('webp/transparent.webp'), 0, 0)).toEqual(white)
    expect(pixel(await decodeFixture('png_palette_alpha/tbbn3p08.png'), 0, 0)).toEqual(white)
  })

  it('reduces 16-bit PNG samples to 8 bits', async () => {
    const sixteen = await decodeFixture('png_interlaced/basi6a16.png')
    const eight = await decodeFixture('png_16bit/basn6a16.png')

    expect(meanAbsDiff(sixteen, eight)).toBe(0)
    expect(pixel(await decodeFixture('png_16bit/basn2c16.png'), 0, 0)).toEqual([255, 255, 0])
  })

  it('decodes 1-bit and palette PNGs', async () => {
    const bilevel = await decodeFixture('png_palette_alpha/basn0g01.png')
    const values = new Set(bilevel.data)

    expect([...values].sort((a, b) => a - b)).toEqual([0, 255])
    expect(
      meanAbsDiff(
        await decodeFixture('png_interlaced/basi3p08.png'),
        await decodeFixture('png_palette_alpha/basn3p08.png'),
      ),
    ).toBe(0)
  })
})
