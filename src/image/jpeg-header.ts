import { FeatureForestError } from '../errors'

/** Facts from the JPEG markers before the first scan. */
export interface JpegHeader {
  width: number
  height: number
  /** 1 for grayscale, 3 for YCbCr or RGB, 4 for CMYK or YCCK. */
  components: number
  progressive: boolean
  /** Sum over components of horizontal × vertical sampling, divided by the largest such product. */
  samplesPerPixel: number
  /** The EXIF block of the first APP1 "Exif" segment, if any. */
  exif: Uint8Array | undefined
}

const SOI = 0xd8
const SOS = 0xda
const EOI = 0xd9
const APP1 = 0xe1
/** Huffman-coded progressive frame, the only progressive coding the decoders read. */
const PROGRESSIVE_SOF = 0xc2
/** Huffman-coded baseline, extended sequential and progressive frames, which both decoders read. */
const DECODED_SOF = new Set([0xc0, 0xc1, PROGRESSIVE_SOF])

/** Start-of-frame markers (ITU-T T.81 table B.1): C0 to CF except DHT (C4), JPG (C8) and DAC (CC). */
function isStartOfFrame(marker: number): boolean {
  return marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc
}

function corrupt(reason: string): FeatureForestError {
  return new FeatureForestError('corrupt_image', `corrupt JPEG: ${reason}`)
}

function unsupported(feature: string): FeatureForestError {
  return new FeatureForestError(
    'unsupported_format',
    `JPEG with ${feature} is not supported; send a baseline or progressive JPEG with 8-bit samples`,
  )
}

/** Names the coding of a start-of-frame marker from its low bits (ITU-T T.81 table B.1). */
function describeCoding(marker: number): string {
  const features: string[] = []
  if (marker & 0x08) features.push('arithmetic coding')
  if (marker & 0x04) features.push('hierarchical coding')
  if ((marker & 0x03) === 0x03) features.push('lossless coding')
  return features.join(' and ')
}

/** Reads the frame header and the EXIF block by walking the markers up to the first scan. */
export function readJpegHeader(bytes: Uint8Array): JpegHeader {
  if (bytes[0] !== 0xff || bytes[1] !== SOI) {
    throw corrupt('missing the start-of-image marker')
  }
  let exif: Uint8Array | undefined
  let frame: Omit<JpegHeader, 'exif'> | undefined
  let offset = 2

  while (offset + 4 <= bytes.length) {
    if (bytes[offset] !== 0xff) {
      throw corrupt(`expected a marker at byte ${offset}`)
    }
    const marker = bytes[offset + 1] ?? 0
    if (marker === 0xff) {
      offset += 1
      continue
    }
    if (marker === SOS) {
      checkEndOfImage(bytes, offset)
      break
    }
    if (marker === EOI) {
      break
    }
    const length = ((bytes[offset + 2] ?? 0) << 8) | (bytes[offset + 3] ?? 0)
    const segment = bytes.subarray(offset + 4, offset + 2 + length)
    if (length < 2 || segment.length !== length - 2) {
      throw corrupt(`segment 0x${marker.toString(16)} at byte ${offset} is truncated`)
    }
    if (isStartOfFrame(marker) && !frame) {
      if (!DECODED_SOF.has(marker)) throw unsupported(describeCoding(marker))
      frame = readFrame(segment, marker === PROGRESSIVE_SOF)
    } else if (marker === APP1 && !exif && isExifSegment(segment)) {
      exif = segment
    }
    offset += 2 + length
  }

  if (!frame) {
    throw corrupt('no frame header before the image data')
  }
  return { ...frame, exif }
}

/**
 * Throws when no end-of-image marker follows the first scan, which means the upload was cut
 * short: mozjpeg would otherwise fill the missing rows with grey and report success. Inside
 * entropy-coded data a 0xFF byte is always followed by 0x00 or a restart marker, so the first
 * 0xFF 0xD9 after the scan starts is the real end of image. Data after it (for example a video
 * appended by a phone camera) is ignored.
 */
function checkEndOfImage(bytes: Uint8Array, scanStart: number): void {
  for (let i = scanStart + 2; i + 1 < bytes.length; i++) {
    if (bytes[i] === 0xff && bytes[i + 1] === EOI) return
  }
  throw corrupt('the data ends before the end-of-image marker; the file is truncated')
}

function readFrame(segment: Uint8Array, progressive: boolean): Omit<JpegHeader, 'exif'> {
  if (segment.length < 6) {
    throw corrupt('frame header is too short')
  }
  const precision = segment[0] ?? 0
  if (precision !== 8) {
    throw unsupported(`${precision}-bit samples`)
  }
  const height = ((segment[1] ?? 0) << 8) | (segment[2] ?? 0)
  const width = ((segment[3] ?? 0) << 8) | (segment[4] ?? 0)
  const components = segment[5] ?? 0
  if (segment.length < 6 + components * 3 || components === 0) {
    throw corrupt(`frame header lists ${components} components`)
  }

  let sampleSum = 0
  let sampleMax = 1
  for (let index = 0; index < components; index++) {
    const sampling = segment[6 + index * 3 + 1] ?? 0x11
    const product = (sampling >> 4) * (sampling & 0x0f)
    sampleSum += product
    sampleMax = Math.max(sampleMax, product)
  }
  return { width, height, components, progressive, samplesPerPixel: sampleSum / sampleMax }
}

function isExifSegment(segment: Uint8Array): boolean {
  return [0x45, 0x78, 0x69, 0x66, 0x00, 0x00].every((value, index) => segment[index] === value)
}
