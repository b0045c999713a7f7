import type { QuantizedVector } from '../catalog/quantize'
import { hashBytes } from './vectors'

/**
 * Quantised embeddings of rated items, to recognise a catalog item of the same content under
 * another id. Shards contain no content ids, so the candidate scan compares vectors instead.
 * Items of one content id share one stored embedding and so the same codes, offset and step.
 * Two different contents rarely have identical codes, and are then treated as one.
 */
export class RatedVectors {
  private readonly byHash = new Map<number, QuantizedVector[]>()

  constructor(vectors: readonly QuantizedVector[]) {
    for (const vector of vectors) {
      const hash = hashBytes(vector.codes)
      const bucket = this.byHash.get(hash)
      if (bucket) bucket.push(vector)
      else this.byHash.set(hash, [vector])
    }
  }

  /** Returns whether a vector with these codes, offset and step was rated. */
  has(codes: Uint8Array, offset: number, step: number): boolean {
    const bucket = this.byHash.get(hashBytes(codes))
    if (!bucket) return false
    return bucket.some(
      (rated) =>
        Math.fround(rated.offset) === Math.fround(offset) &&
        Math.fround(rated.step) === Math.fround(step) &&
        sameBytes(rated.codes, codes),
    )
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}
