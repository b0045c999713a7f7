import type { SplitCriterion } from './options'

/**
 * Training data that split search reads. The weight of example i is its bootstrap count in the
 * current tree times the weight of its class.
 */
export interface SplitInput {
  readonly columns: readonly Uint8Array[]
  readonly labels: Uint16Array
  readonly bootstrapCounts: Uint8Array
  readonly classWeights: Float64Array
}

/**
 * Histogram-based search for the best split of one node on one feature at a time. One pass over
 * the node's examples fills a (bin × class) histogram of weights. One pass over the bins between
 * the lowest and the highest occupied one then scores every threshold, so the cost is O(examples + bins × classes) per feature. The
 * workspaces are allocated once and reused for every node.
 */
export class SplitSearch {
  bestFeature = -1
  bestBin = 0
  bestScore = -Infinity
  /** Number of examples (not weights) that the best split sends left. */
  bestLeftCount = 0

  private readonly histogram: Float64Array
  private readonly binCounts: Int32Array
  private readonly leftWeights: Float64Array

  constructor(
    private readonly classCount: number,
    private readonly criterion: SplitCriterion,
    private readonly minSamplesLeaf: number,
  ) {
    this.histogram = new Float64Array(256 * classCount)
    this.binCounts = new Int32Array(256)
    this.leftWeights = new Float64Array(classCount)
  }

  /** Forgets the best split, before a new node. */
  reset(): void {
    this.bestFeature = -1
    this.bestBin = 0
    this.bestScore = -Infinity
    this.bestLeftCount = 0
  }

  /**
   * Scores every threshold of `feature` on the examples `indices[start, end)`, whose weighted class
   * totals are `nodeWeights`, and keeps the best split seen since `reset()`. A split must leave at
   * least `minSamplesLeaf` examples on each side. Returns false when the feature is constant here.
   */
  evaluateFeature(
    input: SplitInput,
    feature: number,
    indices: Uint32Array,
    start: number,
    end: number,
    nodeWeights: Float64Array,
  ): boolean {
    const k = this.classCount
    const { histogram, binCounts, leftWeights } = this
    const column = input.columns[feature]!
    const { labels, bootstrapCounts, classWeights } = input

    let minBin = 255
    let maxBin = 0
    for (let p = start; p < end; p++) {
      const example = indices[p]!
      const bin = column[example]!
      const label = labels[example]!
      histogram[bin * k + label]! += bootstrapCounts[example]! * classWeights[label]!
      binCounts[bin]!++
      if (bin < minBin) minBin = bin
      if (bin > maxBin) maxBin = bin
    }
    if (minBin === maxBin) {
      this.clear(minBin, maxBin)
      return false
    }

    const nodeCount = end - start
    let nodeTotal = 0
    for (let c = 0; c < k; c++) nodeTotal += nodeWeights[c]!
    leftWeights.fill(0)
    let leftCount = 0
    let leftTotal = 0
    for (let bin = minBin; bin < maxBin; bin++) {
      const count = binCounts[bin]!
      if (count === 0) continue
      for (let c = 0; c < k; c++) {
        const weight = histogram[bin * k + c]!
        leftWeights[c]! += weight
        leftTotal += weight
      }
      leftCount += count
      if (leftCount < this.minSamplesLeaf) continue
      if (nodeCount - leftCount < this.minSamplesLeaf) break

      const score = this.scoreSplit(leftWeights, leftTotal, nodeWeights, nodeTotal - leftTotal)
      if (score > this.bestScore) {
        this.bestScore = score
        this.bestFeature = feature
        this.bestLeftCount = leftCount
        this.bestBin = middleBin(binCounts, bin, maxBin)
      }
    }
    this.clear(minBin, maxBin)
    return true
  }

  /**
   * Returns a score that grows as the weighted impurity of the two children shrinks. For Gini it
   * is Σ l²/L + Σ r²/R, and for entropy Σ l ln l − L ln L + Σ r ln r − R ln R. Here l and r are the
   * class weights of the left and right child, and L and R their sums.
   */
  private scoreSplit(
    left: Float64Array,
    leftTotal: number,
    node: Float64Array,
    rightTotal: number,
  ): number {
    let leftSum = 0
    let rightSum = 0
    if (this.criterion === 'gini') {
      for (let c = 0; c < this.classCount; c++) {
        const l = left[c]!
        const r = node[c]! - l
        leftSum += l * l
        rightSum += r * r
      }
      return leftSum / leftTotal + rightSum / rightTotal
    }
    for (let c = 0; c < this.classCount; c++) {
      const l = left[c]!
      const r = node[c]! - l
      if (l > 0) leftSum += l * Math.log(l)
      if (r > 1e-12) rightSum += r * Math.log(r)
    }
    return leftSum - leftTotal * Math.log(leftTotal) + rightSum - rightTotal * Math.log(rightTotal)
  }

  private clear(minBin: number, maxBin: number): void {
    this.histogram.fill(0, minBin * this.classCount, (maxBin + 1) * this.classCount)
    this.binCounts.fill(0, minBin, maxBin + 1)
  }
}

/**
 * Returns the split bin halfway (in bin index, so in quantiles) between the last occupied bin on
 * the left, `lastLeft`, and the next occupied bin. Any bin in that range splits the training
 * examples the same way, and the middle one keeps the threshold away from both.
 */
function middleBin(binCounts: Int32Array, lastLeft: number, maxBin: number): number {
  let firstRight = lastLeft + 1
  while (firstRight < maxBin && binCounts[firstRight] === 0) firstRight++
  return (lastLeft + firstRight - 1) >>> 1
}

/** Returns the impurity of a node from its class weights. */
export function nodeImpurity(
  criterion: SplitCriterion,
  weights: ArrayLike<number>,
  offset: number,
  classCount: number,
): number {
  let total = 0
  for (let c = 0; c < classCount; c++) total += weights[offset + c]!
  if (total <= 0) return 0
  let impurity = criterion === 'gini' ? 1 : 0
  for (let c = 0; c < classCount; c++) {
    const p = weights[offset + c]! / total
    if (criterion === 'gini') impurity -= p * p
    else if (p > 0) impurity -= p * Math.log2(p)
  }
  return impurity
}
