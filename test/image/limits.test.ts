import { describe, expect, it } from 'vitest'

import { decodeImage, IMAGE_LIMITS } from '../../src/image'
import { HAS_DATA, readFixture } from '../support/fixtures'
import { buildPng } from './png-builder'
import { rejection } from './rejection'

/** Builds a JPEG made of SOI, one SOF marker and EOI, declaring `width`×`height` and nothing else. */
function jpegHeaderOnly(width: number, height: number, marker = 0xc0, sampling = 0x22): Uint8Array {
  return new Uint8Array([
    0xff,
    0xd8,
    0xff,
    marker,
    0x00,
    0x11,
    0x08,
    height >> 8,
    height & 0xff,
    width >> 8,
    width & 0xff,
    0x03,
    0x01,
    sampling,
    0x00,
    0x02,
    0x11,
    0x01,
    0x03,
    0x11,
    0x01,
    0xff,
    0xd9,
  ])
}

describe('image limits', () => {
  it('rejects too many pixels from the header', async () => {
    const error = await rejection(jpegHeaderOnly(4000, 3000))

    expect(error.code).toBe('image_too_large')
    expect(error.message).toContain(
      '4000×3000 (12.0 megapixels), above the limit of 4.5 megapixels',
    )
  })

  it('rejects a side longer than maxSide', async () => {
    const error = await rejection(buildPng(IMAGE_LIMITS.maxSide + 1, 1, new Uint8Array(1)))

    expect(error.code).toBe('image_too_large')
    expect(error.message).toContain(`${IMAGE_LIMITS.maxSide + 1}×1`)
  })

  it('rejects a progressive JPEG whose coefficients exceed the budget', async () => {
    const error = await rejection(jpegHeaderOnly(2300, 1800, 0xc2, 0x11))

    expect(error.code).toBe('image_too_large')
    expect(error.message).toMatch(/needs about \d+ MB, above the limit of 40 MB/)
  })

  it('passes a baseline JPEG of that size to the decoder', async () => {
    const error = await rejection(jpegHeaderOnly(2300, 1800, 0xc0, 0x11))

    expect(error.code).toBe('corrupt_image')
  })

  it.skipIf(!HAS_DATA)('decodes again after mozjpeg fails', async () => {
    const error = await rejection(jpegHeaderOnly(300, 200, 0xc0, 0x11))
    const next = await decodeImage(await readFixture('awkward_images/jpeg_progressive/skater.jpg'))

    expect(error.message).toMatch(/^corrupt JPEG: ./)
    expect([next.image.width, next.image.height]).toEqual([256, 256])
  })

  it('rejects a zero-width image as corrupt', async () => {
    const error = await rejection(jpegHeaderOnly(0, 10))

    expect(error.code).toBe('corrupt_image')
    expect(error.message).toContain('0×10')
  })

  it('stops an IDAT zlib bomb before fast-png inflates it', async () => {
    const bomb = buildPng(1, 1, new Uint8Array(20_000_000))

    const error = await rejection(bomb)

    expect(bomb.length).toBeLessThan(100_000)
    expect(error.code).toBe('corrupt_image')
    expect(error.message).toContain('inflates past 4 bytes')
  })

  it.skipIf(!HAS_DATA)('decodes a PNG with a zTXt bomb without inflating it', async () => {
    const decoded = await decodeImage(
      await readFixture('awkward_images/huge_dimensions/png_decompression_dos.png'),
    )

    expect([decoded.image.width, decoded.image.height]).toEqual([1, 1])
  })
})
