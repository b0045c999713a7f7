import { FeatureForestError } from '../errors'
import type { ImageFormat } from './types'

/**
 * Largest image `decodeImage` accepts, checked from the header before any pixel is allocated.
 * A Workers isolate has 128 MB. The ONNX runtime's heap takes 58.5 MB with the float32 image
 * graph and the JavaScript heap with the bundled modules about 30 MB (both measured by
 * `npm run bench:embed`), so one decode must stay under `DECODE_MEMORY_BUDGET_BYTES`. `maxSide` bounds row and column buffers (decoder rows,
 * resampling weight tables) of very thin images that pass the pixel limit.
 */
export const IMAGE_LIMITS = {
  // NOTE: a baseline 3464×2309 (8.0 MP) JPEG took 67 MB to decode: 35 MB of mozjpeg heap plus
  // 32 MB of RGBA copied out (scripts/reference/jpeg-decode-memory.mjs, Node 22, jSquash 1.6.0),
  // so 4.5 MP is the most that fits the budget and phone photos of 8 or 12 MP are rejected.
  // Decoding at a reduced DCT scale would fit them, but jSquash does not expose it.
  maxPixels: 4_500_000,
  maxSide: 16_384,
}

/** Peak memory one decode may use, in bytes (see `IMAGE_LIMITS`). */
export const DECODE_MEMORY_BUDGET_BYTES = 40_000_000

/**
 * Peak bytes per pixel of each decoder. For mozjpeg, scripts/reference/jpeg-decode-memory.mjs
 * measured a heap of 4.3 bytes per pixel on 8 to 16 MP photos, plus the 4-byte RGBA copy. The
 * WebP value assumes libwebp behaves like mozjpeg (not measured).
 */
export const DECODE_BYTES_PER_PIXEL = {
  jpeg: 8.4,
  /** Extra bytes per pixel and per sample of the coefficient buffer of a progressive JPEG. */
  jpegProgressiveSample: 2,
  // NOTE: jpeg-js (CMYK only) measured 20 bytes per pixel for 3-component images; 4 components
  // are scaled up from that, not measured.
  jpegCmyk: 26,
  webp: 8.4,
  gif: 4,
  /** RGB output of the PNG decoder; the inflated rows are added per image (see `png.ts`). */
  png: 3,
  /** The upright copy that EXIF orientations 2 to 8 need next to the decoded image. */
  orientedCopy: 3,
}

/** Throws `image_too_large` when the header's dimensions or decode estimate break the limits. */
export function checkImageLimits(
  format: ImageFormat,
  width: number,
  height: number,
  decodeBytes: number,
): void {
  if (width === 0 || height === 0) {
    throw new FeatureForestError(
      'corrupt_image',
      `corrupt image: the ${format} header gives a size of ${width}×${height}`,
    )
  }
  const size = `${width}×${height}`
  if (Math.max(width, height) > IMAGE_LIMITS.maxSide) {
    throw new FeatureForestError(
      'image_too_large',
      `image is ${size}, wider or taller than the limit of ${IMAGE_LIMITS.maxSide} pixels`,
    )
  }
  const pixels = width * height
  if (pixels > IMAGE_LIMITS.maxPixels) {
    throw new FeatureForestError(
      'image_too_large',
      `image is ${size} (${megapixels(pixels)} megapixels), above the limit of ` +
        `${megapixels(IMAGE_LIMITS.maxPixels)} megapixels`,
    )
  }
  if (decodeBytes > DECODE_MEMORY_BUDGET_BYTES) {
    throw new FeatureForestError(
      'image_too_large',
      `decoding this ${size} ${format} image needs about ${megabytes(decodeBytes)} MB, above the ` +
        `limit of ${megabytes(DECODE_MEMORY_BUDGET_BYTES)} MB; send a smaller image` +
        (format === 'jpeg' ? ', or a baseline rather than progressive JPEG' : ''),
    )
  }
}

const megapixels = (pixels: number): string => (pixels / 1e6).toFixed(1)
const megabytes = (bytes: number): string => (bytes / 1e6).toFixed(0)
