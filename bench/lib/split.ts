import type { DatasetFeatures } from './feature-source'

/** Indexes of the training and test halves of a set. */
export interface TrainTestSplit {
  train: number[]
  test: number[]
}

/**
 * Splits a set 50/50 within each class: the images of a class, sorted by id, alternate between
 * training and test. The split depends only on the ids and labels, so it is the same on every run.
 */
export function splitInHalves(data: Pick<DatasetFeatures, 'ids' | 'labels'>): TrainTestSplit {
  const order = data.ids.map((_, i) => i)
  order.sort(
    (a, b) => compare(data.labels[a]!, data.labels[b]!) || compare(data.ids[a]!, data.ids[b]!),
  )
  const seen = new Map<string, number>()
  const split: TrainTestSplit = { train: [], test: [] }
  for (const i of order) {
    const position = seen.get(data.labels[i]!) ?? 0
    seen.set(data.labels[i]!, position + 1)
    ;(position % 2 === 0 ? split.train : split.test).push(i)
  }
  return split
}

function compare(a: string, b: string): number {
  if (a < b) return -1
  if (a > b) return 1
  return 0
}
