import type { ContentVectors } from '../catalog/content-vectors'
import type { VectorSpace } from '../catalog/vector-space'
import { FeatureForestError } from '../errors'
import type { ForestTrainer } from '../forest'
import { buildTrainer, CLASSIFIER_OPTIONS, outOfBagAccuracy } from './forest-adapter'

/**
 * Backbone output that a classifier learns from. 'both' concatenates the two (2,280 values).
 * Texts have only 'embedding', because the text encoder outputs no class probabilities.
 */
export type FeatureKind = 'probabilities' | 'embedding' | 'both'

export const FEATURE_KINDS: readonly FeatureKind[] = ['probabilities', 'embedding', 'both']

/** Feature kinds trained when the request names none; the better out-of-bag accuracy is kept. */
const DEFAULT_CANDIDATE_KINDS: Record<VectorSpace['modality'], readonly FeatureKind[]> = {
  image: ['embedding', 'probabilities'],
  text: ['embedding'],
}

/** Returns the feature vector of one kind; throws a RangeError for probabilities of a text. */
export function featuresOf(kind: FeatureKind, vectors: ContentVectors): Float32Array {
  if (kind === 'embedding') return vectors.embedding
  const { probabilities, embedding } = vectors
  if (!probabilities) throw new RangeError(`${vectors.space.modality} vectors have no ${kind}`)
  if (kind === 'probabilities') return probabilities
  const both = new Float32Array(probabilities.length + embedding.length)
  both.set(probabilities)
  both.set(embedding, probabilities.length)
  return both
}

/** One trained candidate forest. */
export interface TrainedClassifier {
  featureKind: FeatureKind
  trainer: ForestTrainer
  outOfBagAccuracy: number | null
}

/**
 * Trains one forest per feature kind (the requested one, or the default kinds of the space) and
 * returns every candidate, the best first: highest out-of-bag accuracy, where an unknown
 * accuracy ranks last and a tie keeps the earlier kind. Throws invalid_request for a kind that
 * the space does not have.
 */
export function trainClassifierCandidates(
  features: ContentVectors[],
  labels: string[],
  requested: FeatureKind | undefined,
  space: VectorSpace,
): TrainedClassifier[] {
  if (requested && space.modality === 'text' && requested !== 'embedding') {
    throw new FeatureForestError(
      'invalid_request',
      `features "${requested}" needs class probabilities, which text vectors do not have; ` +
        'use features "embedding" or leave it out for text examples',
    )
  }
  const kinds = requested ? [requested] : DEFAULT_CANDIDATE_KINDS[space.modality]
  const candidates = kinds.map((featureKind) => {
    const trainer = buildTrainer(
      { features: features.map((f) => featuresOf(featureKind, f)), labels },
      CLASSIFIER_OPTIONS,
      space.backbone,
      featureKind,
    )
    return { featureKind, trainer, outOfBagAccuracy: outOfBagAccuracy(trainer) }
  })
  return candidates.sort((a, b) => (b.outOfBagAccuracy ?? -1) - (a.outOfBagAccuracy ?? -1))
}
