/**
 * Binary encoding of a list of float32 vectors, used for stored feature vectors.
 *
 * Layout, little-endian:
 *   bytes 0-3   magic "FFVC"
 *   byte  4     format version (1)
 *   byte  5     vector count n (1 to 255)
 *   bytes 6-7   reserved, 0
 *   then n × uint32: the length of each vector
 *   then the float32 values of every vector, one after the other
 * The header is a multiple of 4 bytes, so the values can be viewed without copying.
 */
const MAGIC = [0x46, 0x46, 0x56, 0x43]
const VERSION = 1
const FIXED_HEADER_BYTES = 8

/** Encodes vectors into one buffer. */
export function encodeVectors(vectors: readonly Float32Array[]): ArrayBuffer {
  if (vectors.length < 1 || vectors.length > 255) {
    throw new RangeError(`vectors must hold 1 to 255 vectors, got ${vectors.length}`)
  }
  const headerBytes = FIXED_HEADER_BYTES + 4 * vectors.length
  const valueCount = vectors.reduce((total, vector) => total + vector.length, 0)
  const buffer = new ArrayBuffer(headerBytes + 4 * valueCount)
  const view = new DataView(buffer)

  MAGIC.forEach((byte, i) => view.setUint8(i, byte))
  view.setUint8(4, VERSION)
  view.setUint8(5, vectors.length)
  let offset = headerBytes
  vectors.forEach((vector, i) => {
    view.setUint32(FIXED_HEADER_BYTES + 4 * i, vector.length, true)
    for (const value of vector) {
      view.setFloat32(offset, value, true)
      offset += 4
    }
  })
  return buffer
}

/** Decodes a buffer written by `encodeVectors`; throws when it is not one. */
export function decodeVectors(buffer: ArrayBuffer): Float32Array[] {
  const view = new DataView(buffer)
  if (
    buffer.byteLength < FIXED_HEADER_BYTES ||
    MAGIC.some((byte, i) => view.getUint8(i) !== byte)
  ) {
    throw new Error('stored vectors have no FFVC header')
  }
  const version = view.getUint8(4)
  if (version !== VERSION) {
    throw new Error(`stored vectors use format version ${version}; this build reads ${VERSION}`)
  }
  const count = view.getUint8(5)
  const headerBytes = FIXED_HEADER_BYTES + 4 * count
  const lengths = Array.from({ length: count }, (_, i) =>
    view.getUint32(FIXED_HEADER_BYTES + 4 * i, true),
  )
  const expectedBytes = headerBytes + 4 * lengths.reduce((total, length) => total + length, 0)
  if (buffer.byteLength !== expectedBytes) {
    throw new Error(`stored vectors hold ${buffer.byteLength} bytes, expected ${expectedBytes}`)
  }

  let offset = headerBytes
  return lengths.map((length) => {
    const vector = new Float32Array(length)
    for (let i = 0; i < length; i++) {
      vector[i] = view.getFloat32(offset, true)
      offset += 4
    }
    return vector
  })
}
