import { FeatureForestError } from '../errors'
import { buildForest, createGrower } from './build'
import {
  checkFeatureRow,
  checkLabel,
  checkLabelledExamples,
  type FeatureRow,
  type LabelledExamples,
} from './examples'
import { argmax, UNKNOWN_METADATA, type ForestMetadata, type RandomForest } from './forest'
import { sumClassWeights, type TreeGrower } from './grow'
import { resolveForestOptions, type ForestOptions } from './options'
import { hashIntegers, SeededRandom } from './random'
import { TrainingState } from './training-state'
import { LEAF } from './tree'

/** Outcome of `ForestTrainer.addExample`: a leaf-level update or a full rebuild. */
export type UpdateKind = 'incremental' | 'rebuild'

/** Trains a forest from scratch. Equivalent to `ForestTrainer.build(...).forest`. */
export function trainForest(
  examples: LabelledExamples,
  options: Partial<ForestOptions> = {},
  metadata: ForestMetadata = UNKNOWN_METADATA,
): RandomForest {
  return ForestTrainer.build(examples, options, metadata).forest
}

/**
 * A forest together with its training set, which lets it learn one example at a time.
 *
 * Incremental update (online bagging, Oza and Russell 2001): tree t gives the new example i a
 * Poisson(1) weight k derived from (seed, t, i), the same count a full build would draw. Each tree
 * with k > 0 routes the example to a leaf, adds its weight to the class totals of the nodes on the
 * way, and regrows only that leaf from the examples already in it plus the new one. The splits
 * above the leaf stay as they are, and the new example is binned with the existing edges.
 * Cost per update: O(d log b) to bin the example, then for each of the ≈63% of trees with k > 0,
 * O(depth) to route it, O(n) to collect the leaf's examples, and O(m · (s + b · c)) to regrow a
 * leaf of m examples (s features per split, b bins, c classes). Leaves are small, so the O(n)
 * scan dominates.
 *
 * Once the training set, or one class of it, has grown by `rebuildAfterGrowth` since the last full
 * build, or a new label arrives, the next update rebuilds the forest from scratch (new bins, new
 * trees) instead.
 *
 * The trainer keeps references to the feature rows it receives, for rebuilds, so callers must not
 * modify them afterwards. The serialised forest does not carry the training examples. To update a stored forest, pass the
 * examples it has seen, in the same order, to `ForestTrainer.resume`, then call `addExample`.
 */
export class ForestTrainer {
  private grower: TreeGrower
  private indices: Uint32Array
  private readonly path: number[] = []
  private totals: Float64Array

  private constructor(
    private current: RandomForest,
    private state: TrainingState,
    private classIndexOf: ReadonlyMap<string, number>,
  ) {
    this.grower = createGrower(current.options, current.classes.length, current.featureCount)
    this.indices = new Uint32Array(Math.max(16, state.size * 2))
    this.totals = new Float64Array(current.classes.length)
  }

  /**
   * Trains a forest from scratch. Throws FeatureForestError('invalid_request') for empty,
   * ragged or non-finite input, and TypeError or RangeError for invalid options.
   */
  static build(
    examples: LabelledExamples,
    options: Partial<ForestOptions> = {},
    metadata: ForestMetadata = UNKNOWN_METADATA,
  ): ForestTrainer {
    const resolved = resolveForestOptions(options)
    const featureCount = checkLabelledExamples(examples)
    const { forest, state, classIndexOf } = buildForest(examples, featureCount, resolved, metadata)
    return new ForestTrainer(forest, state, classIndexOf)
  }

  /**
   * Continues training a stored forest. `examples` must be the examples the forest has seen, in
   * the order it saw them. A forest that this engine did not build (an imported one) is rebuilt
   * from `examples` with its options. Costs O(d · n) to recompute the bins (a radix sort per
   * feature) and O(trees · n · depth) to find every example's leaf.
   */
  static resume(forest: RandomForest, examples: LabelledExamples): ForestTrainer {
    const featureCount = checkLabelledExamples(examples)
    if (forest.training.examplesAtBuild === 0) {
      return ForestTrainer.build(examples, forest.options, forest.metadata)
    }
    // NOTE: this checks the example count, the labels and the bin edges (which the examples of the
    // last full build determine), not the feature values of examples added since that build.
    checkSameTrainingSet(forest, examples, featureCount)
    const classIndexOf = new Map(forest.classes.map((label, c) => [label, c]))
    const state = TrainingState.create(
      examples.features,
      examples.labels,
      classIndexOf,
      featureCount,
      forest.training.examplesAtBuild,
      forest.options,
    )
    forest.trees.forEach((tree, t) => {
      const counts = state.bootstrapCounts[t]!
      const leafOf = state.leafOf[t]!
      for (let i = 0; i < state.size; i++) {
        if (counts[i]! > 0) leafOf[i] = tree.findBinnedLeaf(state.binned.columns, i)
      }
    })
    checkBinEdges(forest, state)
    return new ForestTrainer(forest, state, classIndexOf)
  }

  /** The current forest. A rebuild replaces it, so read it again after `addExample`. */
  get forest(): RandomForest {
    return this.current
  }

  /** Number of examples in the training set. */
  get exampleCount(): number {
    return this.state.size
  }

  /**
   * Learns one labelled example. Returns 'incremental' when only the leaves it reaches were
   * regrown, or 'rebuild' when the update budget was spent (see `budgetSpent`) or the label is new.
   * Throws FeatureForestError('invalid_request') for a row of the wrong length or with non-finite values.
   */
  addExample(features: FeatureRow, label: string): UpdateKind {
    const forest = this.current
    checkFeatureRow(features, forest.featureCount, 'the new example')
    checkLabel(label, 'the new example')
    const classIndex = this.classIndexOf.get(label)
    if (classIndex === undefined || this.budgetSpent(classIndex)) {
      this.rebuild(features, label)
      return 'rebuild'
    }

    const example = this.state.append(features, label, classIndex)
    if (this.indices.length <= example) this.indices = new Uint32Array(this.state.size * 2)
    for (let t = 0; t < forest.trees.length; t++) {
      if (this.state.bootstrapCounts[t]![example]! > 0) this.updateTree(t, example, classIndex)
    }
    forest.training.examplesSeen = this.state.size
    return 'incremental'
  }

  /**
   * Returns the out-of-bag accuracy: each example is classified by the trees whose bootstrap
   * sample left it out, and the result is compared with its label. Examples that every tree used
   * are skipped. Returns NaN when no example is out of bag (for example with `bootstrap: false`).
   */
  outOfBagAccuracy(): number {
    const { trees, classes } = this.current
    const k = classes.length
    const n = this.state.size
    const totals = new Float64Array(n * k)
    const voted = new Uint8Array(n)
    trees.forEach((tree, t) => {
      const probabilities = tree.nodeProbabilities()
      const counts = this.state.bootstrapCounts[t]!
      for (let i = 0; i < n; i++) {
        if (counts[i]! > 0) continue
        const leaf = tree.findBinnedLeaf(this.state.binned.columns, i)
        for (let c = 0; c < k; c++) totals[i * k + c]! += probabilities[leaf * k + c]!
        voted[i] = 1
      }
    })
    let correct = 0
    let scored = 0
    for (let i = 0; i < n; i++) {
      if (!voted[i]) continue
      scored++
      if (argmax(totals.subarray(i * k, (i + 1) * k)) === this.state.labels[i]) correct++
    }
    return scored === 0 ? NaN : correct / scored
  }

  /**
   * Returns whether one more example of class `classIndex` would grow the training set, or that
   * class, by more than `rebuildAfterGrowth` since the last full build. Leaf regrowth never
   * revisits the splits above a leaf, and splits chosen while a class had very few examples are
   * the likeliest to be poor, so growth of one class also triggers a rebuild.
   */
  private budgetSpent(classIndex: number): boolean {
    const growth = 1 + this.current.options.rebuildAfterGrowth
    const { examplesAtBuild } = this.current.training
    if (this.state.size + 1 > examplesAtBuild * growth) return true
    let atBuild = 0
    let now = 0
    const labels = this.state.labels
    for (let i = 0; i < this.state.size; i++) {
      if (labels[i] !== classIndex) continue
      now++
      if (i < examplesAtBuild) atBuild++
    }
    return now + 1 > atBuild * growth
  }

  /** Adds example `example` of class `classIndex` to tree `t` and regrows the leaf it reaches. */
  private updateTree(t: number, example: number, classIndex: number): void {
    const forest = this.current
    const tree = forest.trees[t]!
    const classWeights = forest.training.classWeights
    const input = this.state.growthInput(t, classWeights)
    const path = this.path
    path.length = 0
    const leaf = tree.findBinnedLeaf(input.columns, example, path)
    const weight = input.bootstrapCounts[example]! * classWeights[classIndex]!
    for (const node of path) tree.addClassWeight(node, classIndex, weight)

    const indices = this.indices
    let count = 0
    for (let i = 0; i < example; i++) if (input.leafOf[i] === leaf) indices[count++] = i
    indices[count++] = example
    sumClassWeights(input, indices, 0, count, this.totals)
    tree.setClassWeights(leaf, this.totals)
    const random = new SeededRandom(hashIntegers(forest.options.seed, t, example, 1))
    this.grower.growSubtree(input, tree, leaf, path.length, indices, count, random)
  }

  private rebuild(features: FeatureRow, label: string): void {
    const examples = {
      features: [...this.state.rows, features],
      labels: [...this.state.labelTexts, label],
    }
    const forest = this.current
    const { options, metadata } = forest
    const built = buildForest(examples, forest.featureCount, options, metadata)
    this.current = built.forest
    this.state = built.state
    this.classIndexOf = built.classIndexOf
    this.grower = createGrower(options, built.forest.classes.length, forest.featureCount)
    this.indices = new Uint32Array(Math.max(16, this.state.size * 2))
    this.totals = new Float64Array(built.forest.classes.length)
  }
}

function checkSameTrainingSet(
  forest: RandomForest,
  examples: LabelledExamples,
  featureCount: number,
): void {
  if (featureCount !== forest.featureCount) {
    throw mismatch(`the examples have ${featureCount} features, the forest ${forest.featureCount}`)
  }
  if (examples.labels.length !== forest.training.examplesSeen) {
    throw mismatch(
      `${examples.labels.length} examples were passed, but the forest has seen ${forest.training.examplesSeen}`,
    )
  }
  const known = new Set(forest.classes)
  const unknown = examples.labels.find((label) => !known.has(label))
  if (unknown !== undefined) throw mismatch(`label '${unknown}' is not a class of the forest`)
}

/** Checks that the recomputed bins give every split its stored threshold. */
function checkBinEdges(forest: RandomForest, state: TrainingState): void {
  for (const tree of forest.trees) {
    for (let node = 0; node < tree.nodeCount; node++) {
      const feature = tree.feature[node]!
      if (feature === LEAF) continue
      if (state.binned.edges[feature]![tree.splitBin[node]!] !== tree.threshold[node]) {
        throw mismatch(
          `the bin edges of feature ${feature} differ from those of the last full build`,
        )
      }
    }
  }
}

function mismatch(detail: string): FeatureForestError {
  return new FeatureForestError(
    'invalid_request',
    `the training set does not match the forest (${detail}); pass the examples the forest has seen, in the order it saw them`,
  )
}
