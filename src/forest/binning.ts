import type { FeatureRow } from './examples'
import { RadixSorter } from './radix-sort'

/**
 * Returns the quantile bin edges of one feature, ascending and distinct. A value v falls in bin
 * b = the number of edges below v, so `bin(v) <= b` is true exactly when `v <= edges[b]` and a split
 * on a bin converts to a raw threshold without error. With at most `maxBins` distinct values every
 * gap between neighbours gets an edge at its midpoint, the threshold scikit-learn would use.
 * Otherwise the edges sit at the midpoints nearest to the 1/maxBins quantiles. `sortedValues` must
 * be sorted ascending. The result is a view of the first values of an array padded for `binIndex`.
 */
export function computeBinEdges(sortedValues: Float64Array, maxBins: number): Float64Array {
  const n = sortedValues.length
  let distinct = n === 0 ? 0 : 1
  for (let i = 1; i < n; i++) if (sortedValues[i] !== sortedValues[i - 1]) distinct++

  const padded = new Float64Array(paddedLength(Math.min(distinct, maxBins) - 1)).fill(Infinity)
  let count = 0
  const step = n / maxBins
  let nextQuantile = step
  let i = 0
  while (i < n && count < maxBins - 1) {
    const value = sortedValues[i]!
    let end = i + 1
    while (end < n && sortedValues[end] === value) end++
    if (end >= n) break

    if (distinct <= maxBins || end >= nextQuantile) {
      padded[count++] = midpoint(value, sortedValues[end]!)
      while (nextQuantile <= end) nextQuantile += step
    }
    i = end
  }
  return padded.subarray(0, count)
}

/** Returns the smallest power of two above `edgeCount`, so a padded array ends in +Infinity. */
function paddedLength(edgeCount: number): number {
  let length = 1
  while (length <= edgeCount) length *= 2
  return length
}

/** Returns the whole padded array behind `edges` from `computeBinEdges`, for `binIndex`. */
export function paddedEdges(edges: Float64Array): Float64Array {
  return new Float64Array(edges.buffer, edges.byteOffset, edges.buffer.byteLength / 8)
}

/**
 * Returns the bin of a finite `value`: the number of edges below it, searched in `padded` from
 * `paddedEdges`, whose length is a power of two. The search takes log2 of that length in fixed
 * steps and adds each comparison result instead of branching on it, so it has no data-dependent
 * branch.
 */
export function binIndex(padded: Float64Array, value: number): number {
  let bin = 0
  for (let step = padded.length >> 1; step > 0; step >>= 1) {
    bin += step * +(value > padded[bin + step - 1]!)
  }
  return bin + +(value > padded[bin]!)
}

/**
 * Returns a point at least `low` and below `high`, as close to their midpoint as doubles allow.
 * When `low` and `high` are adjacent doubles the midpoint rounds to one of them, and only `low`
 * keeps `high` above the edge.
 */
function midpoint(low: number, high: number): number {
  const middle = low / 2 + high / 2
  return middle > low && middle < high ? middle : low
}

/**
 * Sets `bins[order[p]]` to the number of edges below `sorted[p]`, for values sorted ascending
 * (`sorted[p]` is the value of example `order[p]`). One merge pass, because both are sorted.
 */
function assignSortedBins(
  sorted: Float64Array,
  order: Uint32Array,
  edges: Float64Array,
  bins: Uint16Array,
): void {
  let bin = 0
  for (let p = 0; p < sorted.length; p++) {
    const value = sorted[p]!
    while (bin < edges.length && value > edges[bin]!) bin++
    bins[order[p]!] = bin
  }
}

/** Number of features copied to column-major order at a time by `BinnedColumns.fromRows`. */
const TRANSPOSE_BLOCK = 32

/**
 * Training features binned column by column: `columns[j][i]` is the bin of feature j of example
 * i, below 65,536. Examples appended after construction are binned with the edges computed at
 * construction.
 */
export class BinnedColumns {
  private constructor(
    /** The bin edges of each feature, from `computeBinEdges`. */
    readonly edges: Float64Array[],
    readonly columns: Uint16Array[],
    public size: number,
  ) {
    this.padded = edges.map(paddedEdges)
  }

  /** The edges of each feature padded by +Infinity, for `binIndex`. */
  private readonly padded: Float64Array[]

  get featureCount(): number {
    return this.edges.length
  }

  /**
   * Computes the bin edges of every feature from `rows` and bins the rows. Features are copied
   * into column-major order a block at a time, so the rows are read sequentially. Each column is
   * sorted once, by index, and its values get their bins in that order, by a merge with the edges.
   * `maxBins` must be at most 65,536.
   */
  static fromRows(
    rows: readonly FeatureRow[],
    featureCount: number,
    maxBins: number,
  ): BinnedColumns {
    const n = rows.length
    const capacity = Math.max(16, n)
    const edges: Float64Array[] = []
    const columns: Uint16Array[] = []
    const values = new Float64Array(TRANSPOSE_BLOCK * n)
    const sorted = new Float64Array(n)
    const order = new Uint32Array(n)
    const sorter = new RadixSorter(n)
    for (let start = 0; start < featureCount; start += TRANSPOSE_BLOCK) {
      const end = Math.min(featureCount, start + TRANSPOSE_BLOCK)
      for (let i = 0; i < n; i++) {
        const row = rows[i]!
        for (let j = start; j < end; j++) values[(j - start) * n + i] = row[j]!
      }
      for (let j = start; j < end; j++) {
        const column = values.subarray((j - start) * n, (j - start + 1) * n)
        sorter.sortIndices(column, order)
        for (let p = 0; p < n; p++) sorted[p] = column[order[p]!]!
        const featureEdges = computeBinEdges(sorted, maxBins)
        const bins = new Uint16Array(capacity)
        assignSortedBins(sorted, order, featureEdges, bins)
        edges.push(featureEdges)
        columns.push(bins)
      }
    }
    return new BinnedColumns(edges, columns, n)
  }

  /** Bins one row with the existing edges and appends it. Returns its example index. */
  append(row: FeatureRow): number {
    const index = this.size
    if (index === this.columns[0]!.length) this.grow()
    for (let j = 0; j < this.edges.length; j++) {
      this.columns[j]![index] = binIndex(this.padded[j]!, row[j]!)
    }
    this.size++
    return index
  }

  private grow(): void {
    for (let j = 0; j < this.columns.length; j++) {
      const larger = new Uint16Array(this.columns[j]!.length * 2)
      larger.set(this.columns[j]!)
      this.columns[j] = larger
    }
  }
}
