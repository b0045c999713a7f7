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

describe('format version 1', () => {
  // Bytes written by format version 1, which stored split bins as uint8 and maxBins as uint16.
  // The forest has 3 trees (seed 11, maxDepth 4, maxBins 255), trained on the 24 rows of 3
  // features below with the labels down, flat and up.
  const VERSION_1_BYTES =
    'RkZSRgEACgAAAHRlc3QtbW9kZWwJAAAAZW1iZWRkaW5nAwAAAAMAAAAEAAAAZG93bgQAAABmbGF0AgAAAHVwAwAAABgAAAAYAAAAAAAAAAAA8D8AAAAAAADwPwAAAAAAAPA/AwAAAAAAAAAAAAAAAAAAABBAAQAAAAEEAAAAbnVsbP8ACwAAAAAAAAAAANA/BwAAAAEAytJLrjY7678IAQAAAAAAAEEAAABAAABQQQAAAAAAQQAAAAAAAAAAAwCycn6u0OfevwkDAAAAAAAAAAAAAEAAAFBBAwByvspmkdjgvwYFAAAAAAAAAAAAAEAAAIA/AAAAAAAAAAAAAAAAQEEAAAAAAAAAAAAAAACAPwAAAAAAAAAAAEAAAAAABwAAAAEACECSpFQYyz8LAQAAAAAAwEAAAABAAADgQAMA3xA4Ikas7b8EAwAAAAAAwEAAAABAAAAAAAAAAAAAAAAAAAAAAOBAAAAAAKBAAAAAAAAAAAADAGSOaniescQ/DAUAAAAAAIA/AAAAQAAAAAAAAAAAAAAAAABAAAAAAAAAAACAPwAAAAAAAAAADQAAAAIAAAAAAAAAwD8AAQAAAAAAEEEAAEBAAAAgQQAAAAAAAAAAAAAAAMBAAQDuFibv8zCLvwoDAAAAAAAQQQAAQEAAAIBAAQDK0kuuNjvrvwgFAAAAAAAQQQAAgD8AAAAAAgAAAAAAAADsPwMJAAAAAAAAAAAAAEAAAIBAAAAAAOBAAAAAAAAAAAADAN8QOCJGrO2/BAcAAAAAAABAAACAPwAAAAAAAAAAAEAAAAAAAAAAAAAAAAAAAAAAgD8AAAAAAwDfEDgiRqztvwQLAAAAAAAAAAAAAEAAAABAAAAAAAAAAAAAAAAAAEAAAAAAAAAAAAAAAACAPwAAAAAAAAAAAEAAAIA/'
  const bytes = Uint8Array.from(atob(VERSION_1_BYTES), (character) => character.charCodeAt(0))

  it('decodes the header, options and trees', () => {
    const forest = deserializeForest(bytes)

    expect(bytes[4]).toBe(1)
    expect(forest.metadata).toEqual({ backboneModelId: 'test-model', featureKind: 'embedding' })
    expect(forest.classes).toEqual(['down', 'flat', 'up'])
    expect(forest.options.maxBins).toBe(255)
    expect(forest.options.maxDepth).toBe(4)
    expect(forest.trees.map((tree) => tree.nodeCount)).toEqual([7, 7, 13])
  })

  it('predicts what the version 1 build predicted', () => {
    const forest = deserializeForest(bytes)

    const probabilities = forest.predictProbabilities([
      [0, 0, 0],
      [2, 0.5, -1],
      [-2, 1, 0.5],
      [0.3, 0.25, 0.9],
    ])

    expect(probabilities.map((row) => Array.from(row))).toEqual([
      [0, 1 / 3, 2 / 3],
      [0, 0, 1],
      [1, 0, 0],
      [0, 2 / 9, 7 / 9],
    ])
  })

  it('resumes from its training examples', () => {
    // The 24 examples the version 1 forest was trained on.
    const features = Array.from({ length: 24 }, (_, i) => [
      Math.sin(i) * 3,
      (i % 5) / 4,
      Math.cos(i * 0.7),
    ])
    const labels = features.map((row, i) => {
      if (row[0]! + row[2]! > 0) return 'up'
      return i % 3 === 0 ? 'flat' : 'down'
    })

    const trainer = ForestTrainer.resume(deserializeForest(bytes), { features, labels })

    expect(trainer.exampleCount).toBe(24)
    expect(trainer.addExample([0.5, 0.5, 0.5], 'up')).toBe('incremental')
    expect(trainer.forest.options.maxBins).toBe(255)
  })

  it('re-encodes as the current version', () => {
    const forest = deserializeForest(bytes)

    const current = serializeForest(forest)

    expect(current[4]! + current[5]! * 256).toBe(FOREST_FORMAT_VERSION)
    expect(serializeForest(deserializeForest(current))).toEqual(current)
    expect(deserializeForest(current).options).toEqual(forest.options)
  })
})

describe('split bins above 255', () => {
  it('round-trip with 1,000 distinct values', () => {
    const features = Array.from({ length: 1000 }, (_, i) => [i])
    const labels = features.map((_, i) => (i % 2 === 0 ? 'even' : 'odd'))
    const forest = trainForest(
      { features, labels },
      { nEstimators: 1, bootstrap: false, maxBins: 1000 },
    )

    const decoded = deserializeForest(serializeForest(forest))

    const tree = decoded.trees[0]!
    expect(Math.max(...tree.splitBin.subarray(0, tree.nodeCount))).toBeGreaterThan(255)
    expect(decoded.options.maxBins).toBe(1000)
    expect(decoded.predict(features)).toEqual(labels)
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
      /format version 3 is not supported; this build reads versions 1 to 2/,
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
