import { FeatureForestError } from '../errors'

/** One feature vector, such as a Float32Array from the embedding pipeline or a number[]. */
export type FeatureRow = ArrayLike<number>

/** Labelled training examples: `features[i]` has label `labels[i]`. */
export interface LabelledExamples {
  readonly features: readonly FeatureRow[]
  readonly labels: readonly string[]
}

/**
 * Checks that the examples are non-empty, that every row has the same length and only finite
 * numbers, and that every label is a string. Returns the number of features.
 * Throws FeatureForestError('invalid_request') naming the first bad row.
 */
export function checkLabelledExamples(examples: LabelledExamples): number {
  const { features, labels } = examples
  if (!Array.isArray(features) || !Array.isArray(labels)) {
    throw invalid('training examples need a features array and a labels array')
  }
  if (features.length === 0) {
    throw invalid('the training set is empty; a forest needs at least one labelled example')
  }
  if (features.length !== labels.length) {
    throw invalid(
      `the training set has ${features.length} feature rows but ${labels.length} labels; pass one label per row`,
    )
  }
  const featureCount = features[0]?.length ?? 0
  if (featureCount === 0) {
    throw invalid('training row 0 has no features; each row needs at least one value')
  }
  for (let i = 0; i < features.length; i++) {
    checkFeatureRow(features[i], featureCount, `training row ${i}`)
    checkLabel(labels[i], `training row ${i}`)
  }
  return featureCount
}

/** Checks one row's length and values. Throws FeatureForestError('invalid_request'). */
export function checkFeatureRow(
  row: FeatureRow | undefined,
  featureCount: number,
  name: string,
): void {
  if (row === undefined || row === null || typeof row.length !== 'number') {
    throw invalid(`${name} is missing or is not an array of numbers`)
  }
  if (row.length !== featureCount) {
    throw invalid(
      `${name} has ${row.length} features, expected ${featureCount}; every row must have the same length`,
    )
  }
  if ((row instanceof Float32Array || row instanceof Float64Array) && allFinite(row)) return
  for (let j = 0; j < featureCount; j++) {
    const value = row[j]
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw invalid(
        `${name} has an invalid value ${String(value)} at feature ${j}; features must be finite numbers`,
      )
    }
  }
}

/**
 * Returns whether every value of `row` is a finite number. Multiplying by 0 gives 0 for every
 * finite value and NaN for NaN or ±Infinity (or anything that is not a number). Four independent
 * sums let the processor overlap the additions instead of waiting on each one.
 */
export function allFinite(row: FeatureRow): boolean {
  let check0 = 0
  let check1 = 0
  let check2 = 0
  let check3 = 0
  const length = row.length
  let j = 0
  for (; j + 3 < length; j += 4) {
    check0 += row[j]! * 0
    check1 += row[j + 1]! * 0
    check2 += row[j + 2]! * 0
    check3 += row[j + 3]! * 0
  }
  for (; j < length; j++) check0 += row[j]! * 0
  return check0 + check1 + check2 + check3 === 0
}

/** Checks that a label is a string. Throws FeatureForestError('invalid_request'). */
export function checkLabel(label: unknown, name: string): asserts label is string {
  if (typeof label !== 'string') {
    throw invalid(
      `${name} has label ${String(label)} of type ${typeof label}; labels must be strings`,
    )
  }
}

/** Returns the distinct labels in code-unit order, which fixes the order of class probabilities. */
export function sortedClasses(labels: readonly string[]): string[] {
  return [...new Set(labels)].sort()
}

function invalid(message: string): FeatureForestError {
  return new FeatureForestError('invalid_request', message)
}
