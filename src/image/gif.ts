import { GifReader } from 'omggif'

import { FeatureForestError } from '../errors'
import { rgbaToRgb } from './composite'
import { DECODE_BYTES_PER_PIXEL, IMAGE_LIMITS } from './limits'
import type { ImageHeader, RgbImage } from './types'

export interface GifFile extends ImageHeader {
  reader: GifReader
}

function corruptGif(reason: string): FeatureForestError {
  return new FeatureForestError('corrupt_image', `corrupt GIF: ${reason}`)
}

/**
 * Parses the GIF block structure (no LZW decoding) and rejects frames that extend beyond the
 * logical screen, so that a small screen cannot hide a huge frame.
 */
export function inspectGif(bytes: Uint8Array): GifFile {
  let reader: GifReader
  try {
    reader = new GifReader(bytes)
  } catch (error) {
    throw corruptGif(error instanceof Error ? error.message : String(error))
  }
  const { width, height } = reader
  for (let index = 0; index < reader.numFrames(); index++) {
    const frame = reader.frameInfo(index)
    if (frame.x + frame.width > width || frame.y + frame.height > height) {
      const frameSize = `${frame.width}×${frame.height} at ${frame.x},${frame.y}`
      const code =
        frame.width * frame.height > IMAGE_LIMITS.maxPixels ? 'image_too_large' : 'corrupt_image'
      throw new FeatureForestError(
        code,
        `${code === 'corrupt_image' ? 'corrupt GIF: ' : ''}frame ${index} (${frameSize}) extends ` +
          `beyond the ${width}×${height} logical screen`,
      )
    }
  }
  const frame = reader.numFrames() > 0 ? reader.frameInfo(0) : undefined
  const framePixels = frame ? frame.width * frame.height : 0
  return {
    width,
    height,
    decodeBytes: width * height * DECODE_BYTES_PER_PIXEL.gif + framePixels + bytes.length,
    reader,
  }
}

/** Decodes the first frame onto the transparent logical screen, composited on white. */
export function decodeGif(file: GifFile): RgbImage {
  const { reader, width, height } = file
  if (reader.numFrames() === 0) {
    throw corruptGif('the file has no image frame')
  }
  const rgba = new Uint8Array(width * height * 4)
  reader.decodeAndBlitFrameRGBA(0, rgba)
  return { width, height, data: rgbaToRgb(rgba) }
}
