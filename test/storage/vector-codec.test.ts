import { describe, expect, it } from 'vitest'

import { decodeVectors, encodeVectors } from '../../src/storage/vector-codec'

describe('vector codec', () => {
  it('round-trips vectors bit for bit', () => {
    const vectors = [Float32Array.from([0.1, -2.5, 3e-8]), Float32Array.from([1, 2, 3, 4, 5])]

    const decoded = decodeVectors(encodeVectors(vectors))

    expect(decoded).toEqual(vectors)
  })

  it('uses 4 bytes a value plus the header', () => {
    const buffer = encodeVectors([new Float32Array(1000), new Float32Array(1280)])

    expect(buffer.byteLength).toBe(8 + 2 * 4 + 4 * 2280)
  })

  it('rejects bytes without the header', () => {
    expect(() => decodeVectors(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]).buffer)).toThrow(
      /no FFVC header/,
    )
  })

  it('rejects an unknown format version', () => {
    const buffer = encodeVectors([new Float32Array(2)])
    new DataView(buffer).setUint8(4, 9)

    expect(() => decodeVectors(buffer)).toThrow(/format version 9/)
  })

  it('rejects truncated bytes', () => {
    const buffer = encodeVectors([new Float32Array(4)])

    expect(() => decodeVectors(buffer.slice(0, buffer.byteLength - 4))).toThrow(/expected 28/)
  })
})
