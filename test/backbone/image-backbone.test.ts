import { describe, expect, it } from 'vitest'

import { getImageBackbone, INPUT_SIZE } from '../../src/backbone/image-backbone'
import reference from './reference.json'

/** Builds a deterministic input: a diagonal gradient per channel, roughly in the normalised range. */
function gradientInput(): Float32Array {
  const plane = INPUT_SIZE * INPUT_SIZE
  const input = new Float32Array(3 * plane)
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < plane; i++) {
      const x = i % INPUT_SIZE
      const y = Math.floor(i / INPUT_SIZE)
      input[c * plane + i] = ((x + y + 50 * c) % INPUT_SIZE) / INPUT_SIZE - 0.5
    }
  }
  return input
}

describe('ImageBackbone', () => {
  it('returns 1000 probabilities summing to 1 and a 1280-D embedding', async () => {
    const backbone = await getImageBackbone()

    const { probabilities, embedding } = await backbone.infer(gradientInput())

    expect(probabilities).toHaveLength(1000)
    expect(probabilities.reduce((sum, p) => sum + p, 0)).toBeCloseTo(1, 5)
    expect(embedding).toHaveLength(1280)
    expect(Math.min(...embedding)).toBeGreaterThanOrEqual(0)
  })

  it('gives the same result for concurrent runs', async () => {
    const backbone = await getImageBackbone()
    const input = gradientInput()

    const results = await Promise.all([1, 2, 3].map(() => backbone.infer(input)))

    expect(results[1]!.embedding).toEqual(results[0]!.embedding)
    expect(results[2]!.probabilities).toEqual(results[0]!.probabilities)
  })

  it('rejects an input of the wrong length', async () => {
    const backbone = await getImageBackbone()

    await expect(backbone.infer(new Float32Array(10))).rejects.toThrow(/expected 150528/)
  })
})

describe('ImageBackbone against onnxruntime-node', () => {
  it('matches the native CPU outputs within 1e-4', async () => {
    const backbone = await getImageBackbone()

    const { probabilities, embedding } = await backbone.infer(gradientInput())

    const sampled = (values: Float32Array) =>
      Array.from(values).filter((_, i) => i % reference.stride === 0)
    const maxDifference = (actual: number[], expected: number[]) =>
      Math.max(...actual.map((value, i) => Math.abs(value - (expected[i] as number))))
    expect(probabilities.indexOf(Math.max(...probabilities))).toBe(reference.top1)
    expect(maxDifference(sampled(probabilities), reference.probabilities)).toBeLessThan(1e-4)
    expect(maxDifference(sampled(embedding), reference.embedding)).toBeLessThan(1e-4)
  })
})
