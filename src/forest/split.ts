import type { SplitCriterion } from './options'

/**
 * Training data that split search reads. The weight of example i is its bootstrap count in the
 * current tree times the weight of its class.
 */
export interface SplitInput {
  readonly columns: readonly Uint16Array[]
  /** Bin edges of each feature. Feature j has `edges[j].length + 1` bins. */
  readonly edges: readonly Float64Array[]
  readonly labels: Uint16Array
  readonly bootstrapCounts: Uint8Array
  readonly classWeights: Float64Array
}

/**
 * Histogram-based search for the best split of one node on one feature at a time. One pass over
 * the node's examples fills a (bin × class) histogram of weights and marks the occupied bins in a
 * bit set. One pass over the occupied bins, in ascending order, then scores every threshold, so
 * the cost is O(examples + occupied bins × classes + bins / 32) per feature. The workspaces are
 * allocated once, grown for the feature with the most bins, and reused for every node.
 */
export class SplitSearch {
  bestFeature = -1
  bestBin = 0
  bestScore = -Infinity
  /** Number of examples (not weights) that the best split sends left. */
  bestLeftCount = 0

  private histogram = new Float64Array(0)
  private binCounts = new Int32Array(0)
  /** Bit b of word b >> 5 is set when bin b is occupied in the node. */
  private occupied = new Int32Array(0)
  private readonly leftWeights: Float64Array
  /** Label of the node's p-th example, for p from 0 to the node size. */
  private nodeLabels = new Uint16Array(0)
  /** Weight (bootstrap count × class weight) of the node's p-th example. */
  private nodeSampleWeights = new Float64Array(0)

  constructor(
    private readonly classCount: number,
    private readonly criterion: SplitCriterion,
    private readonly minSamplesLeaf: number,
  ) {
    this.leftWeights = new Float64Array(classCount)
  }

  /**
   * Forgets the best split and starts the node of the examples `indices[start, end)`. Their labels
   * and weights are copied once into arrays in node order, which every feature then reads in
   * sequence.
   */
  startNode(input: SplitInput, indices: Uint32Array, start: number, end: number): void {
    this.bestFeature = -1
    this.bestBin = 0
    this.bestScore = -Infinity
    this.bestLeftCount = 0

    const count = end - start
    if (this.nodeLabels.length < count) {
      this.nodeLabels = new Uint16Array(count * 2)
      this.nodeSampleWeights = new Float64Array(count * 2)
    }
    const { labels, bootstrapCounts, classWeights } = input
    for (let p = 0; p < count; p++) {
      const example = indices[start + p]!
      const label = labels[example]!
      this.nodeLabels[p] = label
      this.nodeSampleWeights[p] = bootstrapCounts[example]! * classWeights[label]!
    }
  }

  /**
   * Scores every threshold of `feature` on the examples `indices[start, end)`, whose weighted class
   * totals are `nodeWeights`, and keeps the best split seen since `startNode()`, which must have
   * been called with the same examples. A split must leave at
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
    // A feature with e edges has e + 1 bins.
    const words = (input.edges[feature]!.length >>> 5) + 1
    if (this.occupied.length < words) this.growWorkspaces(words)
    const { histogram, binCounts, occupied, nodeLabels, nodeSampleWeights } = this
    const column = input.columns[feature]!

    for (let p = start; p < end; p++) {
      const bin = column[indices[p]!]!
      histogram[bin * k + nodeLabels[p - start]!]! += nodeSampleWeights[p - start]!
      binCounts[bin]!++
      occupied[bin >>> 5]! |= 1 << (bin & 31)
    }

    if (k === 2 && this.criterion === 'gini' && this.minSamplesLeaf === 1) {
      return this.scoreOccupiedBinsBinaryGini(feature, nodeWeights, words)
    }
    return this.scoreOccupiedBins(feature, end - start, nodeWeights, words)
  }

  /**
   * Does what `scoreOccupiedBins` does for two classes, Gini and one example per leaf, with the
   * class weights in local variables. It computes the same scores in the same order, so it picks
   * the same split.
   */
  private scoreOccupiedBinsBinaryGini(
    feature: number,
    nodeWeights: Float64Array,
    words: number,
  ): boolean {
    const { histogram, binCounts, occupied } = this
    const node0 = nodeWeights[0]!
    const node1 = nodeWeights[1]!
    const nodeTotal = node0 + node1
    let left0 = 0
    let left1 = 0
    let leftCount = 0
    let leftTotal = 0
    let lastLeft = -1
    let lastLeftClass = MIXED
    let occupiedBins = 0
    for (let word = 0; word < words; word++) {
      let bits = occupied[word]!
      occupied[word] = 0
      while (bits !== 0) {
        const lowest = bits & -bits
        bits ^= lowest
        const bin = (word << 5) | (31 - Math.clz32(lowest))
        occupiedBins++
        const weight0 = histogram[2 * bin]!
        const weight1 = histogram[2 * bin + 1]!
        let binClass = MIXED
        if (weight1 === 0) binClass = 0
        else if (weight0 === 0) binClass = 1
        if (lastLeft >= 0 && (binClass === MIXED || binClass !== lastLeftClass)) {
          const right0 = node0 - left0
          const right1 = node1 - left1
          const rightTotal = nodeTotal - leftTotal
          const score =
            (left0 * left0 + left1 * left1) / leftTotal +
            (right0 * right0 + right1 * right1) / rightTotal
          if (score > this.bestScore) {
            this.bestScore = score
            this.bestFeature = feature
            this.bestLeftCount = leftCount
            this.bestBin = (lastLeft + bin - 1) >>> 1
          }
        }
        left0 += weight0
        left1 += weight1
        leftTotal += weight0
        leftTotal += weight1
        histogram[2 * bin] = 0
        histogram[2 * bin + 1] = 0
        leftCount += binCounts[bin]!
        binCounts[bin] = 0
        lastLeft = bin
        lastLeftClass = binClass
      }
    }
    return occupiedBins > 1
  }

  /**
   * Scores the split after each occupied bin but the last, in ascending bin order, and zeroes the
   * histogram, counts and bits on the way for the next feature. Returns false when only one bin
   * is occupied.
   *
   * With one example per leaf allowed, a split between two bins that contain only the same class
   * is skipped. Both criteria are convex as weight of one class moves from the right child to the
   * left, so the score inside such a run never exceeds the score at one of its ends. A larger
   * `minSamplesLeaf` can rule those ends out, so then every split is scored.
   */
  private scoreOccupiedBins(
    feature: number,
    nodeCount: number,
    nodeWeights: Float64Array,
    words: number,
  ): boolean {
    const k = this.classCount
    const { histogram, binCounts, occupied, leftWeights } = this
    const minSamplesLeaf = this.minSamplesLeaf
    let nodeTotal = 0
    for (let c = 0; c < k; c++) nodeTotal += nodeWeights[c]!
    leftWeights.fill(0)
    let leftCount = 0
    let leftTotal = 0
    // The split "bins <= lastLeft go left" is scored when the next occupied bin is reached.
    let lastLeft = -1
    let lastLeftClass = MIXED
    let occupiedBins = 0
    let scoring = true
    for (let word = 0; word < words; word++) {
      let bits = occupied[word]!
      occupied[word] = 0
      while (bits !== 0) {
        const lowest = bits & -bits
        bits ^= lowest
        const bin = (word << 5) | (31 - Math.clz32(lowest))
        occupiedBins++
        let binClass = NO_CLASS
        for (let c = 0; c < k; c++) {
          if (histogram[bin * k + c]! > 0) binClass = binClass === NO_CLASS ? c : MIXED
        }
        const interior = binClass >= 0 && binClass === lastLeftClass && minSamplesLeaf === 1
        if (scoring && lastLeft >= 0 && leftCount >= minSamplesLeaf && !interior) {
          if (nodeCount - leftCount < minSamplesLeaf) scoring = false
          else
            this.considerSplit(feature, leftCount, leftTotal, nodeWeights, nodeTotal, lastLeft, bin)
        }
        for (let c = 0; c < k; c++) {
          const weight = histogram[bin * k + c]!
          leftWeights[c]! += weight
          leftTotal += weight
          histogram[bin * k + c] = 0
        }
        leftCount += binCounts[bin]!
        binCounts[bin] = 0
        lastLeft = bin
        lastLeftClass = binClass
      }
    }
    return occupiedBins > 1
  }

  /**
   * Scores the split that sends bins up to `lastLeft` left and keeps it when it beats the best.
   * `firstRight` is the next occupied bin.
   */
  private considerSplit(
    feature: number,
    leftCount: number,
    leftTotal: number,
    nodeWeights: Float64Array,
    nodeTotal: number,
    lastLeft: number,
    firstRight: number,
  ): void {
    const score = this.scoreSplit(this.leftWeights, leftTotal, nodeWeights, nodeTotal - leftTotal)
    if (score > this.bestScore) {
      this.bestScore = score
      this.bestFeature = feature
      this.bestLeftCount = leftCount
      // Any bin from lastLeft to firstRight - 1 splits the node's examples the same way, and the
      // middle one (in bin index, so in quantiles) keeps the threshold away from both.
      this.bestBin = (lastLeft + firstRight - 1) >>> 1
    }
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

  /** Makes room for features of up to 32 × `words` bins. */
  private growWorkspaces(words: number): void {
    this.occupied = new Int32Array(words)
    this.binCounts = new Int32Array(words * 32)
    this.histogram = new Float64Array(words * 32 * this.classCount)
  }
}

/** Class of a bin that contains more than one class. */
const MIXED = -1
/** Class of a bin before any class has been seen in it. */
const NO_CLASS = -2
