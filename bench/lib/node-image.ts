import { convertIndexedToRgb, decode as decodePng, hasPngSignature } from 'fast-png'
import jpeg from 'jpeg-js'

/** 8-bit RGB pixels, 3 bytes per pixel, row-major. */
export interface RgbPixels {
  width: number
  height: number
  data: Uint8Array
}

/** Largest image that the Node-side decoder accepts, in megapixels. */
const MAX_MEGAPIXELS = 50

function isJpeg(bytes: Uint8Array): boolean {
  return bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff
}

function rgbaToRgb(rgba: Uint8Array, width: number, height: number): RgbPixels {
  const data = new Uint8Array(width * height * 3)
  for (let i = 0, j = 0; j < data.length; i += 4, j += 3) {
    data[j] = rgba[i]!
    data[j + 1] = rgba[i + 1]!
    data[j + 2] = rgba[i + 2]!
  }
  return { width, height, data }
}

/** Converts any fast-png result (grey, grey+alpha, RGB, RGBA, palette, 1–16 bit) to 8-bit RGB. */
function pngToRgb(bytes: Uint8Array): RgbPixels {
  const png = decodePng(bytes)
  const { width, height } = png
  let samples: ArrayLike<number> = png.data
  let channels = png.channels
  let maxValue = 2 ** png.depth - 1
  if (png.palette) {
    samples = convertIndexedToRgb(png)
    channels = png.transparency ? 4 : 3
    maxValue = 255
  }
  const data = new Uint8Array(width * height * 3)
  for (let pixel = 0; pixel < width * height; pixel++) {
    for (let c = 0; c < 3; c++) {
      // Grey and grey+alpha images repeat their first channel; alpha is dropped.
      const sample = samples[pixel * channels + (channels >= 3 ? c : 0)]!
      data[pixel * 3 + c] = Math.round((sample * 255) / maxValue)
    }
  }
  return { width, height, data }
}

/** Decodes a JPEG (jpeg-js) or PNG (fast-png) to RGB. EXIF orientation is not applied. */
export function decodeRgb(bytes: Uint8Array): RgbPixels {
  if (isJpeg(bytes)) {
    const image = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: true,
      maxResolutionInMP: MAX_MEGAPIXELS,
    })
    return rgbaToRgb(image.data, image.width, image.height)
  }
  if (hasPngSignature(bytes)) return pngToRgb(bytes)
  throw new Error('image is neither JPEG nor PNG; the Node-side decoder reads only those two')
}

/**
 * Returns, for each output index along one axis, the source indices it covers and their
 * weights: the fraction of the output cell that each source cell overlaps, summing to 1.
 */
function areaWeights(
  sourceStart: number,
  sourceLength: number,
  outputLength: number,
): { index: number[]; weight: number[] }[] {
  const scale = sourceLength / outputLength
  const cells = []
  for (let out = 0; out < outputLength; out++) {
    const from = sourceStart + out * scale
    // Clamped so that rounding never reaches one pixel past the region.
    const to = Math.min(from + scale, sourceStart + sourceLength)
    const index: number[] = []
    const weight: number[] = []
    for (let source = Math.floor(from); source < to; source++) {
      const overlap = Math.min(to, source + 1) - Math.max(from, source)
      if (overlap <= 0) continue
      index.push(source)
      weight.push(overlap / (to - from))
    }
    cells.push({ index, weight })
  }
  return cells
}

/** Region of the source image, in pixels. */
export interface CropBox {
  left: number
  top: number
  width: number
  height: number
}

/**
 * Resizes a region of an RGB image by area averaging (each output pixel is the mean of the
 * source pixels it covers, fractionally weighted at the edges). Returns interleaved RGB
 * values in [0, 1], `width × height × 3` of them.
 */
export function resizeArea(
  image: RgbPixels,
  width: number,
  height: number,
  crop: CropBox = { left: 0, top: 0, width: image.width, height: image.height },
): Float32Array {
  const columns = areaWeights(crop.left, crop.width, width)
  const rows = areaWeights(crop.top, crop.height, height)
  const output = new Float32Array(width * height * 3)
  for (let y = 0; y < height; y++) {
    const row = rows[y]!
    for (let x = 0; x < width; x++) {
      const column = columns[x]!
      for (let c = 0; c < 3; c++) {
        let sum = 0
        for (let i = 0; i < row.index.length; i++) {
          const offset = row.index[i]! * image.width
          let rowSum = 0
          for (let j = 0; j < column.index.length; j++) {
            rowSum += image.data[(offset + column.index[j]!) * 3 + c]! * column.weight[j]!
          }
          sum += rowSum * row.weight[i]!
        }
        output[(y * width + x) * 3 + c] = sum / 255
      }
    }
  }
  return output
}

/**
 * Builds an NCHW float32 model input of `3 × size × size` from the centred square of the
 * image, normalised with the given ImageNet mean and std. Used only to feed realistic values
 * to the Node-side timing runs; the service's own preprocessing differs (shortest side 256
 * with a triangle filter, then a 224 centre crop).
 */
export function toNchwInput(
  image: RgbPixels,
  size: number,
  mean: readonly number[],
  std: readonly number[],
): Float32Array {
  const side = Math.min(image.width, image.height)
  const crop = {
    left: Math.floor((image.width - side) / 2),
    top: Math.floor((image.height - side) / 2),
    width: side,
    height: side,
  }
  const rgb = resizeArea(image, size, size, crop)
  const plane = size * size
  const input = new Float32Array(3 * plane)
  for (let pixel = 0; pixel < plane; pixel++) {
    for (let c = 0; c < 3; c++) {
      input[c * plane + pixel] = (rgb[pixel * 3 + c]! - mean[c]!) / std[c]!
    }
  }
  return input
}
