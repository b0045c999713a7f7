import { FeatureForestError } from '../errors'
import { decodeGif, inspectGif } from './gif'
import { decodeJpeg, inspectJpeg } from './jpeg'
import { checkImageLimits, DECODE_BYTES_PER_PIXEL } from './limits'
import { applyOrientation } from './orient'
import { decodePng, inspectPng } from './png'
import { sniffFormat } from './sniff'
import type { DecodedImage, ImageFormat, ImageHeader, RgbImage } from './types'
import { decodeWebp, inspectWebp } from './webp'

/**
 * Sniffs the format, checks the header against `IMAGE_LIMITS` before any pixel buffer exists,
 * decodes (the first frame of an animation), composites alpha on white and applies the EXIF
 * orientation. Every failure is a `FeatureForestError`: `unsupported_format`, `image_too_large`
 * or `corrupt_image`, the last one carrying the decoder's own message.
 */
export async function decodeImage(bytes: Uint8Array): Promise<DecodedImage> {
  const format = sniffFormat(bytes)
  try {
    const { image, orientation } = await decodeFormat(format, bytes)
    return {
      format,
      image: applyOrientation(image, orientation),
      sourceWidth: image.width,
      sourceHeight: image.height,
      orientation,
    }
  } catch (error) {
    if (error instanceof FeatureForestError) {
      throw error
    }
    throw new FeatureForestError(
      'corrupt_image',
      `corrupt ${FORMAT_NAMES[format]}: ${describe(error)}`,
    )
  }
}

const FORMAT_NAMES: Record<ImageFormat, string> = {
  jpeg: 'JPEG',
  png: 'PNG',
  webp: 'WebP',
  gif: 'GIF',
}

/**
 * Joins an error's message with those of its causes, which fast-png uses for the zlib error.
 * A cause that is not an Error, such as the exit status object of an Emscripten decoder, is
 * left out, because it would read as "[object Object]".
 */
function describe(error: unknown): string {
  const messages: string[] = []
  for (let current = error; current !== undefined && messages.length < 3;) {
    const message = current instanceof Error ? current.message : String(current)
    messages.push(message.replace(/:\s*$/, ''))
    const cause = current instanceof Error ? current.cause : undefined
    current = cause instanceof Error ? cause : undefined
  }
  return messages.join(': ')
}

async function decodeFormat(
  format: ImageFormat,
  bytes: Uint8Array,
): Promise<{ image: RgbImage; orientation: number }> {
  switch (format) {
    case 'jpeg': {
      const file = inspectJpeg(bytes)
      checkLimits(format, file, file.orientation)
      return checkSize(format, await decodeJpeg(bytes, file), file, file.orientation)
    }
    case 'png': {
      const file = inspectPng(bytes)
      checkLimits(format, file, file.orientation)
      return checkSize(format, decodePng(bytes, file), file, file.orientation)
    }
    case 'webp': {
      const file = inspectWebp(bytes)
      checkLimits(format, file, file.orientation)
      return checkSize(format, await decodeWebp(bytes, file), file, file.orientation)
    }
    case 'gif': {
      const file = inspectGif(bytes)
      checkLimits(format, file, 1)
      return checkSize(format, decodeGif(file), file, 1)
    }
  }
}

/** Checks the header against the limits, counting the copy that a rotation or flip makes. */
function checkLimits(format: ImageFormat, file: ImageHeader, orientation: number): void {
  const pixels = file.width * file.height
  const orientedCopy = orientation > 1 ? pixels * DECODE_BYTES_PER_PIXEL.orientedCopy : 0
  checkImageLimits(format, file.width, file.height, file.decodeBytes + orientedCopy)
}

/** Rejects a decoder result whose size differs from the header the limits were checked on. */
function checkSize(
  format: ImageFormat,
  image: RgbImage,
  header: { width: number; height: number },
  orientation: number,
): { image: RgbImage; orientation: number } {
  if (image.width !== header.width || image.height !== header.height) {
    throw new FeatureForestError(
      'corrupt_image',
      `corrupt ${FORMAT_NAMES[format]}: decoded ${image.width}×${image.height}, but the header gives ` +
        `${header.width}×${header.height}`,
    )
  }
  if (image.data.length !== image.width * image.height * 3) {
    throw new FeatureForestError(
      'corrupt_image',
      `corrupt ${FORMAT_NAMES[format]}: the decoder returned too few pixels`,
    )
  }
  return { image, orientation }
}
