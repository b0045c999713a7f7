import type { FeatureRow } from './examples'
import { LEAF, type DecisionTree } from './tree'

/**
 * All trees of a forest in three flat arrays, for prediction. Node ids are global: tree t starts
 * at `roots[t]`, and a split node sends a row to `left[node]` when `row[feature[node]] <=
 * threshold[node]`, else to `left[node] + 1`. One set of arrays keeps the hot loop monomorphic
 * and the nodes of all trees close together in memory.
 */
export class PackedForest {
  private constructor(
    private readonly roots: Int32Array,
    private readonly feature: Int32Array,
    private readonly threshold: Float64Array,
    private readonly left: Int32Array,
    /** Class probabilities of every node, `classCount` per node. */
    private readonly probabilities: Float64Array,
    private readonly classCount: number,
  ) {}

  /** Copies the trees into flat arrays. Costs O(total nodes × classes). */
  static from(trees: readonly DecisionTree[], classCount: number): PackedForest {
    const total = trees.reduce((sum, tree) => sum + tree.nodeCount, 0)
    const roots = new Int32Array(trees.length)
    const feature = new Int32Array(total)
    const threshold = new Float64Array(total)
    const left = new Int32Array(total)
    const probabilities = new Float64Array(total * classCount)
    let offset = 0
    trees.forEach((tree, t) => {
      roots[t] = offset
      for (let node = 0; node < tree.nodeCount; node++) {
        feature[offset + node] = tree.feature[node]!
        threshold[offset + node] = tree.threshold[node]!
        left[offset + node] = tree.left[node]! + offset
      }
      probabilities.set(tree.nodeProbabilities(), offset * classCount)
      offset += tree.nodeCount
    })
    return new PackedForest(roots, feature, threshold, left, probabilities, classCount)
  }

  /**
   * Adds the leaf probabilities of every tree for `row` to `totals[to, to + classCount)`.
   * Four trees walk at once, so the processor overlaps their chains of dependent loads.
   */
  addLeafProbabilities(row: FeatureRow, totals: Float64Array, to: number): void {
    const { roots, feature, threshold, left } = this
    const treeCount = roots.length
    let t = 0
    for (; t + 3 < treeCount; t += 4) {
      let a = roots[t]!
      let b = roots[t + 1]!
      let c = roots[t + 2]!
      let d = roots[t + 3]!
      let fa = feature[a]!
      let fb = feature[b]!
      let fc = feature[c]!
      let fd = feature[d]!
      while (fa !== LEAF || fb !== LEAF || fc !== LEAF || fd !== LEAF) {
        if (fa !== LEAF) {
          a = row[fa]! <= threshold[a]! ? left[a]! : left[a]! + 1
          fa = feature[a]!
        }
        if (fb !== LEAF) {
          b = row[fb]! <= threshold[b]! ? left[b]! : left[b]! + 1
          fb = feature[b]!
        }
        if (fc !== LEAF) {
          c = row[fc]! <= threshold[c]! ? left[c]! : left[c]! + 1
          fc = feature[c]!
        }
        if (fd !== LEAF) {
          d = row[fd]! <= threshold[d]! ? left[d]! : left[d]! + 1
          fd = feature[d]!
        }
      }
      this.addLeaf(a, totals, to)
      this.addLeaf(b, totals, to)
      this.addLeaf(c, totals, to)
      this.addLeaf(d, totals, to)
    }
    for (; t < treeCount; t++) {
      let node = roots[t]!
      let f = feature[node]!
      while (f !== LEAF) {
        node = row[f]! <= threshold[node]! ? left[node]! : left[node]! + 1
        f = feature[node]!
      }
      this.addLeaf(node, totals, to)
    }
  }

  private addLeaf(node: number, totals: Float64Array, to: number): void {
    const k = this.classCount
    const from = node * k
    for (let c = 0; c < k; c++) totals[to + c]! += this.probabilities[from + c]!
  }
}
