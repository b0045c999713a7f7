/**
 * Binary encoding of one catalog shard: the quantised vectors of up to SHARD_CAPACITY items and
 * their ids, by slot.
 *
 * Layout, little-endian:
 *   bytes 0-3    magic "FFCS"
 *   byte  4      format version (1)
 *   bytes 5-7    reserved, 0
 *   bytes 8-11   dimensions d
 *   bytes 12-15  slot count n
 *   bytes 16-19  byte length of the ids section
 *   then n float32 offsets, n float32 steps, n × d uint8 codes (slot-major),
 *   then the ids as a UTF-8 JSON array of n strings, "" for a deleted slot.
 */
const MAGIC = [0x46, 0x46, 0x43, 0x53]
const VERSION = 1
const HEADER_BYTES = 20

/** Decoded shard. Slot i has codes[i·d .. (i+1)·d), offsets[i], steps[i] and ids[i]. */
export interface CatalogShard {
  dimensions: number
  ids: string[]
  offsets: Float32Array
  steps: Float32Array
  codes: Uint8Array
}

/** Encodes a shard into one buffer. */
export function encodeShard(shard: CatalogShard): ArrayBuffer {
  const count = shard.ids.length
  const { dimensions } = shard
  if (shard.offsets.length !== count || shard.steps.length !== count) {
    throw new RangeError(`shard has ${count} ids but ${shard.offsets.length} offsets`)
  }
  if (shard.codes.length !== count * dimensions) {
    throw new RangeError(
      `shard codes hold ${shard.codes.length} values, expected ${count} × ${dimensions}`,
    )
  }
  const ids = new TextEncoder().encode(JSON.stringify(shard.ids))
  const codesStart = HEADER_BYTES + 8 * count
  const buffer = new ArrayBuffer(codesStart + count * dimensions + ids.length)
  const view = new DataView(buffer)
  MAGIC.forEach((byte, i) => view.setUint8(i, byte))
  view.setUint8(4, VERSION)
  view.setUint32(8, dimensions, true)
  view.setUint32(12, count, true)
  view.setUint32(16, ids.length, true)
  for (let i = 0; i < count; i++) {
    view.setFloat32(HEADER_BYTES + 4 * i, shard.offsets[i]!, true)
    view.setFloat32(HEADER_BYTES + 4 * (count + i), shard.steps[i]!, true)
  }
  const bytes = new Uint8Array(buffer)
  bytes.set(shard.codes, codesStart)
  bytes.set(ids, codesStart + count * dimensions)
  return buffer
}

/** Decodes a buffer written by `encodeShard`; throws when it is not one. */
export function decodeShard(buffer: ArrayBuffer): CatalogShard {
  const view = new DataView(buffer)
  if (buffer.byteLength < HEADER_BYTES || MAGIC.some((byte, i) => view.getUint8(i) !== byte)) {
    throw new Error('stored catalog shard has no FFCS header')
  }
  const version = view.getUint8(4)
  if (version !== VERSION) {
    throw new Error(
      `stored catalog shard uses format version ${version}; this build reads ${VERSION}`,
    )
  }
  const dimensions = view.getUint32(8, true)
  const count = view.getUint32(12, true)
  const idsBytes = view.getUint32(16, true)
  const codesStart = HEADER_BYTES + 8 * count
  const expected = codesStart + count * dimensions + idsBytes
  if (buffer.byteLength !== expected) {
    throw new Error(`stored catalog shard holds ${buffer.byteLength} bytes, expected ${expected}`)
  }
  const offsets = new Float32Array(count)
  const steps = new Float32Array(count)
  for (let i = 0; i < count; i++) {
    offsets[i] = view.getFloat32(HEADER_BYTES + 4 * i, true)
    steps[i] = view.getFloat32(HEADER_BYTES + 4 * (count + i), true)
  }
  const codes = new Uint8Array(buffer, codesStart, count * dimensions)
  const idsText = new TextDecoder().decode(
    new Uint8Array(buffer, codesStart + count * dimensions, idsBytes),
  )
  const ids = JSON.parse(idsText) as string[]
  if (!Array.isArray(ids) || ids.length !== count) {
    throw new Error(`stored catalog shard lists ${String(ids?.length)} ids for ${count} slots`)
  }
  return { dimensions, ids, offsets, steps, codes }
}
