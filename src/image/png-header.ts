import { Unzlib } from 'fflate'

import { FeatureForestError } from '../errors'

/** Facts from the PNG chunks, read without decoding pixels. */
export interface PngHeader {
  width: number
  height: number
  bitDepth: number
  colorType: number
  interlaced: boolean
  /** Exact size of the inflated image data (filter bytes included), in bytes. */
  rawBytes: number
  exif: Uint8Array | undefined
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]
const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }
const BIT_DEPTHS: Record<number, number[]> = {
  0: [1, 2, 4, 8, 16],
  2: [8, 16],
  3: [1, 2, 4, 8],
  4: [8, 16],
  6: [8, 16],
}
/** Adam7 passes as [x start, y start, x step, y step]. */
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const
/** Largest inflated iCCP profile accepted; real profiles are far smaller. */
const MAX_ICC_PROFILE_BYTES = 4 * 2 ** 20

export function corruptPng(reason: string): FeatureForestError {
  return new FeatureForestError('corrupt_image', `corrupt PNG: ${reason}`)
}

/** Reads IHDR and the eXIf chunk, and checks the chunk layout up to IEND. */
export function readPngHeader(bytes: Uint8Array): PngHeader {
  if (!SIGNATURE.every((value, index) => bytes[index] === value)) {
    throw corruptPng('the 8-byte PNG signature is damaged')
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (bytes.length < 33 || chunkType(bytes, 12) !== 'IHDR' || view.getUint32(8) !== 13) {
    throw corruptPng('the first chunk is not a 13-byte IHDR')
  }
  const width = view.getUint32(16)
  const height = view.getUint32(20)
  const bitDepth = bytes[24] ?? 0
  const colorType = bytes[25] ?? 0
  if (!BIT_DEPTHS[colorType]?.includes(bitDepth)) {
    throw corruptPng(`invalid bit depth ${bitDepth} for colour type ${colorType}`)
  }
  const interlaced = bytes[28] === 1
  const bitsPerPixel = bitDepth * (CHANNELS[colorType] ?? 1)
  return {
    width,
    height,
    bitDepth,
    colorType,
    interlaced,
    rawBytes: rawImageBytes(width, height, bitsPerPixel, interlaced),
    exif: findChunk(bytes, 'eXIf'),
  }
}

function chunkType(bytes: Uint8Array, offset: number): string {
  return String.fromCharCode(...bytes.subarray(offset, offset + 4))
}

function rawImageBytes(width: number, height: number, bitsPerPixel: number, interlaced: boolean) {
  const rowBytes = (columns: number) =>
    columns === 0 ? 0 : 1 + Math.ceil((columns * bitsPerPixel) / 8)
  if (!interlaced) {
    return height * rowBytes(width)
  }
  let total = 0
  for (const [x0, y0, dx, dy] of ADAM7) {
    const columns = Math.ceil(Math.max(0, width - x0) / dx)
    const rows = Math.ceil(Math.max(0, height - y0) / dy)
    total += columns === 0 ? 0 : rows * rowBytes(columns)
  }
  return total
}

function findChunk(bytes: Uint8Array, type: string): Uint8Array | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  for (let offset = 8; offset + 12 <= bytes.length;) {
    const length = view.getUint32(offset)
    const name = chunkType(bytes, offset + 4)
    if (name === type) {
      return bytes.subarray(offset + 8, Math.min(offset + 8 + length, bytes.length))
    }
    if (name === 'IDAT' || name === 'IEND') {
      return undefined
    }
    offset += 12 + length
  }
  return undefined
}

/**
 * Inflates the IDAT stream and any iCCP profile once without keeping the output, and rejects the
 * file when either inflates past its expected size. This bounds zlib bombs before fast-png, which
 * keeps all inflated data in memory, decodes the file. Text chunks are never inflated: fast-png
 * skips zTXt and iTXt.
 */
export function checkPngCompressedSizes(bytes: Uint8Array, header: PngHeader): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let inflated = 0
  const image = new Unzlib((chunk) => {
    inflated += chunk.length
    if (inflated > header.rawBytes) {
      throw corruptPng(
        `the image data inflates past ${header.rawBytes} bytes, the size its header gives`,
      )
    }
  })
  let sawImageData = false

  for (let offset = 8; offset + 12 <= bytes.length;) {
    const length = view.getUint32(offset)
    const name = chunkType(bytes, offset + 4)
    const data = bytes.subarray(offset + 8, Math.min(offset + 8 + length, bytes.length))
    if (name === 'IDAT') {
      sawImageData = true
      image.push(data, false)
    } else if (name === 'iCCP') {
      checkIccProfile(data)
    } else if (name === 'IEND') {
      break
    }
    offset += 12 + length
  }
  if (!sawImageData) {
    throw corruptPng('there is no IDAT chunk')
  }
}

function checkIccProfile(data: Uint8Array): void {
  const nameEnd = data.indexOf(0)
  let inflated = 0
  const profile = new Unzlib((chunk) => {
    inflated += chunk.length
    if (inflated > MAX_ICC_PROFILE_BYTES) {
      throw corruptPng(`the iCCP profile inflates past ${MAX_ICC_PROFILE_BYTES} bytes`)
    }
  })
  profile.push(data.subarray(nameEnd + 2), true)
}
