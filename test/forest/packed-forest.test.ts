import { describe, expect, it } from 'vitest'

import {
  DEFAULT_FOREST_OPTIONS,
  deserializeForest,
  ForestTrainer,
  RandomForest,
  serializeForest,
  trainForest,
} from '../../src/forest'
import type { FeatureRow } from '../../src/forest'
import { DecisionTree } from '../../src/forest/tree'
import { makeClusters, splitSet } from './synthetic-data'

const set = makeClusters({
  classes: 3,
  examples: 600,
  features: 40,
  informative: 6,
  separation: 0.8,
  seed: 31,
})
const [train, test] = splitSet(set, 300)
const forest = trainForest(train, { nEstimators: 30, seed: 9 })

/** Returns the probabilities of `rows` from one tree walk at a time, summed as the forest sums them. */
function probabilitiesByTreeWalk(model: RandomForest, rows: readonly FeatureRow[]): number[][] {
  const k = model.classes.length
  return rows.map((row) => {
    const totals = new Float64Array(k)
    for (const tree of model.trees) {
      const leaf = tree.findLeaf(row)
      const probabilities = tree.nodeProbabilities()
      for (let c = 0; c < k; c++) totals[c]! += probabilities[leaf * k + c]!
    }
    const sum = totals.reduce((total, value) => total + value, 0)
    return Array.from(totals, (value) => value / sum)
  })
}

function expectIdentical(actual: Float64Array[], expected: number[][]): void {
  expect(actual.length).toBe(expected.length)
  actual.forEach((probabilities, r) => {
    expect(Array.from(probabilities)).toEqual(expected[r])
  })
}

describe('packed prediction', () => {
  it('equals the tree walk for float32 rows', () => {
    expectIdentical(
      forest.predictProbabilities(test.features),
      probabilitiesByTreeWalk(forest, test.features),
    )
  })

  it('equals the tree walk for float64 rows', () => {
    // Offsets of 1e-9 make values that no float32 can hold, between the float32 training values.
    const rows = test.features.map((row) => Float64Array.from(row, (value, j) => value + 1e-9 * j))
    const plain = rows.map((row) => Array.from(row))

    expectIdentical(forest.predictProbabilities(rows), probabilitiesByTreeWalk(forest, rows))
    expectIdentical(forest.predictProbabilities(plain), probabilitiesByTreeWalk(forest, plain))
  })

  it('sends values equal to a threshold left', () => {
    const rows = forest.trees.map((tree, t) => {
      const row = Array.from(test.features[t]!)
      row[tree.feature[0]!] = tree.threshold[0]!
      return row
    })

    expectIdentical(forest.predictProbabilities(rows), probabilitiesByTreeWalk(forest, rows))
  })

  it('gives the most probable class of each tree as its vote', () => {
    const k = forest.classes.length

    const votes = forest.treeVotes(test.features)

    test.features.forEach((row, r) => {
      forest.trees.forEach((tree, t) => {
        const leaf = tree.findLeaf(row)
        const probabilities = Array.from(
          tree.nodeProbabilities().subarray(leaf * k, (leaf + 1) * k),
        )
        expect(votes[r]![t]).toBe(probabilities.indexOf(Math.max(...probabilities)))
      })
    })
  })

  it('sends every row right at a NaN threshold', () => {
    const tree = new DecisionTree(2)
    tree.setClassWeights(tree.addLeaf(), [1, 1])
    const left = tree.split(0, 0, NaN, 0)
    tree.setClassWeights(left, [1, 0])
    tree.setClassWeights(left + 1, [0, 1])
    const training = { examplesSeen: 0, examplesAtBuild: 0, classWeights: Float64Array.of(1, 1) }
    const model = new RandomForest(
      ['left', 'right'],
      1,
      [tree],
      { ...DEFAULT_FOREST_OPTIONS },
      { backboneModelId: '', featureKind: '' },
      training,
    )

    expect(model.predict([[-1e300], [0], [1e300]])).toEqual(['right', 'right', 'right'])
    expect(tree.findLeaf([0])).toBe(left + 1)
  })

  it('follows trees changed by incremental updates', () => {
    const trainer = ForestTrainer.build(
      { features: train.features.slice(0, 100), labels: train.labels.slice(0, 100) },
      { nEstimators: 20, rebuildAfterGrowth: Infinity },
    )
    const before = trainer.forest.predictProbabilities(test.features)

    for (let i = 100; i < 130; i++) {
      expect(trainer.addExample(train.features[i]!, train.labels[i]!)).toBe('incremental')
    }
    const after = trainer.forest.predictProbabilities(test.features)

    const fresh = deserializeForest(serializeForest(trainer.forest))
    expectIdentical(
      after,
      fresh.predictProbabilities(test.features).map((row) => Array.from(row)),
    )
    expectIdentical(after, probabilitiesByTreeWalk(trainer.forest, test.features))
    const changed = after.filter((row, r) => row.some((p, c) => p !== before[r]![c]))
    expect(changed.length).toBeGreaterThan(0)
  })
})
