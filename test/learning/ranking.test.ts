import { describe, expect, it } from 'vitest'

import { quantizeVector } from '../../src/catalog/quantize'
import type { ScoringShard } from '../../src/catalog/shard-cache'
import { preselectCandidates } from '../../src/learning/candidates'
import { selectByMarginalRelevance, selectSpread } from '../../src/learning/ranking'
import type { ScoredCandidate } from '../../src/learning/taste-model'
import { norm } from '../../src/learning/vectors'

function candidate(id: string, vector: number[], score: number): ScoredCandidate {
  const values = Float32Array.from(vector)
  return { id, vector: values, norm: norm(values), score }
}

async function* shardsOf(vectors: Record<string, number[]>): AsyncGenerator<ScoringShard> {
  const ids = Object.keys(vectors)
  const dimensions = vectors[ids[0]!]!.length
  const codes = new Uint8Array(ids.length * dimensions)
  const offsets = new Float32Array(ids.length)
  const steps = new Float32Array(ids.length)
  const norms = new Float32Array(ids.length)
  ids.forEach((id, slot) => {
    const quantized = quantizeVector(vectors[id]!)
    codes.set(quantized.codes, slot * dimensions)
    offsets[slot] = quantized.offset
    steps[slot] = quantized.step
    norms[slot] = norm(vectors[id]!)
  })
  yield { shard: 0, version: 1, content: { dimensions, ids, offsets, steps, codes }, norms }
}

describe('selectByMarginalRelevance', () => {
  const candidates = [
    candidate('a1', [1, 0], 0.9),
    candidate('a2', [0.99, 0.01], 0.85),
    candidate('b1', [0, 1], 0.6),
  ]

  it('ranks by score alone with lambda 1', () => {
    const selected = selectByMarginalRelevance(candidates, 2, 1)

    expect(selected.map((c) => c.id)).toEqual(['a1', 'a2'])
  })

  it('prefers a dissimilar item with a low lambda', () => {
    const selected = selectByMarginalRelevance(candidates, 2, 0.5)

    expect(selected.map((c) => c.id)).toEqual(['a1', 'b1'])
  })

  it('returns every candidate when k exceeds them', () => {
    expect(selectByMarginalRelevance(candidates, 10, 0.5)).toHaveLength(3)
  })
})

describe('selectSpread', () => {
  it('takes one item per direction before repeating one', () => {
    const candidates = [
      candidate('x1', [1, 0, 0], 0),
      candidate('x2', [0.95, 0.05, 0], 0),
      candidate('y1', [0, 1, 0], 0),
      candidate('z1', [0, 0, 1], 0),
    ]

    const selected = selectSpread(candidates, 3)

    expect(selected.map((c) => c.id[0]).sort()).toEqual(['x', 'y', 'z'])
    expect(selected[0]!.score).toBe(1)
  })
})

describe('preselectCandidates', () => {
  const vectors = {
    near: [1, 0.1, 0],
    middle: [1, 1, 0],
    far: [0, 0.1, 1],
    rated: [1, 0, 0],
  }

  it('keeps the items most similar to the query', async () => {
    const kept = await preselectCandidates(shardsOf(vectors), {
      query: Float32Array.from([1, 0, 0]),
      excluded: new Set(),
      limit: 2,
    })

    expect(kept.map((c) => c.id)).toEqual(['rated', 'near'])
  })

  it('skips excluded and deleted items', async () => {
    const kept = await preselectCandidates(shardsOf({ ...vectors, '': [1, 0, 0] }), {
      query: Float32Array.from([1, 0, 0]),
      excluded: new Set(['rated']),
      limit: 10,
    })

    expect(kept.map((c) => c.id)).toEqual(['near', 'middle', 'far'])
  })

  it('draws the same sample without a query', async () => {
    const options = { query: null, excluded: new Set<string>(), limit: 2 }

    const first = await preselectCandidates(shardsOf(vectors), options)
    const second = await preselectCandidates(shardsOf(vectors), options)

    expect(first).toHaveLength(2)
    expect(first.map((c) => c.id)).toEqual(second.map((c) => c.id))
  })
})
