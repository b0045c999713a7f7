import {
  deserializeForest,
  ForestTrainer,
  serializeForest,
  type ForestOptions,
  type RandomForest,
  type UpdateKind,
} from '../forest'

export type { RandomForest, UpdateKind }

/** Labelled feature vectors, in the order a forest learns them. */
export interface TrainingExamples {
  features: Float32Array[]
  labels: string[]
}

/** The class whose probability ranks recommendations. */
export const LIKE_CLASS = 'like'

/**
 * Options of per-user forests. 50 trees keep an incremental update well under the 50 ms rating
 * budget, and depth 12 bounds the cost of scoring candidates. Balanced class weights keep a user
 * who likes most of what they rate from getting a forest that predicts "like" everywhere.
 */
export const USER_FOREST_OPTIONS: Partial<ForestOptions> = {
  nEstimators: 50,
  maxDepth: 12,
  classWeight: 'balanced',
  seed: 20_231,
}

/** Options of named classifiers: the engine's defaults (100 trees, √d features per split). */
export const CLASSIFIER_OPTIONS: Partial<ForestOptions> = { seed: 7 }

/** Builds a trainer (a forest plus its training set) from scratch. */
export function buildTrainer(
  examples: TrainingExamples,
  options: Partial<ForestOptions>,
  backboneModelId: string,
  featureKind: string,
): ForestTrainer {
  return ForestTrainer.build(examples, options, { backboneModelId, featureKind })
}

/** Rebuilds the training state of a stored forest from the examples it has seen, in order. */
export function resumeTrainer(forest: RandomForest, examples: TrainingExamples): ForestTrainer {
  return ForestTrainer.resume(forest, examples)
}

/** Learns one example; returns whether the engine updated leaves or rebuilt the forest. */
export function learnExample(
  trainer: ForestTrainer,
  features: Float32Array,
  label: string,
): UpdateKind {
  return trainer.addExample(features, label)
}

/** Returns the out-of-bag accuracy, or null when no example was left out of every tree. */
export function outOfBagAccuracy(trainer: ForestTrainer): number | null {
  const accuracy = trainer.outOfBagAccuracy()
  return Number.isNaN(accuracy) ? null : accuracy
}

export function encodeForest(forest: RandomForest): Uint8Array {
  return serializeForest(forest)
}

export function decodeForest(bytes: ArrayBuffer | Uint8Array): RandomForest {
  return deserializeForest(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes))
}

/** Returns the class probabilities of each row, in the order of `forest.classes`. */
export function classProbabilities(forest: RandomForest, rows: Float32Array[]): Float64Array[] {
  return forest.predictProbabilities(rows)
}

/**
 * Returns, for each row, the probability of LIKE_CLASS and, with `withVotes`, the share of trees
 * that vote for it (else zeros, which saves a second pass over the trees). A forest without that
 * class gives 0 for both.
 */
export function likeScores(
  forest: RandomForest,
  rows: Float32Array[],
  withVotes = true,
): { probability: Float64Array; voteShare: Float64Array } {
  const probability = new Float64Array(rows.length)
  const voteShare = new Float64Array(rows.length)
  const like = forest.classes.indexOf(LIKE_CLASS)
  if (like < 0 || rows.length === 0) return { probability, voteShare }

  const probabilities = forest.predictProbabilities(rows)
  for (let r = 0; r < rows.length; r++) probability[r] = probabilities[r]![like]!
  if (!withVotes) return { probability, voteShare }
  const votes = forest.treeVotes(rows)
  for (let r = 0; r < rows.length; r++) {
    const treeVotes = votes[r]!
    let likes = 0
    for (const vote of treeVotes) if (vote === like) likes++
    voteShare[r] = likes / treeVotes.length
  }
  return { probability, voteShare }
}
