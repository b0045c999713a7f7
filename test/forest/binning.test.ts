import { describe, expect, it } from 'vitest'

import { BinnedColumns, binIndex, computeBinEdges, paddedEdges } from '../../src/forest/binning'
import { RadixSorter } from '../../src/forest/radix-sort'
import { SeededRandom } from '../../src/forest/random'

/** Returns the indices of `values` sorted by value, -0 before +0, ties in index order. */
function referenceOrder(values: Float64Array): number[] {
  const isPositiveZero = (value: number): number => (Object.is(value, 0) ? 1 : 0)
  return Array.from(values.keys()).sort(
    (a, b) =>
      values[a]! - values[b]! || isPositiveZero(values[a]!) - isPositiveZero(values[b]!) || a - b,
  )
}

describe('RadixSorter', () => {
  it('sorts mixed signs, zeros, duplicates and extremes', () => {
    const random = new SeededRandom(5)
    const special = [0, -0, 1, -1, 1e-310, -1e-310, 1e300, -1e300, 0.1, 0.1 + 2 ** -55, 3, 3]
    const values = Float64Array.from({ length: 500 }, (_, i) =>
      i < special.length ? special[i]! : (random.nextUint32() / 2 ** 32 - 0.5) * 10 ** (i % 7),
    )
    const order = new Uint32Array(values.length)

    new RadixSorter(values.length).sortIndices(values, order)

    expect(Array.from(order)).toEqual(referenceOrder(values))
  })

  it('sorts float32 values widened to float64', () => {
    const random = new SeededRandom(8)
    const values = Float64Array.from(
      Float32Array.from({ length: 300 }, () => (random.nextUint32() % 50) / 7),
    )
    const order = new Uint32Array(values.length)

    new RadixSorter(values.length).sortIndices(values, order)

    expect(Array.from(order)).toEqual(referenceOrder(values))
  })
})

describe('BinnedColumns.fromRows', () => {
  it('bins every value like binIndex', () => {
    const random = new SeededRandom(12)
    const rows = Array.from({ length: 700 }, (_, i) => [
      random.nextUint32() / 2 ** 32,
      (random.nextUint32() % 40) - 20,
      i % 3 === 0 ? 0 : Math.fround(random.nextUint32() / 2 ** 20),
    ])

    const binned = BinnedColumns.fromRows(rows, 3, 255)

    for (let j = 0; j < 3; j++) {
      const padded = paddedEdges(binned.edges[j]!)
      expect(binned.edges[j]!.length).toBeLessThanOrEqual(254)
      rows.forEach((row, i) => {
        expect(binned.columns[j]![i]).toBe(binIndex(padded, row[j]!))
      })
    }
    expect(binned.edges[1]!.length).toBe(39)
  })

  it('gives each of 1,000 distinct values its own bin', () => {
    const rows = Array.from({ length: 1000 }, (_, i) => [(i * 7919) % 1000])

    const binned = BinnedColumns.fromRows(rows, 1, 1000)

    expect(binned.edges[0]!.length).toBe(999)
    expect(binned.edges[0]![998]).toBe(998.5)
    rows.forEach((row, i) => expect(binned.columns[0]![i]).toBe(row[0]))
  })

  it('keeps the bins of appended rows', () => {
    const binned = BinnedColumns.fromRows([[1], [2], [3]], 1, 255)

    const index = binned.append([2.5])

    expect(index).toBe(3)
    expect(Array.from(binned.edges[0]!)).toEqual([1.5, 2.5])
    expect(Array.from(binned.columns[0]!.subarray(0, 4))).toEqual([0, 1, 2, 1])
  })
})

describe('computeBinEdges', () => {
  it('separates adjacent doubles', () => {
    // Their midpoint rounds up to the larger one, which must stay above the edge.
    const low = 1 + 2 ** -52
    const high = 1 + 2 ** -51
    const edges = computeBinEdges(Float64Array.of(low, high), 255)
    const padded = paddedEdges(edges)

    expect(Array.from(edges)).toEqual([low])
    expect(binIndex(padded, low)).toBe(0)
    expect(binIndex(padded, high)).toBe(1)
  })

  it('puts edges at midpoints while values fit the bins', () => {
    const edges = computeBinEdges(Float64Array.of(0, 0, 1, 3, 3, 7), 4)

    expect(Array.from(edges)).toEqual([0.5, 2, 5])
  })

  it('falls back to quantiles when values outnumber the bins', () => {
    const sorted = Float64Array.from({ length: 100 }, (_, i) => i)

    const edges = computeBinEdges(sorted, 4)

    expect(Array.from(edges)).toEqual([24.5, 49.5, 74.5])
  })
})
