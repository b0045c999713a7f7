import webpFactory from '@jsquash/webp/codec/dec/webp_dec.js'
import WEBP_WASM from '@jsquash/webp/codec/dec/webp_dec.wasm'

import { rgbaToRgb } from './composite'
import { EmscriptenDecoder, type EmscriptenFactory, type RgbaPixels } from './emscripten-decoder'
import { readExifOrientation } from './exif-orientation'
import { DECODE_BYTES_PER_PIXEL } from './limits'
import {
  buildStillWebp,
  corruptWebp,
  readWebpContainer,
  type WebpContainer,
} from './webp-container'
import type { ImageHeader, RgbImage } from './types'

interface LibwebpModule {
  decode(data: BufferSource): RgbaPixels | null
}

const libwebp = new EmscriptenDecoder(
  webpFactory as unknown as EmscriptenFactory<LibwebpModule>,
  WEBP_WASM,
)

export interface WebpFile extends ImageHeader {
  container: WebpContainer
  orientation: number
}

/** Reads the WebP canvas size, the decode memory estimate and the EXIF orientation. */
export function inspectWebp(bytes: Uint8Array): WebpFile {
  const container = readWebpContainer(bytes)
  const frame = container.firstFrame
  if (
    frame &&
    (frame.x + frame.width > container.width || frame.y + frame.height > container.height)
  ) {
    throw corruptWebp(
      `the first frame (${frame.width}×${frame.height} at ${frame.x},${frame.y}) extends beyond ` +
        `the ${container.width}×${container.height} canvas`,
    )
  }
  return {
    width: container.width,
    height: container.height,
    decodeBytes: container.width * container.height * DECODE_BYTES_PER_PIXEL.webp + bytes.length,
    container,
    orientation: container.exif ? readExifOrientation(container.exif) : 1,
  }
}

/**
 * Decodes a still WebP, or the first frame of an animated one, to RGB composited on white.
 * libwebp's simple decoder rejects animations, so the first ANMF frame is rewrapped as a still
 * image and placed on a transparent canvas at its offset.
 */
export async function decodeWebp(bytes: Uint8Array, file: WebpFile): Promise<RgbImage> {
  const frame = file.container.firstFrame
  if (!frame) {
    const rgba = await libwebp.decode(bytes)
    return { width: rgba.width, height: rgba.height, data: rgbaToRgb(rgba.data) }
  }

  const rgba = await libwebp.decode(buildStillWebp(frame))
  if (rgba.width !== frame.width || rgba.height !== frame.height) {
    throw corruptWebp(
      `the first frame decoded to ${rgba.width}×${rgba.height}, not ${frame.width}×${frame.height}`,
    )
  }
  const { width, height } = file
  if (frame.x === 0 && frame.y === 0 && frame.width === width && frame.height === height) {
    return { width, height, data: rgbaToRgb(rgba.data) }
  }
  const canvas = new Uint8Array(width * height * 4)
  for (let row = 0; row < frame.height; row++) {
    const source = rgba.data.subarray(row * frame.width * 4, (row + 1) * frame.width * 4)
    canvas.set(source, ((frame.y + row) * width + frame.x) * 4)
  }
  return { width, height, data: rgbaToRgb(canvas) }
}
