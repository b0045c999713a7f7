import type { ImageFeatures } from '../backbone/image-backbone'
import type { ForestTrainer } from '../forest'
import { buildTrainer, CLASSIFIER_OPTIONS, outOfBagAccuracy } from './forest-adapter'

/** Backbone output that a classifier learns from. 'both' concatenates the two (2,280 values). */
export type FeatureKind = 'probabilities' | 'embedding' | 'both'

export const FEATURE_KINDS: readonly FeatureKind[] = ['probabilities', 'embedding', 'both']

/** Feature kinds trained when the request names none; the better out-of-bag accuracy is kept. */
const DEFAULT_CANDIDATE_KINDS: readonly FeatureKind[] = ['embedding', 'probabilities']

/** Returns the feature vector of one kind. */
export function featuresOf(kind: FeatureKind, features: ImageFeatures): Float32Array {
  if (kind === 'probabilities') return features.probabilities
  if (kind === 'embedding') return features.embedding
  const both = new Float32Array(features.probabilities.length + features.embedding.length)
  both.set(features.probabilities)
  both.set(features.embedding, features.probabilities.length)
  return both
}

/** One trained candidate forest. */
export interface TrainedClassifier {
  featureKind: FeatureKind
  trainer: ForestTrainer
  outOfBagAccuracy: number | null
}

/**
 * Trains one forest per feature kind (the requested one, or embedding and probabilities) and
 * returns every candidate, the best first: highest out-of-bag accuracy, where an unknown
 * accuracy ranks last and a tie keeps the earlier kind.
 */
export function trainClassifierCandidates(
  features: ImageFeatures[],
  labels: string[],
  requested: FeatureKind | undefined,
  backboneModelId: string,
): TrainedClassifier[] {
  const kinds = requested ? [requested] : DEFAULT_CANDIDATE_KINDS
  const candidates = kinds.map((featureKind) => {
    const trainer = buildTrainer(
      { features: features.map((f) => featuresOf(featureKind, f)), labels },
      CLASSIFIER_OPTIONS,
      backboneModelId,
      featureKind,
    )
    return { featureKind, trainer, outOfBagAccuracy: outOfBagAccuracy(trainer) }
  })
  return candidates.sort((a, b) => (b.outOfBagAccuracy ?? -1) - (a.outOfBagAccuracy ?? -1))
}
