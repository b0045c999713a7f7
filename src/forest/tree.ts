/** Value of `feature` at a leaf. */
export const LEAF = -1

/**
 * One decision tree in flat typed arrays, indexed by node. The root is node 0. A split node sends
 * a row left when `row[feature] <= threshold` (equivalently `bin <= splitBin` for binned rows),
 * to node `left`, and right otherwise, to node `left + 1`. Children always come after their
 * parent, so the arrays hold no cycles.
 */
export class DecisionTree {
  nodeCount = 0
  feature: Int32Array
  threshold: Float64Array
  splitBin: Uint16Array
  left: Int32Array
  /**
   * Weighted class totals of the training examples that reach each node (bootstrap count × class
   * weight), `classCount` values per node. Leaf probabilities and impurity decreases derive from them.
   */
  classWeights: Float32Array
  /**
   * Count of changes made through the methods of this class, so copies such as `PackedForest`
   * can tell that they are stale. Writes straight into the public arrays do not count.
   */
  revision = 0
  private probabilities: Float64Array | null = null

  constructor(
    readonly classCount: number,
    capacity = 16,
  ) {
    this.feature = new Int32Array(capacity)
    this.threshold = new Float64Array(capacity)
    this.splitBin = new Uint16Array(capacity)
    this.left = new Int32Array(capacity)
    this.classWeights = new Float32Array(capacity * classCount)
  }

  /** Appends a leaf with zero class weights. Returns its index. */
  addLeaf(): number {
    if (this.nodeCount === this.feature.length) this.grow()
    const node = this.nodeCount++
    this.feature[node] = LEAF
    this.classWeights.fill(0, node * this.classCount, (node + 1) * this.classCount)
    this.changed()
    return node
  }

  /** Turns leaf `node` into a split and appends its two children as leaves. Returns the left child. */
  split(node: number, feature: number, threshold: number, splitBin: number): number {
    const leftChild = this.addLeaf()
    this.addLeaf()
    this.feature[node] = feature
    this.threshold[node] = threshold
    this.splitBin[node] = splitBin
    this.left[node] = leftChild
    this.changed()
    return leftChild
  }

  /** Overwrites the class weights of `node`. */
  setClassWeights(node: number, weights: ArrayLike<number>): void {
    const offset = node * this.classCount
    for (let c = 0; c < this.classCount; c++) this.classWeights[offset + c] = weights[c]!
    this.changed()
  }

  /** Adds `weight` to class `classIndex` of `node`. */
  addClassWeight(node: number, classIndex: number, weight: number): void {
    this.classWeights[node * this.classCount + classIndex]! += weight
    this.changed()
  }

  /**
   * Returns the class probabilities of every node (`classCount` per node): its class weights
   * divided by their sum, or uniform for a node no training example reached. Cached until the
   * tree changes.
   */
  nodeProbabilities(): Float64Array {
    if (this.probabilities) return this.probabilities
    const k = this.classCount
    const probabilities = new Float64Array(this.nodeCount * k)
    for (let node = 0; node < this.nodeCount; node++) {
      let total = 0
      for (let c = 0; c < k; c++) total += this.classWeights[node * k + c]!
      for (let c = 0; c < k; c++) {
        probabilities[node * k + c] = total > 0 ? this.classWeights[node * k + c]! / total : 1 / k
      }
    }
    this.probabilities = probabilities
    return probabilities
  }

  /** Returns the leaf that a raw feature row reaches. */
  findLeaf(row: ArrayLike<number>): number {
    const { feature, threshold, left } = this
    let node = 0
    let f = feature[0]!
    while (f !== LEAF) {
      node = row[f]! <= threshold[node]! ? left[node]! : left[node]! + 1
      f = feature[node]!
    }
    return node
  }

  /** Returns the leaf that binned example `example` reaches, and records the nodes on the way. */
  findBinnedLeaf(columns: readonly Uint16Array[], example: number, path?: number[]): number {
    const { feature, splitBin, left } = this
    let node = 0
    let f = feature[0]!
    while (f !== LEAF) {
      path?.push(node)
      node = columns[f]![example]! <= splitBin[node]! ? left[node]! : left[node]! + 1
      f = feature[node]!
    }
    return node
  }

  /** Returns the depth of every node, where the root has depth 0. */
  nodeDepths(): Int32Array {
    const depths = new Int32Array(this.nodeCount)
    for (let node = 0; node < this.nodeCount; node++) {
      if (this.feature[node] === LEAF) continue
      const leftChild = this.left[node]!
      depths[leftChild] = depths[node]! + 1
      depths[leftChild + 1] = depths[node]! + 1
    }
    return depths
  }

  private changed(): void {
    this.probabilities = null
    this.revision++
  }

  private grow(): void {
    const capacity = this.feature.length * 2
    this.feature = resize(this.feature, new Int32Array(capacity))
    this.threshold = resize(this.threshold, new Float64Array(capacity))
    this.splitBin = resize(this.splitBin, new Uint16Array(capacity))
    this.left = resize(this.left, new Int32Array(capacity))
    this.classWeights = resize(this.classWeights, new Float32Array(capacity * this.classCount))
  }
}

function resize<T extends Int32Array | Float64Array | Uint16Array | Float32Array>(
  from: T,
  to: T,
): T {
  to.set(from as never)
  return to
}
