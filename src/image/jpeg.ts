import mozjpegFactory from '@jsquash/jpeg/codec/dec/mozjpeg_dec.js'
import MOZJPEG_WASM from '@jsquash/jpeg/codec/dec/mozjpeg_dec.wasm'
import jpegJs from 'jpeg-js'

import { rgbaToRgb } from './composite'
import { EmscriptenDecoder, type EmscriptenFactory, type RgbaPixels } from './emscripten-decoder'
import { readExifOrientation } from './exif-orientation'
import { readJpegHeader, type JpegHeader } from './jpeg-header'
import { DECODE_BYTES_PER_PIXEL, DECODE_MEMORY_BUDGET_BYTES } from './limits'
import type { ImageHeader, RgbImage } from './types'

interface MozjpegModule {
  decode(data: BufferSource, preserveOrientation: boolean): RgbaPixels | null
}

const mozjpeg = new EmscriptenDecoder(
  mozjpegFactory as unknown as EmscriptenFactory<MozjpegModule>,
  MOZJPEG_WASM,
)

export interface JpegFile extends ImageHeader {
  frame: JpegHeader
  orientation: number
}

/** Reads the JPEG header, the decode memory estimate and the EXIF orientation. */
export function inspectJpeg(bytes: Uint8Array): JpegFile {
  const frame = readJpegHeader(bytes)
  const pixels = frame.width * frame.height
  let bytesPerPixel =
    frame.components === 4 ? DECODE_BYTES_PER_PIXEL.jpegCmyk : DECODE_BYTES_PER_PIXEL.jpeg
  if (frame.progressive) {
    bytesPerPixel += DECODE_BYTES_PER_PIXEL.jpegProgressiveSample * frame.samplesPerPixel
  }
  return {
    width: frame.width,
    height: frame.height,
    decodeBytes: pixels * bytesPerPixel + bytes.length,
    frame,
    orientation: frame.exif ? readExifOrientation(frame.exif) : 1,
  }
}

/**
 * Decodes a JPEG to RGB as stored, without applying the orientation. mozjpeg (libjpeg-turbo API)
 * is used for 1- and 3-component images. It cannot convert CMYK or YCCK to RGB, so 4-component
 * images go to jpeg-js, which applies the Adobe APP14 transform and the inverted-CMYK convention.
 */
export async function decodeJpeg(bytes: Uint8Array, file: JpegFile): Promise<RgbImage> {
  if (file.frame.components === 4) {
    return decodeCmykJpeg(bytes)
  }
  const rgba = await mozjpeg.decode(bytes, false)
  return { width: rgba.width, height: rgba.height, data: rgbaToRgb(rgba.data) }
}

function decodeCmykJpeg(bytes: Uint8Array): RgbImage {
  const decoded = jpegJs.decode(bytes, {
    useTArray: true,
    formatAsRGBA: false,
    tolerantDecoding: true,
    maxMemoryUsageInMB: Math.ceil(DECODE_MEMORY_BUDGET_BYTES / 2 ** 20),
  })
  return { width: decoded.width, height: decoded.height, data: decoded.data }
}
