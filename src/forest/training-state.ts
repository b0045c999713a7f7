import { BinnedColumns } from './binning'
import type { FeatureRow } from './examples'
import type { GrowthInput } from './grow'
import { poissonBootstrapCount } from './random'

/**
 * Training set of a forest, kept next to it between incremental updates. It contains the raw rows
 * for rebuilds and the rows binned with the edges of the last full build. Per tree it also contains
 * each example's bootstrap count and the leaf it ends in. Example i is the i-th example seen.
 */
export class TrainingState {
  readonly rows: FeatureRow[] = []
  readonly labelTexts: string[] = []
  labels: Uint16Array
  readonly bootstrapCounts: Uint8Array[]
  /** `leafOf[t][i]` is the leaf of tree t that example i ends in, or -1 when i is out of bag. */
  readonly leafOf: Int32Array[]

  private constructor(
    readonly binned: BinnedColumns,
    private readonly treeCount: number,
    private readonly seed: number,
    private readonly bootstrap: boolean,
    capacity: number,
  ) {
    this.labels = new Uint16Array(capacity)
    this.bootstrapCounts = Array.from({ length: treeCount }, () => new Uint8Array(capacity))
    this.leafOf = Array.from({ length: treeCount }, () => new Int32Array(capacity).fill(-1))
  }

  /**
   * Bins `rows` with edges computed from the first `examplesAtBuild` of them and draws every
   * bootstrap count. `classIndexOf` maps a label to its class index.
   */
  static create(
    rows: readonly FeatureRow[],
    labels: readonly string[],
    classIndexOf: ReadonlyMap<string, number>,
    featureCount: number,
    examplesAtBuild: number,
    options: { nEstimators: number; seed: number; bootstrap: boolean; maxBins: number },
  ): TrainingState {
    const binned = BinnedColumns.fromRows(
      rows.slice(0, examplesAtBuild),
      featureCount,
      options.maxBins,
    )
    const state = new TrainingState(
      binned,
      options.nEstimators,
      options.seed,
      options.bootstrap,
      Math.max(16, rows.length),
    )
    for (let i = 0; i < rows.length; i++) {
      state.append(rows[i]!, labels[i]!, classIndexOf.get(labels[i]!)!, i < examplesAtBuild)
    }
    return state
  }

  get size(): number {
    return this.rows.length
  }

  /**
   * Appends one example and draws its bootstrap count in every tree. Returns its index.
   * `alreadyBinned` is true for the rows that `BinnedColumns.fromRows` binned.
   */
  append(row: FeatureRow, label: string, classIndex: number, alreadyBinned = false): number {
    const index = this.rows.length
    if (!alreadyBinned) this.binned.append(row)
    if (index === this.labels.length) this.grow()
    this.rows.push(row)
    this.labelTexts.push(label)
    this.labels[index] = classIndex
    for (let t = 0; t < this.treeCount; t++) {
      const count = this.bootstrap ? poissonBootstrapCount(this.seed, t, index) : 1
      this.bootstrapCounts[t]![index] = Math.min(255, count)
      this.leafOf[t]![index] = -1
    }
    return index
  }

  /** Returns what tree growth reads for tree `tree`. */
  growthInput(tree: number, classWeights: Float64Array): GrowthInput {
    return {
      columns: this.binned.columns,
      edges: this.binned.edges,
      labels: this.labels,
      bootstrapCounts: this.bootstrapCounts[tree]!,
      classWeights,
      leafOf: this.leafOf[tree]!,
    }
  }

  private grow(): void {
    const capacity = this.labels.length * 2
    const labels = new Uint16Array(capacity)
    labels.set(this.labels)
    this.labels = labels
    for (let t = 0; t < this.treeCount; t++) {
      const counts = new Uint8Array(capacity)
      counts.set(this.bootstrapCounts[t]!)
      this.bootstrapCounts[t] = counts
      const leaves = new Int32Array(capacity).fill(-1)
      leaves.set(this.leafOf[t]!)
      this.leafOf[t] = leaves
    }
  }
}
