/** Impurity measure that split search minimises. */
export type SplitCriterion = 'gini' | 'entropy'

/**
 * Number of features drawn at random for each split: `'sqrt'` (⌊√d⌋), `'log2'` (⌊log2 d⌋), `'all'`,
 * or an integer count, capped at d. At least one feature is always drawn.
 */
export type MaxFeatures = 'sqrt' | 'log2' | 'all' | number

/**
 * Weight of each class in impurity and leaf frequencies. `null` gives every class weight 1, and
 * `'balanced'` gives n / (classCount × examplesOfClass), as scikit-learn does. An explicit map
 * gives each label a positive weight, and a label missing from the map gets weight 1.
 */
export type ClassWeight = 'balanced' | Readonly<Record<string, number>> | null

/** Options of a random forest build and of its incremental updates. */
export interface ForestOptions {
  /** Number of trees. */
  nEstimators: number
  /** Features tried at each split (Breiman's per-split random subset). */
  maxFeatures: MaxFeatures
  criterion: SplitCriterion
  /** Maximum depth of a leaf, where the root has depth 0; `Infinity` grows trees until pure. */
  maxDepth: number
  /** Minimum number of distinct training examples in a leaf. */
  minSamplesLeaf: number
  /**
   * Whether each tree trains on a Poisson(1) bootstrap sample (each example weighted by a count
   * drawn from Poisson(1)) instead of every example once.
   */
  bootstrap: boolean
  classWeight: ClassWeight
  /** Maximum number of quantile bins per feature, from 2 to 65,536. */
  maxBins: number
  /** Seed of every random choice, an integer from 0 to 2^32 − 1. */
  seed: number
  /**
   * Growth of the training set since the last full build, as a fraction of its size at that
   * build, after which the next update rebuilds the forest (and its bins) from scratch.
   * `Infinity` never rebuilds and `0` rebuilds on every update.
   */
  rebuildAfterGrowth: number
}

/**
 * Default options. 100 trees and √d features per split follow Breiman (2001) and scikit-learn.
 * Trees grow until their leaves are pure, with Gini impurity and one example per leaf at least.
 * Each tree trains on a Poisson(1) bootstrap sample, and every class has weight 1.
 * 512 bins give every distinct value of a feature its own bin in training sets of up to 512
 * examples, which covers the named classifiers (at most 500). Thresholds then fall at the
 * midpoints between neighbouring values, where scikit-learn puts them. Seed 42 makes builds
 * reproducible when the caller gives none. A rebuild happens once the training set has grown by 25% since the last full
 * build, which bounds how far the bins and the upper splits can drift from a fresh build.
 */
export const DEFAULT_FOREST_OPTIONS: Readonly<ForestOptions> = Object.freeze({
  nEstimators: 100,
  maxFeatures: 'sqrt',
  criterion: 'gini',
  maxDepth: Infinity,
  minSamplesLeaf: 1,
  bootstrap: true,
  classWeight: null,
  maxBins: 512,
  seed: 42,
  rebuildAfterGrowth: 0.25,
})

/** Merges options with the defaults and checks each value. Throws TypeError or RangeError. */
export function resolveForestOptions(options: Partial<ForestOptions> = {}): ForestOptions {
  const resolved: ForestOptions = { ...DEFAULT_FOREST_OPTIONS, ...dropUndefined(options) }

  requireInteger('nEstimators', resolved.nEstimators, 1, 100_000)
  checkMaxFeatures(resolved.maxFeatures)
  if (resolved.criterion !== 'gini' && resolved.criterion !== 'entropy') {
    throw new TypeError(`criterion must be 'gini' or 'entropy', got ${quote(resolved.criterion)}`)
  }
  if (resolved.maxDepth !== Infinity) requireInteger('maxDepth', resolved.maxDepth, 0, 10_000)
  requireInteger('minSamplesLeaf', resolved.minSamplesLeaf, 1, 2 ** 31 - 1)
  if (typeof resolved.bootstrap !== 'boolean') {
    throw new TypeError(`bootstrap must be a boolean, got ${quote(resolved.bootstrap)}`)
  }
  checkClassWeight(resolved.classWeight)
  requireInteger('maxBins', resolved.maxBins, 2, 65_536)
  requireInteger('seed', resolved.seed, 0, 2 ** 32 - 1)
  if (typeof resolved.rebuildAfterGrowth !== 'number' || !(resolved.rebuildAfterGrowth >= 0)) {
    throw new RangeError(
      `rebuildAfterGrowth must be a number ≥ 0 or Infinity, got ${quote(resolved.rebuildAfterGrowth)}`,
    )
  }
  return resolved
}

/** Returns how many features each split tries when the data has `featureCount` features. */
export function featuresPerSplit(maxFeatures: MaxFeatures, featureCount: number): number {
  let count: number
  if (maxFeatures === 'sqrt') count = Math.floor(Math.sqrt(featureCount))
  else if (maxFeatures === 'log2') count = Math.floor(Math.log2(featureCount))
  else if (maxFeatures === 'all') count = featureCount
  else count = maxFeatures
  return Math.max(1, Math.min(featureCount, count))
}

function checkMaxFeatures(value: unknown): void {
  if (value === 'sqrt' || value === 'log2' || value === 'all') return
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1) return
  throw new RangeError(
    `maxFeatures must be 'sqrt', 'log2', 'all' or an integer ≥ 1, got ${quote(value)}`,
  )
}

function checkClassWeight(value: unknown): void {
  if (value === null || value === 'balanced') return
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError(
      `classWeight must be null, 'balanced' or a map from label to weight, got ${quote(value)}`,
    )
  }
  for (const [label, weight] of Object.entries(value as Record<string, unknown>)) {
    if (typeof weight !== 'number' || !Number.isFinite(weight) || weight <= 0) {
      throw new RangeError(
        `classWeight[${JSON.stringify(label)}] must be a positive finite number, got ${quote(weight)}`,
      )
    }
  }
}

function requireInteger(name: string, value: unknown, min: number, max: number): void {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new TypeError(`${name} must be an integer, got ${quote(value)}`)
  }
  if (value < min || value > max) {
    throw new RangeError(`${name} must be between ${min} and ${max}, got ${value}`)
  }
}

function dropUndefined<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(options).filter(([, value]) => value !== undefined),
  ) as Partial<T>
}

function quote(value: unknown): string {
  if (typeof value === 'string') return `'${value}'`
  if (typeof value === 'object' && value !== null) return JSON.stringify(value)
  return String(value)
}
