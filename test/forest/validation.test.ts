import { describe, expect, it } from 'vitest'

import { FeatureForestError } from '../../src/errors'
import { DEFAULT_FOREST_OPTIONS, trainForest, type ForestOptions } from '../../src/forest'

function trainingError(features: unknown[], labels: unknown[]): FeatureForestError {
  try {
    trainForest({ features, labels } as never, { nEstimators: 2 })
  } catch (error) {
    return error as FeatureForestError
  }
  throw new Error('trainForest accepted the examples')
}

describe('training input checks', () => {
  const cases: [string, unknown[], unknown[], RegExp][] = [
    ['empty data', [], [], /the training set is empty/],
    [
      'a NaN',
      [
        [1, 2],
        [3, NaN],
      ],
      ['a', 'b'],
      /training row 1 has an invalid value NaN at feature 1/,
    ],
    [
      'an infinity',
      [[Infinity, 2]],
      ['a'],
      /training row 0 has an invalid value Infinity at feature 0/,
    ],
    [
      'a ragged row',
      [
        [1, 2],
        [3, 4, 5],
      ],
      ['a', 'b'],
      /training row 1 has 3 features, expected 2/,
    ],
    ['an empty row', [[]], ['a'], /training row 0 has no features/],
    ['a missing row', [[1], undefined], ['a', 'b'], /training row 1 is missing/],
    ['a string value', [['1']], ['a'], /invalid value 1 at feature 0/],
    ['fewer labels', [[1], [2]], ['a'], /2 feature rows but 1 labels/],
    ['a numeric label', [[1]], [7], /label 7 of type number; labels must be strings/],
  ]

  for (const [name, features, labels, message] of cases) {
    it(`rejects ${name}`, () => {
      const error = trainingError(features, labels)

      expect(error).toBeInstanceOf(FeatureForestError)
      expect(error.code).toBe('invalid_request')
      expect(error.message).toMatch(message)
    })
  }

  it('accepts Float32Array rows', () => {
    const forest = trainForest({ features: [Float32Array.of(1, 2)], labels: ['a'] })

    expect(forest.featureCount).toBe(2)
  })
})

describe('prediction input checks', () => {
  const forest = trainForest(
    {
      features: [
        [1, 2],
        [3, 4],
      ],
      labels: ['a', 'b'],
    },
    { nEstimators: 2 },
  )

  it('rejects a row of the wrong length', () => {
    expect(() => forest.predict([[1, 2, 3]])).toThrow(FeatureForestError)
    expect(() => forest.predict([[1, 2, 3]])).toThrow(
      /row 0 has 3 features, but the forest was trained on 2/,
    )
  })

  it('rejects a NaN feature', () => {
    expect(() => forest.predict([[1, NaN]])).toThrow(FeatureForestError)
    expect(() => forest.predict([[1, NaN]])).toThrow(/row 0 has an invalid value NaN at feature 1/)
  })

  it('rejects infinity in tree votes', () => {
    expect(() =>
      forest.treeVotes([
        [1, 2],
        [Infinity, 2],
      ]),
    ).toThrow(FeatureForestError)
    expect(() => forest.predict([[-Infinity, 2]], { voting: 'hard' })).toThrow(
      /row 0 has an invalid value -Infinity at feature 0/,
    )
  })

  it('rejects an unknown voting', () => {
    expect(() => forest.predict([[1, 2]], { voting: 'median' as never })).toThrow(RangeError)
  })
})

describe('forest option checks', () => {
  const data = { features: [[1], [2]], labels: ['a', 'b'] }
  const cases: [Partial<ForestOptions>, ErrorConstructor, RegExp][] = [
    [{ nEstimators: 0 }, RangeError, /nEstimators must be between 1 and 100000, got 0/],
    [{ nEstimators: 2.5 }, TypeError, /nEstimators must be an integer, got 2.5/],
    [
      { maxFeatures: 0.5 },
      RangeError,
      /maxFeatures must be 'sqrt', 'log2', 'all' or an integer ≥ 1, got 0.5/,
    ],
    [{ criterion: 'mse' as never }, TypeError, /criterion must be 'gini' or 'entropy', got 'mse'/],
    [{ maxDepth: -1 }, RangeError, /maxDepth must be between 0 and 10000, got -1/],
    [{ minSamplesLeaf: 0 }, RangeError, /minSamplesLeaf must be between 1/],
    [{ maxBins: 65_537 }, RangeError, /maxBins must be between 2 and 65536, got 65537/],
    [{ seed: -1 }, RangeError, /seed must be between 0 and 4294967295, got -1/],
    [
      { classWeight: { a: 0 } },
      RangeError,
      /classWeight\["a"\] must be a positive finite number, got 0/,
    ],
    [{ classWeight: 'even' as never }, TypeError, /classWeight must be null, 'balanced' or a map/],
    [
      { rebuildAfterGrowth: -0.5 },
      RangeError,
      /rebuildAfterGrowth must be a number ≥ 0 or Infinity, got -0.5/,
    ],
    [{ bootstrap: 'yes' as never }, TypeError, /bootstrap must be a boolean, got 'yes'/],
  ]

  for (const [options, kind, message] of cases) {
    it(`rejects ${JSON.stringify(options)}`, () => {
      expect(() => trainForest(data, options)).toThrow(kind)
      expect(() => trainForest(data, options)).toThrow(message)
    })
  }

  it('documents 100 trees and √d features by default', () => {
    expect(DEFAULT_FOREST_OPTIONS.nEstimators).toBe(100)
    expect(DEFAULT_FOREST_OPTIONS.maxFeatures).toBe('sqrt')
    expect(trainForest(data).trees.length).toBe(100)
  })
})
