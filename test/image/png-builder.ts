import { zlibSync } from 'fflate'

const CRC_TABLE = Array.from({ length: 256 }, (_, byte) => {
  let crc = byte
  for (let bit = 0; bit < 8; bit++) {
    crc = crc & 1 ? 0xedb88320 ^ (crc >>> 1) : crc >>> 1
  }
  return crc >>> 0
})

function crc32(bytes: Uint8Array): number {
  let crc = 0xffffffff
  for (const byte of bytes) {
    crc = (CRC_TABLE[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8)
  }
  return (crc ^ 0xffffffff) >>> 0
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(12 + data.length)
  const view = new DataView(bytes.buffer)
  view.setUint32(0, data.length)
  bytes.set(
    Array.from(type, (char) => char.charCodeAt(0)),
    4,
  )
  bytes.set(data, 8)
  view.setUint32(8 + data.length, crc32(bytes.subarray(4, 8 + data.length)))
  return bytes
}

/**
 * Builds an 8-bit RGB PNG whose IDAT contains `raw` (filter bytes included), compressed with
 * zlib. `extraChunks` (type and data) go between IHDR and IDAT.
 */
export function buildPng(
  width: number,
  height: number,
  raw: Uint8Array,
  extraChunks: [string, Uint8Array][] = [],
): Uint8Array {
  const header = new Uint8Array(13)
  const view = new DataView(header.buffer)
  view.setUint32(0, width)
  view.setUint32(4, height)
  header.set([8, 2, 0, 0, 0], 8)
  const parts = [
    new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    ...extraChunks.map(([type, data]) => chunk(type, data)),
    chunk('IDAT', zlibSync(raw, { level: 6 })),
    chunk('IEND', new Uint8Array(0)),
  ]
  const file = new Uint8Array(parts.reduce((total, part) => total + part.length, 0))
  let offset = 0
  for (const part of parts) {
    file.set(part, offset)
    offset += part.length
  }
  return file
}

/** Builds an RGB PNG of an image, with filter type 0 on every row. */
export function encodeRgbPng(
  image: { width: number; height: number; data: Uint8Array },
  extraChunks: [string, Uint8Array][] = [],
): Uint8Array {
  const stride = image.width * 3
  const raw = new Uint8Array((stride + 1) * image.height)
  for (let y = 0; y < image.height; y++) {
    raw.set(image.data.subarray(y * stride, (y + 1) * stride), y * (stride + 1) + 1)
  }
  return buildPng(image.width, image.height, raw, extraChunks)
}

/** Builds the payload of an eXIf chunk: a big-endian TIFF header with one Orientation entry. */
export function exifWithOrientation(orientation: number): Uint8Array {
  const bytes = new Uint8Array(26)
  const view = new DataView(bytes.buffer)
  bytes.set([0x4d, 0x4d, 0x00, 0x2a])
  view.setUint32(4, 8)
  view.setUint16(8, 1)
  view.setUint16(10, 0x0112)
  view.setUint16(12, 3)
  view.setUint32(14, 1)
  view.setUint16(18, orientation)
  view.setUint32(22, 0)
  return bytes
}
