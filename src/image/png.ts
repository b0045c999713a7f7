import { decode as decodeFastPng, type DecodedPng } from 'fast-png'

import { ALPHA_BACKGROUND, rgbaToRgb } from './composite'
import { readExifOrientation } from './exif-orientation'
import { DECODE_BYTES_PER_PIXEL } from './limits'
import { checkPngCompressedSizes, corruptPng, readPngHeader, type PngHeader } from './png-header'
import type { ImageHeader, RgbImage } from './types'

const INDEXED_COLOUR = 3

export interface PngFile extends ImageHeader {
  header: PngHeader
  orientation: number
}

/**
 * Reads the PNG header, the decode memory estimate and the eXIf orientation. fast-png keeps the
 * inflated data twice at its peak (chunks, then the joined and the unfiltered copies).
 */
export function inspectPng(bytes: Uint8Array): PngFile {
  const header = readPngHeader(bytes)
  const pixels = header.width * header.height
  return {
    width: header.width,
    height: header.height,
    decodeBytes: 2 * header.rawBytes + pixels * DECODE_BYTES_PER_PIXEL.png + bytes.length,
    header,
    orientation: header.exif ? readExifOrientation(header.exif) : 1,
  }
}

/** Decodes a PNG (any bit depth, palette, tRNS, Adam7) to RGB composited on white, with CRC checks. */
export function decodePng(bytes: Uint8Array, file: PngFile): RgbImage {
  checkPngCompressedSizes(bytes, file.header)
  const png = decodeFastPng(bytes, { checkCrc: true })
  const expected = png.width * png.height * png.channels
  if (png.width !== file.width || png.height !== file.height) {
    throw corruptPng(`decoded size ${png.width}×${png.height} differs from the header`)
  }
  if (png.depth >= 8 && png.data.length !== expected) {
    throw corruptPng(`the image data has ${png.data.length} samples, expected ${expected}`)
  }
  return { width: png.width, height: png.height, data: toRgb(png, file.header.colorType) }
}

function toRgb(png: DecodedPng, colorType: number): Uint8Array {
  const { data, channels, depth, transparency } = png
  const keyed =
    colorType !== INDEXED_COLOUR && transparency !== undefined && transparency.length > 0
  if (depth === 8 && data instanceof Uint8Array && !keyed && colorType !== INDEXED_COLOUR) {
    if (channels === 3) {
      return data
    }
    if (channels === 4) {
      return rgbaToRgb(data)
    }
  }
  return convertSamples(png, colorType, keyed)
}

/** General path: unpacks sub-byte samples, reduces 16-bit samples and resolves palette and tRNS. */
function convertSamples(png: DecodedPng, colorType: number, keyed: boolean): Uint8Array {
  const { width, height, data, channels, depth } = png
  const rgb = new Uint8Array(width * height * 3)
  const rowSamples = width * channels
  const rowBytes = Math.ceil((rowSamples * depth) / 8)
  const maxSample = 2 ** depth - 1
  const key = keyed ? Array.from(png.transparency ?? []) : undefined
  const palette = png.palette ?? []
  const pixel = [0, 0, 0, 0]

  for (let y = 0, target = 0; y < height; y++) {
    for (let x = 0; x < width; x++, target += 3) {
      for (let channel = 0; channel < channels; channel++) {
        pixel[channel] = readSample(
          data,
          depth,
          y * (depth < 8 ? rowBytes : rowSamples),
          x * channels + channel,
        )
      }
      let red: number, green: number, blue: number, alpha: number
      if (colorType === INDEXED_COLOUR) {
        const entry = palette[pixel[0] ?? 0] ?? [0, 0, 0]
        ;[red, green, blue] = [entry[0] ?? 0, entry[1] ?? 0, entry[2] ?? 0]
        alpha = entry[3] ?? 255
      } else {
        const transparent = key !== undefined && key.every((value, index) => value === pixel[index])
        const colour = channels >= 3 ? pixel : [pixel[0], pixel[0], pixel[0]]
        red = to8Bit(colour[0] ?? 0, maxSample)
        green = to8Bit(colour[1] ?? 0, maxSample)
        blue = to8Bit(colour[2] ?? 0, maxSample)
        const hasAlpha = channels === 2 || channels === 4
        alpha = hasAlpha ? to8Bit(pixel[channels - 1] ?? 0, maxSample) : 255
        if (transparent) {
          alpha = 0
        }
      }
      const cover = 255 - alpha
      rgb[target] = Math.round((red * alpha + ALPHA_BACKGROUND.r * cover) / 255)
      rgb[target + 1] = Math.round((green * alpha + ALPHA_BACKGROUND.g * cover) / 255)
      rgb[target + 2] = Math.round((blue * alpha + ALPHA_BACKGROUND.b * cover) / 255)
    }
  }
  return rgb
}

/** Reads sample `index` of a row starting at `rowStart` (in bytes below 8 bits, in samples otherwise). */
function readSample(
  data: DecodedPng['data'],
  depth: number,
  rowStart: number,
  index: number,
): number {
  if (depth >= 8) {
    return data[rowStart + index] ?? 0
  }
  const bit = index * depth
  const byte = data[rowStart + (bit >> 3)] ?? 0
  return (byte >> (8 - depth - (bit & 7))) & (2 ** depth - 1)
}

function to8Bit(sample: number, maxSample: number): number {
  if (maxSample === 255) {
    return sample
  }
  if (maxSample === 65535) {
    return sample >> 8
  }
  return Math.round((sample * 255) / maxSample)
}
