import { describe, expect, it } from 'vitest'

import { decodeShard, encodeShard, type CatalogShard } from '../../src/catalog/shard-codec'

function sampleShard(): CatalogShard {
  return {
    dimensions: 3,
    ids: ['a', '', 'ü-item'],
    offsets: Float32Array.from([0, 0, -1.5]),
    steps: Float32Array.from([0.5, 0, 0.25]),
    codes: Uint8Array.from([1, 2, 3, 0, 0, 0, 255, 128, 7]),
  }
}

describe('shard codec', () => {
  it('round-trips ids, scales and codes', () => {
    const shard = sampleShard()

    const decoded = decodeShard(encodeShard(shard))

    expect(decoded.dimensions).toBe(3)
    expect(decoded.ids).toEqual(shard.ids)
    expect(Array.from(decoded.offsets)).toEqual(Array.from(shard.offsets))
    expect(Array.from(decoded.steps)).toEqual(Array.from(shard.steps))
    expect(Array.from(decoded.codes)).toEqual(Array.from(shard.codes))
  })

  it('rejects bytes without the header', () => {
    expect(() => decodeShard(new ArrayBuffer(32))).toThrow('FFCS')
  })

  it('rejects a truncated shard', () => {
    const bytes = encodeShard(sampleShard())

    expect(() => decodeShard(bytes.slice(0, bytes.byteLength - 1))).toThrow('expected')
  })

  it('rejects codes of the wrong length', () => {
    const shard = { ...sampleShard(), codes: new Uint8Array(8) }

    expect(() => encodeShard(shard)).toThrow(RangeError)
  })
})
