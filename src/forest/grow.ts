import type { SplitCriterion } from './options'
import type { SeededRandom } from './random'
import { SplitSearch, type SplitInput } from './split'
import type { DecisionTree } from './tree'

/** Training data that tree growth reads. The bin edges turn split bins into thresholds. */
export interface GrowthInput extends SplitInput {
  /** Output: `leafOf[i]` is set to the leaf that example i ends in, for every example grown. */
  readonly leafOf: Int32Array
}

/** Limits on tree growth, resolved from the forest options. */
export interface GrowthLimits {
  readonly featuresPerSplit: number
  readonly maxDepth: number
  readonly minSamplesLeaf: number
  readonly criterion: SplitCriterion
}

/**
 * Grows trees depth-first from a node and the examples that reach it. Each split draws a fresh
 * random subset of `featuresPerSplit` features (Breiman's per-split feature sampling), counting
 * features that are constant in the node. Only while every feature drawn so far was constant
 * does it draw more, as `BestSplitter` in scikit-learn 1.2's sklearn/tree/_splitter.pyx does.
 * The examples are partitioned in place in one index array, so a node costs no allocation
 * beyond its stack entry.
 */
export class TreeGrower {
  private readonly search: SplitSearch
  private readonly featureOrder: Int32Array
  private readonly nodeWeights: Float64Array
  private readonly leftWeights: Float64Array
  private readonly rightWeights: Float64Array

  constructor(
    private readonly classCount: number,
    featureCount: number,
    private readonly limits: GrowthLimits,
  ) {
    this.search = new SplitSearch(classCount, limits.criterion, limits.minSamplesLeaf)
    this.featureOrder = Int32Array.from({ length: featureCount }, (_, j) => j)
    this.nodeWeights = new Float64Array(classCount)
    this.leftWeights = new Float64Array(classCount)
    this.rightWeights = new Float64Array(classCount)
  }

  /**
   * Grows the subtree under leaf `node` of `tree`, at depth `depth`, from the examples
   * `indices[0, count)`. The order of `indices` changes. `tree` must hold the node's class weights.
   */
  growSubtree(
    input: GrowthInput,
    tree: DecisionTree,
    node: number,
    depth: number,
    indices: Uint32Array,
    count: number,
    random: SeededRandom,
  ): void {
    // Starting every subtree from the identity order makes its feature draws depend only on
    // `random`, not on what the grower did before.
    for (let j = 0; j < this.featureOrder.length; j++) this.featureOrder[j] = j
    const stack: number[] = [node, 0, count, depth]
    while (stack.length > 0) {
      const nodeDepth = stack.pop()!
      const end = stack.pop()!
      const start = stack.pop()!
      const current = stack.pop()!
      const leftChild = this.splitNode(input, tree, current, nodeDepth, indices, start, end, random)
      if (leftChild < 0) {
        for (let p = start; p < end; p++) input.leafOf[indices[p]!] = current
        continue
      }
      const middle = start + this.search.bestLeftCount
      stack.push(leftChild + 1, middle, end, nodeDepth + 1)
      stack.push(leftChild, start, middle, nodeDepth + 1)
    }
  }

  /**
   * Splits `node` if the limits allow and a split exists: partitions `indices[start, end)` so the
   * left child's examples come first and sets both children's class weights. Returns the left
   * child, or -1 when the node stays a leaf.
   */
  private splitNode(
    input: GrowthInput,
    tree: DecisionTree,
    node: number,
    depth: number,
    indices: Uint32Array,
    start: number,
    end: number,
    random: SeededRandom,
  ): number {
    const { limits, classCount, nodeWeights } = this
    const count = end - start
    if (depth >= limits.maxDepth || count < 2 * limits.minSamplesLeaf) return -1

    let classesPresent = 0
    for (let c = 0; c < classCount; c++) {
      nodeWeights[c] = tree.classWeights[node * classCount + c]!
      if (nodeWeights[c]! > 0) classesPresent++
    }
    if (classesPresent <= 1) return -1

    if (!this.findSplit(input, indices, start, end, random)) return -1
    const feature = this.search.bestFeature
    const bin = this.search.bestBin
    this.partition(input, input.columns[feature]!, bin, indices, start, end)
    const threshold = input.edges[feature]![bin]!
    const leftChild = tree.split(node, feature, threshold, bin)
    tree.setClassWeights(leftChild, this.leftWeights)
    tree.setClassWeights(leftChild + 1, this.rightWeights)
    return leftChild
  }

  private findSplit(
    input: GrowthInput,
    indices: Uint32Array,
    start: number,
    end: number,
    random: SeededRandom,
  ): boolean {
    const order = this.featureOrder
    const featureCount = order.length
    const search = this.search
    search.startNode(input, indices, start, end)
    let informative = false
    for (let drawn = 0; drawn < featureCount; drawn++) {
      if (drawn >= this.limits.featuresPerSplit && informative) break
      const pick = drawn + random.nextInt(featureCount - drawn)
      const feature = order[pick]!
      order[pick] = order[drawn]!
      order[drawn] = feature
      if (search.evaluateFeature(input, feature, indices, start, end, this.nodeWeights)) {
        informative = true
      }
    }
    return search.bestFeature >= 0
  }

  /** Moves the examples with `column[i] <= bin` to the front and sums each side's class weights. */
  private partition(
    input: GrowthInput,
    column: Uint16Array,
    bin: number,
    indices: Uint32Array,
    start: number,
    end: number,
  ): void {
    let low = start
    let high = end - 1
    while (low <= high) {
      const example = indices[low]!
      if (column[example]! <= bin) {
        low++
      } else {
        indices[low] = indices[high]!
        indices[high] = example
        high--
      }
    }
    sumClassWeights(input, indices, start, low, this.leftWeights)
    sumClassWeights(input, indices, low, end, this.rightWeights)
  }
}

/** Writes the weighted class totals of the examples `indices[start, end)` into `totals`. */
export function sumClassWeights(
  input: SplitInput,
  indices: Uint32Array,
  start: number,
  end: number,
  totals: Float64Array,
): void {
  totals.fill(0)
  for (let p = start; p < end; p++) {
    const example = indices[p]!
    const label = input.labels[example]!
    totals[label]! += input.bootstrapCounts[example]! * input.classWeights[label]!
  }
}
