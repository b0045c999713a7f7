import { describe, expect, it } from 'vitest'

import { FeatureForestError } from '../../src/errors'
import {
  deserializeForest,
  FOREST_FORMAT_VERSION,
  ForestTrainer,
  serializeForest,
  trainForest,
} from '../../src/forest'
import { makeClusters, splitSet } from './synthetic-data'

const set = makeClusters({
  classes: 3,
  examples: 400,
  features: 30,
  informative: 5,
  separation: 1,
  seed: 21,
})
const [train, test] = splitSet(set, 200)
const metadata = { backboneModelId: 'mobilenet_v2-1.0-224', featureKind: 'embedding' }

function expectSamePredictions(
  actual: ReturnType<typeof trainForest>,
  expected: ReturnType<typeof trainForest>,
): void {
  const actualProbabilities = actual.predictProbabilities(test.features)
  const expectedProbabilities = expected.predictProbabilities(test.features)
  expectedProbabilities.forEach((probabilities, r) => {
    probabilities.forEach((p, c) => expect(Object.is(actualProbabilities[r]![c], p)).toBe(true))
  })
}

describe('serializeForest', () => {
  const forest = trainForest(
    train,
    { nEstimators: 25, classWeight: { 'class-1': 2 }, maxDepth: 12 },
    metadata,
  )
  const bytes = serializeForest(forest)

  it('round-trips bit-identical probabilities', () => {
    const decoded = deserializeForest(bytes)

    expectSamePredictions(decoded, forest)
    expect(decoded.predict(test.features)).toEqual(forest.predict(test.features))
  })

  it('round-trips the header and options', () => {
    const decoded = deserializeForest(bytes)

    expect(decoded.metadata).toEqual(metadata)
    expect(decoded.classes).toEqual(['class-0', 'class-1', 'class-2'])
    expect(decoded.featureCount).toBe(30)
    expect(decoded.trees.length).toBe(25)
    expect(decoded.training.examplesSeen).toBe(200)
    expect(decoded.training.examplesAtBuild).toBe(200)
    expect(Array.from(decoded.training.classWeights)).toEqual([1, 2, 1])
    expect(decoded.options).toEqual(forest.options)
  })

  it('round-trips feature importances', () => {
    expect(deserializeForest(bytes).featureImportances()).toEqual(forest.featureImportances())
  })

  it('encodes the same forest to the same bytes', () => {
    expect(serializeForest(deserializeForest(bytes))).toEqual(bytes)
  })

  it('starts with the magic and the version', () => {
    expect(Array.from(bytes.subarray(0, 4))).toEqual([0x46, 0x46, 0x52, 0x46])
    expect(bytes[4]! + bytes[5]! * 256).toBe(FOREST_FORMAT_VERSION)
  })

  it('round-trips a forest after incremental updates', () => {
    const trainer = ForestTrainer.build(train, { nEstimators: 10, rebuildAfterGrowth: Infinity })
    for (let i = 0; i < 20; i++) trainer.addExample(test.features[i]!, test.labels[i]!)

    const decoded = deserializeForest(serializeForest(trainer.forest))

    expectSamePredictions(decoded, trainer.forest)
    expect(decoded.training.examplesSeen).toBe(220)
  })

  it('round-trips unbounded depth and entropy', () => {
    const entropy = trainForest(train, { nEstimators: 3, criterion: 'entropy', maxFeatures: 7 })

    const decoded = deserializeForest(serializeForest(entropy))

    expect(decoded.options.maxDepth).toBe(Infinity)
    expect(decoded.options.criterion).toBe('entropy')
    expect(decoded.options.maxFeatures).toBe(7)
  })
})

describe('deserializeForest', () => {
  const bytes = serializeForest(trainForest(train, { nEstimators: 5 }, metadata))

  function decodeError(input: Uint8Array): FeatureForestError {
    try {
      deserializeForest(input)
    } catch (error) {
      return error as FeatureForestError
    }
    throw new Error('deserializeForest accepted the bytes')
  }

  it('rejects bad magic', () => {
    const corrupt = bytes.slice()
    corrupt[0] = 0x50

    const error = decodeError(corrupt)

    expect(error).toBeInstanceOf(FeatureForestError)
    expect(error.code).toBe('invalid_request')
    expect(error.message).toMatch(/not the magic 'FFRF'/)
  })

  it('rejects an unknown version', () => {
    const newer = bytes.slice()
    newer[4] = FOREST_FORMAT_VERSION + 1

    expect(decodeError(newer).message).toMatch(
      /format version 2 is not supported; this build reads version 1/,
    )
  })

  it('rejects every truncation', () => {
    for (const length of [0, 3, 5, 20, 100, bytes.length >> 1, bytes.length - 1]) {
      const error = decodeError(bytes.subarray(0, length))

      expect(error).toBeInstanceOf(FeatureForestError)
      expect(error.message).toMatch(/^invalid forest bytes: truncated/)
    }
  })

  it('rejects trailing bytes', () => {
    const longer = new Uint8Array(bytes.length + 2)
    longer.set(bytes)

    expect(decodeError(longer).message).toMatch(/2 unexpected bytes after the last tree/)
  })

  it('rejects a child index out of range', () => {
    const forest = trainForest(train, { nEstimators: 1, bootstrap: false })
    forest.trees[0]!.left[0] = 10_000

    expect(decodeError(serializeForest(forest)).message).toMatch(
      /node 0 of tree 0 has feature \d+ and left child 10000/,
    )
  })
})
