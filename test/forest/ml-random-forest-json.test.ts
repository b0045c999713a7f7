import { RandomForestClassifier } from 'ml-random-forest'
import { describe, expect, it } from 'vitest'

import { FeatureForestError } from '../../src/errors'
import {
  exportMlRandomForestJson,
  importMlRandomForestJson,
  trainForest,
  type MlRandomForestJson,
} from '../../src/forest'
import { makeClusters, splitSet } from './synthetic-data'

const set = makeClusters({
  classes: 3,
  examples: 300,
  features: 12,
  informative: 4,
  separation: 0.8,
  seed: 5,
})
const [train, test] = splitSet(set, 150)
const toRows = (rows: Float32Array[]): number[][] => rows.map((row) => Array.from(row))
const trainRows = toRows(train.features)
const testRows = toRows(test.features)

/** Sends a model through JSON text, as storing it would. */
function throughJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T
}

describe('exportMlRandomForestJson', () => {
  const forest = trainForest(train, { nEstimators: 15, maxDepth: 6 })
  const loaded = RandomForestClassifier.load(throughJson(exportMlRandomForestJson(forest)) as never)

  it('loads into ml-random-forest with the same labels', () => {
    const expected = forest.predict(testRows, { voting: 'hard' })

    const predicted = loaded.predict(testRows).map((c) => forest.classes[c])

    expect(predicted).toEqual(expected)
  })

  it('gives the same vote in every tree', () => {
    const votes = forest.treeVotes(testRows)

    const values = loaded.predictionValues(testRows).to2DArray()

    values.forEach((row, r) => expect(row).toEqual(Array.from(votes[r]!)))
  })

  it('routes values on a threshold like this engine', () => {
    const tree = forest.trees[0]!
    const feature = tree.feature[0]!
    const threshold = tree.threshold[0]!
    const onThreshold = Array.from(test.features[0]!)
    onThreshold[feature] = threshold

    const values = loaded.predictionValues([onThreshold]).to2DArray()

    expect(values[0]![0]).toBe(forest.treeVotes([onThreshold])[0]![0])
  })
})

describe('importMlRandomForestJson', () => {
  const reference = new RandomForestClassifier({
    nEstimators: 15,
    maxFeatures: 4,
    replacement: false,
    seed: 3,
    noOOB: true,
    treeOptions: { maxDepth: 6, minNumSamples: 3 },
  })
  const classIndex = (label: string): number => Number(label.slice('class-'.length))
  reference.train(trainRows, train.labels.map(classIndex))
  const json = throughJson(reference.toJSON()) as unknown as MlRandomForestJson

  it('predicts the labels of ml-random-forest', () => {
    const forest = importMlRandomForestJson(json, { featureCount: 12 })

    const predicted = forest.predict(testRows, { voting: 'hard' }).map(Number)

    expect(predicted).toEqual(reference.predict(testRows))
  })

  it('names classes from the options', () => {
    const forest = importMlRandomForestJson(json, {
      classes: ['cat', 'dog', 'fox'],
      featureCount: 12,
    })

    expect(forest.classes).toEqual(['cat', 'dog', 'fox'])
    expect(forest.trees.length).toBe(15)
    expect(forest.training.examplesAtBuild).toBe(0)
  })

  it('round-trips through export', () => {
    const forest = importMlRandomForestJson(json, { featureCount: 12 })
    const again = RandomForestClassifier.load(
      throughJson(exportMlRandomForestJson(forest)) as never,
    )

    expect(again.predict(testRows)).toEqual(reference.predict(testRows))
  })

  it('rejects another model', () => {
    const other = { ...json, name: 'RFRegression' } as unknown as MlRandomForestJson

    expect(() => importMlRandomForestJson(other)).toThrow(FeatureForestError)
    expect(() => importMlRandomForestJson(other)).toThrow(
      /expected an object with name 'RFClassifier'/,
    )
  })

  it('rejects a split without a child', () => {
    const broken = throughJson(json)
    const root = broken.baseModel.estimators[0]!.root
    delete root.left

    expect(() => importMlRandomForestJson(broken)).toThrow(/split node of estimator 0 lacks/)
  })

  it('rejects too few class labels', () => {
    expect(() => importMlRandomForestJson(json, { classes: ['cat'] })).toThrow(
      /leaves have 3 classes but 1 class labels were given/,
    )
  })
})
