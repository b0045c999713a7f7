import { FeatureForestError } from '../errors'
import { allFinite, type FeatureRow } from './examples'
import type { ForestOptions } from './options'
import { PackedForest } from './packed-forest'
import { nodeImpurity } from './impurity'
import { LEAF, type DecisionTree } from './tree'

/** Description of the feature vectors, stored with the forest so a caller can check they match. */
export interface ForestMetadata {
  /** Identifier of the pretrained model that produced the features, e.g. 'mobilenet_v2-1.0'. */
  readonly backboneModelId: string
  /** Name of that model's output: 'probabilities', 'embedding', 'both' or another name. */
  readonly featureKind: string
}

export const UNKNOWN_METADATA: ForestMetadata = { backboneModelId: '', featureKind: '' }

/** Facts about the training set that incremental updates need to continue from a stored forest. */
export interface TrainingRecord {
  /** Number of training examples the forest has learnt from, counting incremental updates. */
  examplesSeen: number
  /**
   * Number of examples at the last full build; the bin edges come from the first this many
   * examples. 0 for a forest that this engine did not build (an imported one).
   */
  examplesAtBuild: number
  /** Weight of each class at the last full build, in the order of `classes`. */
  classWeights: Float64Array
}

/** Options of `predict`. */
export interface PredictOptions {
  /**
   * `'soft'` (default) picks the class of highest mean probability, as scikit-learn does.
   * `'hard'` lets each tree vote for its most probable class and picks the most voted class,
   * breaking ties in favour of the class that reached the winning count first, as
   * ml-random-forest 2.1.0 does.
   */
  voting?: 'soft' | 'hard'
}

/**
 * A trained random forest classifier. It is mutable only through `ForestTrainer`, which updates
 * the trees in place.
 */
export class RandomForest {
  /** Prediction layout of `trees`, rebuilt when a tree has changed since. */
  private packed: PackedForest | null = null

  constructor(
    /** Class labels, in the order of every probability vector. */
    readonly classes: readonly string[],
    readonly featureCount: number,
    readonly trees: DecisionTree[],
    /** Options of the build, reused by incremental updates and rebuilds. */
    readonly options: ForestOptions,
    readonly metadata: ForestMetadata,
    readonly training: TrainingRecord,
  ) {}

  /**
   * Returns, for each row, the class probabilities: the mean over trees of the class frequencies
   * (weighted by bootstrap count and class weight) in the leaf the row reaches. Each vector sums
   * to 1. Throws FeatureForestError('invalid_request') for a row of the wrong length or with a
   * NaN or infinite value.
   */
  predictProbabilities(rows: readonly FeatureRow[]): Float64Array[] {
    this.checkRows(rows)
    const k = this.classes.length
    const totals = this.sumLeafProbabilities(rows)

    const result: Float64Array[] = []
    for (let r = 0; r < rows.length; r++) {
      const probabilities = totals.subarray(r * k, (r + 1) * k)
      let sum = 0
      for (let c = 0; c < k; c++) sum += probabilities[c]!
      for (let c = 0; c < k; c++) probabilities[c]! /= sum
      result.push(probabilities)
    }
    return result
  }

  /** Returns the predicted label of each row. */
  predict(rows: readonly FeatureRow[], options: PredictOptions = {}): string[] {
    const voting = options.voting ?? 'soft'
    if (voting === 'hard')
      return this.treeVotes(rows).map((votes) => this.classes[majority(votes)]!)
    if (voting !== 'soft') {
      throw new RangeError(`voting must be 'soft' or 'hard', got '${String(voting)}'`)
    }
    return this.predictProbabilities(rows).map(
      (probabilities) => this.classes[argmax(probabilities)]!,
    )
  }

  /**
   * Returns, for each row, the class index each tree votes for: the most probable class of the
   * leaf reached, the lowest index on ties. Throws FeatureForestError('invalid_request') for a
   * row of the wrong length or with a NaN or infinite value.
   */
  treeVotes(rows: readonly FeatureRow[]): Int32Array[] {
    this.checkRows(rows)
    const packed = this.packedTrees()
    const leaves = new Int32Array(packed.treeCount)
    const votes: Int32Array[] = []
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r]!
      checkFinite(row, r)
      packed.findLeaves(row, leaves)
      const rowVotes = new Int32Array(packed.treeCount)
      for (let t = 0; t < leaves.length; t++) rowVotes[t] = packed.leafVote(leaves[t]!)
      votes.push(rowVotes)
    }
    return votes
  }

  /**
   * Returns the mean decrease in impurity of each feature. Each split adds the weighted impurity of
   * its node minus that of its children to its feature. The sums are normalised per tree, averaged
   * over trees and normalised again to sum to 1, or are all zeros when no tree splits.
   */
  featureImportances(): Float64Array {
    const importances = new Float64Array(this.featureCount)
    const treeImportances = new Float64Array(this.featureCount)
    const k = this.classes.length
    const criterion = this.options.criterion
    for (const tree of this.trees) {
      treeImportances.fill(0)
      let treeTotal = 0
      const weightedImpurity = (node: number): number =>
        nodeWeight(tree, node) * nodeImpurity(criterion, tree.classWeights, node * k, k)
      for (let node = 0; node < tree.nodeCount; node++) {
        const feature = tree.feature[node]!
        if (feature === LEAF) continue
        const leftChild = tree.left[node]!
        const decrease =
          weightedImpurity(node) - weightedImpurity(leftChild) - weightedImpurity(leftChild + 1)
        treeImportances[feature]! += Math.max(0, decrease)
        treeTotal += Math.max(0, decrease)
      }
      if (treeTotal <= 0) continue
      for (let j = 0; j < this.featureCount; j++) importances[j]! += treeImportances[j]! / treeTotal
    }
    const total = importances.reduce((sum, value) => sum + value, 0)
    if (total > 0) for (let j = 0; j < this.featureCount; j++) importances[j]! /= total
    return importances
  }

  /** Returns the sums over trees of the leaf probabilities of each row, `classCount` per row. */
  private sumLeafProbabilities(rows: readonly FeatureRow[]): Float64Array {
    const k = this.classes.length
    const totals = new Float64Array(rows.length * k)
    const packed = this.packedTrees()
    const leaves = new Int32Array(packed.treeCount)
    // Rows outside, trees inside: a 1280-D row stays in cache while every tree reads it. The
    // sequential read of `checkFinite` loads the row into cache before the trees read it at random.
    for (let r = 0; r < rows.length; r++) {
      const row = rows[r]!
      checkFinite(row, r)
      packed.findLeaves(row, leaves)
      packed.addLeafProbabilities(leaves, totals, r * k)
    }
    return totals
  }

  /** Returns the prediction layout of the trees, packing them again only after a change. */
  private packedTrees(): PackedForest {
    if (!this.packed?.matches(this.trees)) {
      this.packed = PackedForest.from(this.trees, this.classes.length)
    }
    return this.packed
  }

  private checkRows(rows: readonly FeatureRow[]): void {
    if (!Array.isArray(rows)) {
      throw new TypeError('rows must be an array of feature vectors')
    }
    for (let r = 0; r < rows.length; r++) {
      const length = rows[r]?.length
      if (length !== this.featureCount) {
        throw new FeatureForestError(
          'invalid_request',
          `row ${r} has ${String(length)} features, but the forest was trained on ${this.featureCount}; use features from the same backbone and feature kind`,
        )
      }
    }
  }
}

/**
 * Throws FeatureForestError('invalid_request') when a row contains a NaN or an infinity.
 */
function checkFinite(row: FeatureRow, index: number): void {
  if (allFinite(row)) return
  for (let j = 0; j < row.length; j++) {
    if (!Number.isFinite(row[j])) {
      throw new FeatureForestError(
        'invalid_request',
        `row ${index} has an invalid value ${String(row[j])} at feature ${j}; features must be finite numbers`,
      )
    }
  }
}

function nodeWeight(tree: DecisionTree, node: number): number {
  let total = 0
  for (let c = 0; c < tree.classCount; c++) total += tree.classWeights[node * tree.classCount + c]!
  return total
}

/** Returns the index of the largest value, the lowest index on ties. */
export function argmax(values: ArrayLike<number>): number {
  let best = 0
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i
  return best
}

/** Returns the most frequent value, the first to reach the highest count on ties. */
function majority(votes: Int32Array): number {
  const counts = new Map<number, number>()
  let winner = votes[0] ?? 0
  let winnerCount = 0
  for (const vote of votes) {
    const count = (counts.get(vote) ?? 0) + 1
    counts.set(vote, count)
    if (count > winnerCount) {
      winnerCount = count
      winner = vote
    }
  }
  return winner
}
