/**
 * Returns the area under the ROC curve of scores for binary labels (Mann-Whitney U with tied
 * scores sharing their average rank), or NaN when either class is missing.
 */
export function rocAuc(scores: readonly number[], positives: readonly boolean[]): number {
  const order = scores.map((_, i) => i).sort((a, b) => scores[a]! - scores[b]!)
  const ranks = new Float64Array(scores.length)
  for (let start = 0; start < order.length;) {
    let end = start + 1
    while (end < order.length && scores[order[end]!] === scores[order[start]!]) end++
    const averageRank = (start + end + 1) / 2
    for (let i = start; i < end; i++) ranks[order[i]!] = averageRank
    start = end
  }
  let positiveCount = 0
  let positiveRankSum = 0
  positives.forEach((positive, i) => {
    if (!positive) return
    positiveCount++
    positiveRankSum += ranks[i]!
  })
  const negativeCount = positives.length - positiveCount
  if (positiveCount === 0 || negativeCount === 0) return Number.NaN
  return (
    (positiveRankSum - (positiveCount * (positiveCount + 1)) / 2) / (positiveCount * negativeCount)
  )
}

/**
 * Mean-vector-difference baseline: scores each vector by its dot product with (mean liked −
 * mean disliked) training vector; a missing class contributes a zero mean.
 */
export function meanDifferenceScores(
  liked: readonly Float32Array[],
  disliked: readonly Float32Array[],
  vectors: readonly Float32Array[],
): number[] {
  const dimensions = vectors[0]?.length ?? 0
  const direction = new Float64Array(dimensions)
  for (const vector of liked)
    for (let i = 0; i < dimensions; i++) direction[i]! += vector[i]! / liked.length
  for (const vector of disliked) {
    for (let i = 0; i < dimensions; i++) direction[i]! -= vector[i]! / disliked.length
  }
  return vectors.map((vector) => {
    let dot = 0
    for (let i = 0; i < dimensions; i++) dot += vector[i]! * direction[i]!
    return dot
  })
}

export function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length
}

/** Sample standard deviation (n − 1 in the denominator); 0 for fewer than two values. */
export function standardDeviation(values: readonly number[]): number {
  if (values.length < 2) return 0
  const average = mean(values)
  const squares = values.reduce((sum, value) => sum + (value - average) ** 2, 0)
  return Math.sqrt(squares / (values.length - 1))
}
