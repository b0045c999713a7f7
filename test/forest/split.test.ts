import { describe, expect, it } from 'vitest'

import { SeededRandom } from '../../src/forest/random'
import { SplitSearch, type SplitInput } from '../../src/forest/split'
import type { SplitCriterion } from '../../src/forest/options'

/** Returns one binned feature with labels and bootstrap counts, drawn from `seed`. */
function makeInput(seed: number, classCount: number, examples: number, bins: number): SplitInput {
  const random = new SeededRandom(seed)
  const column = Uint16Array.from({ length: examples }, () => random.nextInt(bins))
  // Labels follow the bin loosely, so some runs of bins contain one class only.
  const labels = Uint16Array.from(column, (bin) =>
    random.nextInt(4) === 0 ? random.nextInt(classCount) : Math.floor((bin * classCount) / bins),
  )
  return {
    columns: [column],
    edges: [Float64Array.from({ length: bins - 1 }, (_, b) => b + 0.5)],
    labels,
    bootstrapCounts: Uint8Array.from(column, () => 1 + random.nextInt(3)),
    classWeights: Float64Array.from({ length: classCount }, (_, c) => 1 + c / 2),
  }
}

/** Returns the best score and the examples sent left, trying every threshold by brute force. */
function bruteForceBest(
  input: SplitInput,
  classCount: number,
  criterion: SplitCriterion,
  minSamplesLeaf: number,
): { score: number; leftCount: number } {
  const column = input.columns[0]!
  const weightOf = (i: number): number =>
    input.bootstrapCounts[i]! * input.classWeights[input.labels[i]!]!
  const score = (side: number[]): number => {
    const weights = new Float64Array(classCount)
    for (const i of side) weights[input.labels[i]!]! += weightOf(i)
    const total = weights.reduce((sum, weight) => sum + weight, 0)
    if (criterion === 'gini') return weights.reduce((sum, w) => sum + w * w, 0) / total
    return (
      weights.reduce((sum, w) => sum + (w > 0 ? w * Math.log(w) : 0), 0) - total * Math.log(total)
    )
  }
  let best = { score: -Infinity, leftCount: 0 }
  for (let threshold = 0; threshold < 255; threshold++) {
    const left: number[] = []
    const right: number[] = []
    column.forEach((bin, i) => (bin <= threshold ? left : right).push(i))
    if (left.length < minSamplesLeaf || right.length < minSamplesLeaf) continue
    const value = score(left) + score(right)
    if (value > best.score + 1e-9) best = { score: value, leftCount: left.length }
  }
  return best
}

describe('SplitSearch', () => {
  const cases: [string, number, SplitCriterion, number][] = [
    ['two classes, Gini', 2, 'gini', 1],
    ['two classes, Gini, 3 per leaf', 2, 'gini', 3],
    ['two classes, entropy', 2, 'entropy', 1],
    ['four classes, Gini', 4, 'gini', 1],
    ['four classes, entropy', 4, 'entropy', 2],
  ]

  for (const [name, classCount, criterion, minSamplesLeaf] of cases) {
    it(`finds the best split: ${name}`, () => {
      for (let seed = 1; seed <= 20; seed++) {
        const input = makeInput(seed, classCount, 60, 40)
        const indices = Uint32Array.from({ length: 60 }, (_, i) => i)
        const nodeWeights = new Float64Array(classCount)
        input.labels.forEach((label, i) => {
          nodeWeights[label]! += input.bootstrapCounts[i]! * input.classWeights[label]!
        })
        const search = new SplitSearch(classCount, criterion, minSamplesLeaf)
        search.startNode(input, indices, 0, 60)

        const informative = search.evaluateFeature(input, 0, indices, 0, 60, nodeWeights)

        const expected = bruteForceBest(input, classCount, criterion, minSamplesLeaf)
        expect(informative).toBe(true)
        expect(search.bestScore).toBeCloseTo(expected.score, 9)
        expect(search.bestLeftCount).toBe(expected.leftCount)
        const column = input.columns[0]!
        const sentLeft = Array.from(column).filter((bin) => bin <= search.bestBin).length
        expect(sentLeft).toBe(expected.leftCount)
      }
    })
  }

  it('splits inside a one-class run when leaves need 3 examples', () => {
    // The only split that leaves 3 examples on each side falls between two bins of class 0.
    const input: SplitInput = {
      columns: [Uint16Array.of(0, 1, 2, 3, 4, 5)],
      edges: [Float64Array.of(0.5, 1.5, 2.5, 3.5, 4.5)],
      labels: Uint16Array.of(0, 0, 0, 0, 1, 1),
      bootstrapCounts: new Uint8Array(6).fill(1),
      classWeights: Float64Array.of(1, 1),
    }
    const indices = Uint32Array.from({ length: 6 }, (_, i) => i)
    const search = new SplitSearch(2, 'gini', 3)
    search.startNode(input, indices, 0, 6)

    search.evaluateFeature(input, 0, indices, 0, 6, Float64Array.of(4, 2))

    expect(search.bestFeature).toBe(0)
    expect(search.bestBin).toBe(2)
    expect(search.bestLeftCount).toBe(3)
  })

  it('reports a constant feature', () => {
    const input = makeInput(3, 2, 30, 40)
    const constant = { ...input, columns: [new Uint16Array(30).fill(7)] }
    const indices = Uint32Array.from({ length: 30 }, (_, i) => i)
    const search = new SplitSearch(2, 'gini', 1)
    search.startNode(constant, indices, 0, 30)

    expect(search.evaluateFeature(constant, 0, indices, 0, 30, Float64Array.of(10, 10))).toBe(false)
    expect(search.bestFeature).toBe(-1)
  })
})
