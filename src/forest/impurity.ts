import type { SplitCriterion } from './options'

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
