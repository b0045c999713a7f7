import { describe, expect, it } from 'vitest'

import { rejection } from './rejection'

/** Builds SOI, one 3-component SOF segment of 16×16 pixels and EOI. */
function jpegWithFrame(marker: number, precision = 8): Uint8Array {
  const frame = [precision, 0, 16, 0, 16, 3, 1, 0x11, 0, 2, 0x11, 1, 3, 0x11, 1]
  return new Uint8Array([0xff, 0xd8, 0xff, marker, 0, frame.length + 2, ...frame, 0xff, 0xd9])
}

describe('JPEG frame header', () => {
  it.each([
    ['SOF3', 0xc3, 'lossless coding'],
    ['SOF5', 0xc5, 'hierarchical coding'],
    ['SOF9', 0xc9, 'arithmetic coding'],
    ['SOF10', 0xca, 'arithmetic coding'],
    ['SOF15', 0xcf, 'arithmetic coding and hierarchical coding and lossless coding'],
  ])('rejects %s as unsupported', async (_name, marker, coding) => {
    const error = await rejection(jpegWithFrame(marker))

    expect(error.code).toBe('unsupported_format')
    expect(error.message).toContain(`JPEG with ${coding} is not supported`)
  })

  it('rejects 12-bit samples as unsupported', async () => {
    const error = await rejection(jpegWithFrame(0xc1, 12))

    expect(error.code).toBe('unsupported_format')
    expect(error.message).toContain('JPEG with 12-bit samples is not supported')
  })

  it('passes an extended sequential frame to the decoder', async () => {
    const error = await rejection(jpegWithFrame(0xc1))

    expect(error.code).toBe('corrupt_image')
  })

  it('reports the decoder failure without its exit status', async () => {
    const error = await rejection(jpegWithFrame(0xc0))

    expect(error.message).toMatch(/^corrupt JPEG: ./)
    expect(error.message).not.toContain('[object Object]')
  })
})
