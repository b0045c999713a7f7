import type { FeatureRow } from './examples'
import { LEAF, type DecisionTree } from './tree'

/**
 * Int32 slots per node record: feature, child offset and a float64 threshold (two slots). A
 * record offset shifted right by 2 is the node's index.
 */
const NODE_SLOTS = 4

/**
 * All trees of a forest in one array of 16-byte node records, for prediction. The record of a
 * node at int32 offset `a` contains its feature at `a`, the offset of its left child at `a + 1` (the
 * right child's record follows the left one) and its threshold as a float64 at int32 offset
 * `a + 2`. A split sends a row right when `row[feature] > threshold`, which for thresholds that
 * are not NaN is the same decision as the trees' `row[feature] <= threshold` going left.
 *
 * A leaf points to itself, with feature 0 and threshold +Infinity, so a finite value never leaves
 * it. The walk can then pick children by arithmetic instead of branches, and a group of trees
 * walks in lock step until no tree moves.
 */
export class PackedForest {
  private constructor(
    /** Record offset of each tree's root. */
    private readonly roots: Int32Array,
    private readonly nodes: Int32Array,
    /** Float64 view of `nodes`: the threshold of the record at int32 offset a is at a / 2 + 1. */
    private readonly thresholds: Float64Array,
    /** Class probabilities of every node, `classCount` per node, in record order. */
    private readonly probabilities: Float64Array,
    /** Most probable class of every node (the lowest index on ties), in record order. */
    private readonly votes: Int32Array,
    readonly classCount: number,
    private readonly sources: readonly DecisionTree[],
    private readonly revisions: Int32Array,
  ) {}

  /** Copies the trees into one node array. Costs O(total nodes × classes). */
  static from(trees: readonly DecisionTree[], classCount: number): PackedForest {
    const total = trees.reduce((sum, tree) => sum + tree.nodeCount, 0)
    const nodes = new Int32Array(total * NODE_SLOTS)
    const thresholds = new Float64Array(nodes.buffer)
    const roots = new Int32Array(trees.length)
    const probabilities = new Float64Array(total * classCount)
    const votes = new Int32Array(total)
    let offset = 0
    trees.forEach((tree, t) => {
      roots[t] = offset * NODE_SLOTS
      for (let node = 0; node < tree.nodeCount; node++) {
        const record = (offset + node) * NODE_SLOTS
        if (tree.feature[node] === LEAF) {
          nodes[record] = 0
          nodes[record + 1] = record
          thresholds[(record >> 1) + 1] = Infinity
        } else {
          nodes[record] = tree.feature[node]!
          nodes[record + 1] = (offset + tree.left[node]!) * NODE_SLOTS
          // `value <= NaN` is false for every value, so a NaN threshold sends every row right.
          const threshold = tree.threshold[node]!
          thresholds[(record >> 1) + 1] = Number.isNaN(threshold) ? -Infinity : threshold
        }
      }
      const treeProbabilities = tree.nodeProbabilities()
      probabilities.set(treeProbabilities, offset * classCount)
      for (let node = 0; node < tree.nodeCount; node++) {
        votes[offset + node] = argmaxRange(treeProbabilities, node * classCount, classCount)
      }
      offset += tree.nodeCount
    })
    const revisions = Int32Array.from(trees, (tree) => tree.revision)
    return new PackedForest(
      roots,
      nodes,
      thresholds,
      probabilities,
      votes,
      classCount,
      [...trees],
      revisions,
    )
  }

  /** Returns whether this copy still matches `trees`: the same trees, none changed since. */
  matches(trees: readonly DecisionTree[]): boolean {
    if (trees.length !== this.sources.length) return false
    for (let t = 0; t < trees.length; t++) {
      if (trees[t] !== this.sources[t] || trees[t]!.revision !== this.revisions[t]) return false
    }
    return true
  }

  get treeCount(): number {
    return this.roots.length
  }

  /**
   * Writes the record offset of the leaf that `row` reaches in tree t to `leaves[t]`, for every
   * tree. Every value of `row` must be finite. Four trees walk at once, so the processor overlaps
   * their chains of dependent loads, and a child is picked by adding the comparison result, so the
   * walk has no data-dependent branch before the group's deepest leaf.
   */
  findLeaves(row: FeatureRow, leaves: Int32Array): void {
    const { roots, nodes, thresholds } = this
    const treeCount = roots.length
    let t = 0
    for (; t + 3 < treeCount; t += 4) {
      let a = roots[t]!
      let b = roots[t + 1]!
      let c = roots[t + 2]!
      let d = roots[t + 3]!
      for (;;) {
        const nextA = nodes[a + 1]! + NODE_SLOTS * +(row[nodes[a]!]! > thresholds[(a >> 1) + 1]!)
        const nextB = nodes[b + 1]! + NODE_SLOTS * +(row[nodes[b]!]! > thresholds[(b >> 1) + 1]!)
        const nextC = nodes[c + 1]! + NODE_SLOTS * +(row[nodes[c]!]! > thresholds[(c >> 1) + 1]!)
        const nextD = nodes[d + 1]! + NODE_SLOTS * +(row[nodes[d]!]! > thresholds[(d >> 1) + 1]!)
        if (((nextA ^ a) | (nextB ^ b) | (nextC ^ c) | (nextD ^ d)) === 0) break
        a = nextA
        b = nextB
        c = nextC
        d = nextD
      }
      leaves[t] = a
      leaves[t + 1] = b
      leaves[t + 2] = c
      leaves[t + 3] = d
    }
    for (; t < treeCount; t++) {
      let a = roots[t]!
      for (;;) {
        const next = nodes[a + 1]! + NODE_SLOTS * +(row[nodes[a]!]! > thresholds[(a >> 1) + 1]!)
        if (next === a) break
        a = next
      }
      leaves[t] = a
    }
  }

  /**
   * Adds the probabilities of the leaves `leaves` (from `findLeaves`) to `totals[to, to + classCount)`.
   * Each class sums over the trees in order in a local variable, which rounds exactly as adding
   * tree by tree into a zeroed `totals` would, without a store and reload per tree.
   */
  addLeafProbabilities(leaves: Int32Array, totals: Float64Array, to: number): void {
    const k = this.classCount
    const probabilities = this.probabilities
    for (let c = 0; c < k; c++) {
      let sum = 0
      for (let t = 0; t < leaves.length; t++) sum += probabilities[(leaves[t]! >> 2) * k + c]!
      totals[to + c]! += sum
    }
  }

  /** Returns the class that the leaf at record offset `leaf` votes for. */
  leafVote(leaf: number): number {
    return this.votes[leaf >> 2]!
  }
}

function argmaxRange(values: Float64Array, from: number, length: number): number {
  let best = 0
  for (let i = 1; i < length; i++) if (values[from + i]! > values[from + best]!) best = i
  return best
}
