import { describe, expect, it } from 'vitest'

import { FeatureForestError } from '../../src/errors'
import { deserializeForest, ForestTrainer, serializeForest, trainForest } from '../../src/forest'
import { accuracy, makeClusters, splitSet } from './synthetic-data'

const set = makeClusters({
  classes: 5,
  examples: 900,
  features: 64,
  informative: 10,
  separation: 0.8,
  seed: 11,
})
const [pool, test] = splitSet(set, 600)

function firstExamples(count: number): { features: Float32Array[]; labels: string[] } {
  return { features: pool.features.slice(0, count), labels: pool.labels.slice(0, count) }
}

describe('ForestTrainer.addExample', () => {
  it('updates within the budget and rebuilds after it', () => {
    const trainer = ForestTrainer.build(firstExamples(40), {
      nEstimators: 10,
      rebuildAfterGrowth: 0.25,
    })

    const kinds = pool.features
      .slice(40, 52)
      .map((row, i) => trainer.addExample(row, pool.labels[40 + i]!))

    // 40 × 1.25 = 50 examples are allowed, so the 11th new example (the 51st) triggers a rebuild.
    expect(kinds.slice(0, 10)).toEqual(Array(10).fill('incremental'))
    expect(kinds[10]).toBe('rebuild')
    expect(kinds[11]).toBe('incremental')
    expect(trainer.forest.training.examplesAtBuild).toBe(51)
    expect(trainer.forest.training.examplesSeen).toBe(52)
  })

  it('rebuilds into the forest a full build gives', () => {
    const options = { nEstimators: 10, rebuildAfterGrowth: 0.1, seed: 9 }
    const trainer = ForestTrainer.build(firstExamples(50), options)
    for (let i = 50; i < 56; i++) trainer.addExample(pool.features[i]!, pool.labels[i]!)

    const full = trainForest(firstExamples(56), options)

    expect(serializeForest(trainer.forest)).toEqual(serializeForest(full))
  })

  it('rebuilds for a new label', () => {
    const trainer = ForestTrainer.build(
      { features: [[0], [1], [2], [3]], labels: ['a', 'b', 'a', 'b'] },
      { rebuildAfterGrowth: Infinity },
    )

    const kind = trainer.addExample([10], 'c')

    expect(kind).toBe('rebuild')
    expect(trainer.forest.classes).toEqual(['a', 'b', 'c'])
  })

  it('learns a new class incrementally', () => {
    const trainer = ForestTrainer.build(
      {
        features: Array.from({ length: 30 }, (_, i) => [i % 10, 0]),
        labels: Array(30).fill('old'),
      },
      { nEstimators: 20, rebuildAfterGrowth: Infinity },
    )
    const kinds = Array.from({ length: 10 }, (_, i) => trainer.addExample([i, 5 + (i % 3)], 'new'))

    const probabilities = trainer.forest.predictProbabilities([
      [4, 6],
      [4, 0],
    ])

    expect(kinds[0]).toBe('rebuild')
    expect(kinds.slice(1)).toEqual(Array(9).fill('incremental'))
    expect(Array.from(probabilities[0]!).every(Number.isFinite)).toBe(true)
    expect(
      trainer.forest.predict([
        [4, 6],
        [4, 0],
      ]),
    ).toEqual(['new', 'old'])
    expect(trainer.forest.classes).toEqual(['new', 'old'])
    expect(probabilities[0]![0]).toBeGreaterThan(0.9)
  })

  it('rebuilds when a rare class grows', () => {
    const features = Array.from({ length: 21 }, (_, i) => [i])
    const labels = features.map((_, i) => (i === 20 ? 'rare' : 'common'))
    const trainer = ForestTrainer.build(
      { features, labels },
      { nEstimators: 5, rebuildAfterGrowth: 0.25 },
    )

    const common = trainer.addExample([3.5], 'common')
    const rare = trainer.addExample([21], 'rare')

    // 22 examples stay within 21 × 1.25, but 2 rare examples exceed 1 × 1.25.
    expect(common).toBe('incremental')
    expect(rare).toBe('rebuild')
  })

  it('counts the examples seen', () => {
    const trainer = ForestTrainer.build(firstExamples(30), {
      nEstimators: 5,
      rebuildAfterGrowth: Infinity,
    })

    for (let i = 30; i < 35; i++) trainer.addExample(pool.features[i]!, pool.labels[i]!)

    expect(trainer.forest.training.examplesSeen).toBe(35)
    expect(trainer.exampleCount).toBe(35)
  })

  it('learns an example that contradicts its leaf', () => {
    const trainer = ForestTrainer.build(
      {
        features: [[0], [1], [2], [3], [4], [5]],
        labels: ['low', 'low', 'low', 'high', 'high', 'high'],
      },
      { bootstrap: false, nEstimators: 3, rebuildAfterGrowth: Infinity },
    )
    expect(trainer.forest.predict([[1.2]])).toEqual(['low'])

    trainer.addExample([1.2], 'high')

    expect(trainer.forest.predict([[1.2], [0], [5]])).toEqual(['high', 'low', 'high'])
  })

  it('keeps accuracy close to a full retrain', () => {
    const options = { rebuildAfterGrowth: Infinity, seed: 4 }
    const trainer = ForestTrainer.build(firstExamples(200), options)
    for (let i = 200; i < 600; i++) trainer.addExample(pool.features[i]!, pool.labels[i]!)
    const incremental = accuracy(trainer.forest.predict(test.features), test.labels)

    const full = accuracy(
      trainForest(firstExamples(600), options).predict(test.features),
      test.labels,
    )

    // Incremental updates alone triple the training set here. On 300 test examples one
    // accuracy point is 3 examples, and the standard error of each figure is about 0.025.
    expect(incremental).toBeGreaterThan(full - 0.05)
    const before = accuracy(
      trainForest(firstExamples(200), options).predict(test.features),
      test.labels,
    )
    expect(incremental).toBeGreaterThan(before)
  })

  it('rejects a row of the wrong length', () => {
    const trainer = ForestTrainer.build(firstExamples(20), { nEstimators: 2 })

    expect(() => trainer.addExample(new Float32Array(3), 'class-0')).toThrow(FeatureForestError)
    expect(() => trainer.addExample(new Float32Array(3), 'class-0')).toThrow(
      /has 3 features, expected 64/,
    )
  })

  it('rejects a NaN feature', () => {
    const trainer = ForestTrainer.build(firstExamples(20), { nEstimators: 2 })
    const row = new Float32Array(64).fill(NaN)

    expect(() => trainer.addExample(row, 'class-0')).toThrow(/invalid value NaN at feature 0/)
  })
})

describe('ForestTrainer.resume', () => {
  it('continues exactly as the trainer in memory', () => {
    const options = { nEstimators: 20, rebuildAfterGrowth: 1, seed: 2 }
    const live = ForestTrainer.build(firstExamples(100), options)
    for (let i = 100; i < 110; i++) live.addExample(pool.features[i]!, pool.labels[i]!)
    const stored = deserializeForest(serializeForest(live.forest))

    const resumed = ForestTrainer.resume(stored, firstExamples(110))
    for (let i = 110; i < 130; i++) {
      live.addExample(pool.features[i]!, pool.labels[i]!)
      resumed.addExample(pool.features[i]!, pool.labels[i]!)
    }

    expect(serializeForest(resumed.forest)).toEqual(serializeForest(live.forest))
    expect(resumed.outOfBagAccuracy()).toBe(live.outOfBagAccuracy())
  })

  it('rejects a different example count', () => {
    const forest = trainForest(firstExamples(50), { nEstimators: 5 })

    expect(() => ForestTrainer.resume(forest, firstExamples(49))).toThrow(
      /49 examples were passed, but the forest has seen 50/,
    )
  })

  it('rejects different examples', () => {
    const forest = trainForest(firstExamples(50), { nEstimators: 5 })
    const shifted = { features: pool.features.slice(1, 51), labels: pool.labels.slice(0, 50) }

    expect(() => ForestTrainer.resume(forest, shifted)).toThrow(/bin edges of feature \d+ differ/)
  })

  it('rejects an unknown label', () => {
    const forest = trainForest(firstExamples(50), { nEstimators: 5 })
    const labels = [...pool.labels.slice(0, 49), 'class-9']

    expect(() =>
      ForestTrainer.resume(forest, { features: pool.features.slice(0, 50), labels }),
    ).toThrow(/label 'class-9' is not a class of the forest/)
  })
})
