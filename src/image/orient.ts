import type { RgbImage } from './types'

/**
 * Returns the upright image for an EXIF orientation (1 to 8). Orientation 1 returns `image`
 * itself; the others copy it once.
 *
 * Each output pixel (x, y) reads source pixel `origin + x * stepX + y * stepY` (in pixels), which
 * expresses the eight flips and rotations of the EXIF specification.
 */
export function applyOrientation(image: RgbImage, orientation: number): RgbImage {
  if (orientation < 2 || orientation > 8) {
    return image
  }
  const { width, height } = image
  const swapsAxes = orientation >= 5
  const outWidth = swapsAxes ? height : width
  const outHeight = swapsAxes ? width : height
  const { origin, stepX, stepY } = sourceSteps(orientation, width, height)

  const source = image.data
  const data = new Uint8Array(outWidth * outHeight * 3)
  let target = 0
  for (let y = 0; y < outHeight; y++) {
    let pixel = origin + y * stepY
    for (let x = 0; x < outWidth; x++, pixel += stepX, target += 3) {
      const index = pixel * 3
      data[target] = source[index] ?? 0
      data[target + 1] = source[index + 1] ?? 0
      data[target + 2] = source[index + 2] ?? 0
    }
  }
  return { width: outWidth, height: outHeight, data }
}

function sourceSteps(orientation: number, width: number, height: number) {
  const last = width * height - 1
  switch (orientation) {
    case 2: // mirrored horizontally
      return { origin: width - 1, stepX: -1, stepY: width }
    case 3: // rotated 180°
      return { origin: last, stepX: -1, stepY: -width }
    case 4: // mirrored vertically
      return { origin: (height - 1) * width, stepX: 1, stepY: -width }
    case 5: // mirrored along the top-left to bottom-right diagonal
      return { origin: 0, stepX: width, stepY: 1 }
    case 6: // needs 90° clockwise rotation
      return { origin: (height - 1) * width, stepX: -width, stepY: 1 }
    case 7: // mirrored along the top-right to bottom-left diagonal
      return { origin: last, stepX: -width, stepY: -1 }
    default: // 8: needs 90° counter-clockwise rotation
      return { origin: width - 1, stepX: width, stepY: -1 }
  }
}
