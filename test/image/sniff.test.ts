import { describe, expect, it } from 'vitest'

import { FeatureForestError } from '../../src/errors'
import { decodeImage } from '../../src/image'
import { HAS_DATA, readFixture } from '../support/fixtures'

const ascii = (text: string) => new TextEncoder().encode(text)

describe('format sniffing', () => {
  const unsupported: [string, Uint8Array, string][] = [
    ['text', ascii('name,label\ncat.1.jpg,cat\n'), 'text'],
    ['BMP', new Uint8Array([0x42, 0x4d, 0x36, 0, 0, 0, 0, 0, 0, 0]), 'BMP'],
    ['TIFF', new Uint8Array([0x49, 0x49, 0x2a, 0, 8, 0, 0, 0]), 'TIFF'],
    ['HEIC', new Uint8Array([0, 0, 0, 0x18, ...ascii('ftypheic'), 0, 0, 0, 0]), 'HEIC'],
    ['empty body', new Uint8Array(0), 'empty'],
    ['binary noise', new Uint8Array([0x00, 0x13, 0x37, 0xfe, 0x00]), '00 13 37 fe'],
    ['control bytes', new Uint8Array(64).fill(0x01), 'data starting with bytes 01 01 01 01'],
    ['a single 0xff byte', new Uint8Array([0xff]), 'data starting with bytes ff'],
    ['text with tabs', ascii('name\tlabel\r\ncat.1.jpg\tcat\r\n'), 'text is not'],
  ]
  for (const [name, bytes, detected] of unsupported) {
    it(`rejects ${name} as unsupported`, async () => {
      const error = await decodeImage(bytes).catch((caught: unknown) => caught)

      expect(error).toBeInstanceOf(FeatureForestError)
      expect((error as FeatureForestError).code).toBe('unsupported_format')
      expect((error as FeatureForestError).message).toContain(detected)
      expect((error as FeatureForestError).message).toContain('jpeg, png, webp, gif')
    })
  }

  it.skipIf(!HAS_DATA)('finds a GIF named .jpg', async () => {
    const decoded = await decodeImage(
      await readFixture('awkward_images/mislabeled_extension/Abyssinian_34.jpg'),
    )

    expect(decoded.format).toBe('gif')
  })

  it.skipIf(!HAS_DATA)('finds a PNG named .jpg', async () => {
    const decoded = await decodeImage(
      await readFixture('awkward_images/mislabeled_extension/Abyssinian_5.jpg'),
    )

    expect(decoded.format).toBe('png')
  })
})
