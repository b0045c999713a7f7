import { describe, expect, it } from 'vitest'

import { dequantizeVector, quantizeVector } from '../../src/catalog/quantize'
import { seededRandom } from '../support/catalog'

describe('quantizeVector', () => {
  it('reconstructs every value within half a step', () => {
    const random = seededRandom(1)
    const vector = Float32Array.from({ length: 1280 }, () => random() * 6)

    const { codes, offset, step } = quantizeVector(vector)
    const restored = dequantizeVector(codes, offset, step)

    for (let i = 0; i < vector.length; i++) {
      expect(Math.abs(restored[i]! - vector[i]!)).toBeLessThanOrEqual(step / 2 + 1e-6)
    }
  })

  it('keeps the minimum and maximum', () => {
    const { codes, offset, step } = quantizeVector([-2, 0, 3])

    expect(Array.from(codes)).toEqual([0, 102, 255])
    expect(offset).toBe(-2)
    expect(offset + 255 * step).toBeCloseTo(3, 5)
  })

  it('stores a constant vector exactly', () => {
    const { codes, offset, step } = quantizeVector([1.5, 1.5, 1.5])

    expect(Array.from(dequantizeVector(codes, offset, step))).toEqual([1.5, 1.5, 1.5])
  })
})
