import type { RgbImage } from './types'

/** A window of the output of a resize, in output pixels. */
export interface ResizeWindow {
  left: number
  top: number
  width: number
  height: number
}

/** Per-output-pixel source ranges and normalised weights along one axis. */
interface AxisWeights {
  start: Int32Array
  count: Int32Array
  weights: Float64Array
  /** Stride of `weights` per output pixel. */
  taps: number
}

/**
 * Resizes `image` to `outWidth`×`outHeight` with the triangle (bilinear) filter and returns only
 * `window` of the result. On downscaling the filter support grows with the scale factor, so every
 * source pixel contributes (antialiasing), as in Pillow's `Image.resize(..., BILINEAR)`: horizontal
 * pass first, rounded to 8 bits, then the vertical pass. Only the source rows and output columns
 * the window needs are computed, so memory stays at one window-wide strip of the source height.
 */
export function resizeWindow(
  image: RgbImage,
  outWidth: number,
  outHeight: number,
  window: ResizeWindow,
): RgbImage {
  const horizontal = triangleWeights(image.width, outWidth, window.left, window.width)
  const vertical = triangleWeights(image.height, outHeight, window.top, window.height)
  const firstRow = vertical.start[0] ?? 0
  const lastRow =
    (vertical.start[window.height - 1] ?? 0) + (vertical.count[window.height - 1] ?? 0)

  const strip = new Uint8Array((lastRow - firstRow) * window.width * 3)
  for (let row = firstRow; row < lastRow; row++) {
    const sourceRow = row * image.width * 3
    const targetRow = (row - firstRow) * window.width * 3
    for (let x = 0; x < window.width; x++) {
      const start = horizontal.start[x] ?? 0
      const count = horizontal.count[x] ?? 0
      const base = x * horizontal.taps
      let red = 0
      let green = 0
      let blue = 0
      for (let tap = 0, source = sourceRow + start * 3; tap < count; tap++, source += 3) {
        const weight = horizontal.weights[base + tap] ?? 0
        red += (image.data[source] ?? 0) * weight
        green += (image.data[source + 1] ?? 0) * weight
        blue += (image.data[source + 2] ?? 0) * weight
      }
      strip[targetRow + x * 3] = clampByte(red)
      strip[targetRow + x * 3 + 1] = clampByte(green)
      strip[targetRow + x * 3 + 2] = clampByte(blue)
    }
  }

  const data = new Uint8Array(window.width * window.height * 3)
  const stripStride = window.width * 3
  for (let y = 0; y < window.height; y++) {
    const start = (vertical.start[y] ?? 0) - firstRow
    const count = vertical.count[y] ?? 0
    const base = y * vertical.taps
    for (let column = 0; column < stripStride; column++) {
      let sum = 0
      for (let tap = 0; tap < count; tap++) {
        sum +=
          (strip[(start + tap) * stripStride + column] ?? 0) * (vertical.weights[base + tap] ?? 0)
      }
      data[y * stripStride + column] = clampByte(sum)
    }
  }
  return { width: window.width, height: window.height, data }
}

/** Weights of the triangle filter for output pixels `first` to `first + count - 1`. */
function triangleWeights(
  inSize: number,
  outSize: number,
  first: number,
  count: number,
): AxisWeights {
  const scale = inSize / outSize
  const filterScale = Math.max(scale, 1)
  const support = filterScale
  const taps = Math.ceil(support) * 2 + 1
  const result: AxisWeights = {
    start: new Int32Array(count),
    count: new Int32Array(count),
    weights: new Float64Array(count * taps),
    taps,
  }

  for (let index = 0; index < count; index++) {
    const center = (first + index + 0.5) * scale
    const start = Math.max(Math.trunc(center - support + 0.5), 0)
    const end = Math.min(Math.trunc(center + support + 0.5), inSize)
    let total = 0
    for (let tap = 0; tap < end - start; tap++) {
      const weight = Math.max(0, 1 - Math.abs((start + tap - center + 0.5) / filterScale))
      result.weights[index * taps + tap] = weight
      total += weight
    }
    for (let tap = 0; tap < end - start && total > 0; tap++) {
      result.weights[index * taps + tap] = (result.weights[index * taps + tap] ?? 0) / total
    }
    result.start[index] = start
    result.count[index] = end - start
  }
  return result
}

function clampByte(value: number): number {
  if (value <= 0) {
    return 0
  }
  return value >= 255 ? 255 : Math.round(value)
}
