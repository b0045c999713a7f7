import { FeatureForestError } from '../errors'
import type { LabelledExamples } from './examples'
import { sortedClasses } from './examples'
import { RandomForest, type ForestMetadata } from './forest'
import { sumClassWeights, TreeGrower } from './grow'
import { featuresPerSplit, type ClassWeight, type ForestOptions } from './options'
import { hashIntegers, SeededRandom } from './random'
import { TrainingState } from './training-state'
import { DecisionTree } from './tree'

/** A forest and the training state that incremental updates need. */
export interface BuiltForest {
  forest: RandomForest
  state: TrainingState
  classIndexOf: Map<string, number>
}

/** Builds every tree from scratch. `examples` must already be checked. */
export function buildForest(
  examples: LabelledExamples,
  featureCount: number,
  options: ForestOptions,
  metadata: ForestMetadata,
): BuiltForest {
  const classes = sortedClasses(examples.labels)
  if (classes.length > 65_535) {
    throw new FeatureForestError(
      'invalid_request',
      `the training set has ${classes.length} distinct labels; a forest supports at most 65535 classes`,
    )
  }
  const classIndexOf = new Map(classes.map((label, c) => [label, c]))
  const n = examples.features.length
  const state = TrainingState.create(
    examples.features,
    examples.labels,
    classIndexOf,
    featureCount,
    n,
    options,
  )
  const classWeights = resolveClassWeights(options.classWeight, classes, state.labels, n)
  const grower = createGrower(options, classes.length, featureCount)
  const indices = new Uint32Array(n)
  const trees: DecisionTree[] = []
  for (let t = 0; t < options.nEstimators; t++) {
    trees.push(growTree(state, t, options.seed, classWeights, grower, indices))
  }
  const training = { examplesSeen: n, examplesAtBuild: n, classWeights }
  const forest = new RandomForest(classes, featureCount, trees, options, metadata, training)
  return { forest, state, classIndexOf }
}

/** Returns a grower with the limits of `options`. */
export function createGrower(
  options: ForestOptions,
  classCount: number,
  featureCount: number,
): TreeGrower {
  return new TreeGrower(classCount, featureCount, {
    featuresPerSplit: featuresPerSplit(options.maxFeatures, featureCount),
    maxDepth: options.maxDepth,
    minSamplesLeaf: options.minSamplesLeaf,
    criterion: options.criterion,
  })
}

/**
 * Grows tree `t` from its bootstrap sample. A tree whose sample is empty (possible with very few
 * examples) is one leaf holding the class weights of the whole training set.
 */
function growTree(
  state: TrainingState,
  t: number,
  seed: number,
  classWeights: Float64Array,
  grower: TreeGrower,
  indices: Uint32Array,
): DecisionTree {
  const input = state.growthInput(t, classWeights)
  let count = 0
  for (let i = 0; i < state.size; i++) if (input.bootstrapCounts[i]! > 0) indices[count++] = i

  const tree = new DecisionTree(classWeights.length)
  const root = tree.addLeaf()
  const totals = new Float64Array(classWeights.length)
  if (count === 0) {
    for (let i = 0; i < state.size; i++)
      totals[state.labels[i]!]! += classWeights[state.labels[i]!]!
    tree.setClassWeights(root, totals)
    return tree
  }
  sumClassWeights(input, indices, 0, count, totals)
  tree.setClassWeights(root, totals)
  const random = new SeededRandom(hashIntegers(seed, t))
  grower.growSubtree(input, tree, root, 0, indices, count, random)
  return tree
}

/** Returns the weight of each class under the `classWeight` option. */
export function resolveClassWeights(
  option: ClassWeight,
  classes: readonly string[],
  labels: Uint16Array,
  exampleCount: number,
): Float64Array {
  const weights = new Float64Array(classes.length).fill(1)
  if (option === 'balanced') {
    const counts = new Float64Array(classes.length)
    for (let i = 0; i < exampleCount; i++) counts[labels[i]!]!++
    for (let c = 0; c < classes.length; c++) {
      weights[c] = exampleCount / (classes.length * counts[c]!)
    }
  } else if (option !== null) {
    classes.forEach((label, c) => {
      weights[c] = option[label] ?? 1
    })
  }
  return weights
}
