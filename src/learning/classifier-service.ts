import { IMAGE_MODEL_ID, type ImageFeatures } from '../backbone/image-backbone'
import type { CatalogItem } from '../catalog/types'
import type { TenantDeps } from '../deps'
import { embedImage } from '../embedding/embed-image'
import { FeatureForestError } from '../errors'
import type { ClassifierSummary } from '../storage/classifier-store'
import { featuresOf, trainClassifierCandidates, type FeatureKind } from './classifier-training'
import { classProbabilities, decodeForest, encodeForest } from './forest-adapter'

/** A training example: the content id of an embedded image, or a catalog item id. */
export type ExampleSource = { contentId: string } | { item: string }

export interface TrainRequest {
  name: string
  examples: { source: ExampleSource; label: string }[]
  features?: FeatureKind
}

export interface TrainResult extends ClassifierSummary {
  examples: number
  /** Every feature kind trained, with its out-of-bag accuracy; the first was kept. */
  candidates: { featureKind: FeatureKind; outOfBagAccuracy: number | null }[]
  trainingMs: number
}

/** Trains a named classifier and stores it, replacing one of the same name. */
// NOTE: training runs inside the request, two forests of 100 trees when no feature kind is
// given. Near MAX_TRAIN_EXAMPLES this takes seconds of CPU, within `limits.cpu_ms` of
// wrangler.toml but beyond the Free plan's 10 ms.
export async function trainClassifier(
  deps: TenantDeps,
  request: TrainRequest,
): Promise<TrainResult> {
  const features = await exampleFeatures(
    deps,
    request.examples.map((example) => example.source),
  )
  const labels = request.examples.map((example) => example.label)

  const started = performance.now()
  const candidates = trainClassifierCandidates(features, labels, request.features, IMAGE_MODEL_ID)
  const trainingMs = performance.now() - started
  const best = candidates[0]!

  // A null prototype keeps labels such as "__proto__" or "constructor" ordinary keys.
  const counts: Record<string, number> = Object.create(null) as Record<string, number>
  for (const label of labels) counts[label] = (counts[label] ?? 0) + 1
  const summary: ClassifierSummary = {
    name: request.name,
    featureKind: best.featureKind,
    classes: [...best.trainer.forest.classes],
    counts,
    outOfBagAccuracy: best.outOfBagAccuracy,
    trainedAt: new Date().toISOString(),
  }
  await deps.classifiers.put(summary, encodeForest(best.trainer.forest))
  return {
    ...summary,
    examples: labels.length,
    candidates: candidates.map(({ featureKind, outOfBagAccuracy }) => ({
      featureKind,
      outOfBagAccuracy,
    })),
    trainingMs,
  }
}

/** Input to classify: an uploaded image, or stored vectors named by content id or item id. */
export type PredictInput = { bytes: Uint8Array } | ExampleSource

export interface Prediction {
  model: string
  featureKind: string
  label: string
  probabilities: Record<string, number>
}

/** Predicts the class of one image with a stored classifier. */
export async function predictWithClassifier(
  deps: TenantDeps,
  name: string,
  input: PredictInput,
): Promise<Prediction> {
  const stored = await deps.classifiers.get(name)
  if (!stored) throw classifierNotFound(name)
  const features =
    'bytes' in input
      ? (await embedImage(input.bytes, deps.features)).features
      : (await exampleFeatures(deps, [input]))[0]!

  const forest = decodeForest(stored.bytes)
  const kind = stored.summary.featureKind as FeatureKind
  const [probabilities] = classProbabilities(forest, [featuresOf(kind, features)])
  let best = 0
  forest.classes.forEach((_, c) => {
    if (probabilities![c]! > probabilities![best]!) best = c
  })
  return {
    model: name,
    featureKind: kind,
    label: forest.classes[best]!,
    probabilities: Object.fromEntries(
      forest.classes.map((label, c) => [label, probabilities![c]!]),
    ),
  }
}

export async function getClassifier(deps: TenantDeps, name: string): Promise<ClassifierSummary> {
  const summary = await deps.classifiers.head(name)
  if (!summary) throw classifierNotFound(name)
  return summary
}

export async function deleteClassifier(deps: TenantDeps, name: string): Promise<void> {
  if (!(await deps.classifiers.delete(name))) throw classifierNotFound(name)
}

/** Reads the stored vectors of each source; throws not_found naming the first missing one. */
async function exampleFeatures(
  deps: TenantDeps,
  sources: ExampleSource[],
): Promise<ImageFeatures[]> {
  const itemIds = sources.flatMap((source) => ('item' in source ? [source.item] : []))
  const items = itemIds.length > 0 ? ((await deps.index.getItems(itemIds)) as CatalogItem[]) : []
  const contentIdOfItem = new Map(items.map((item) => [item.id, item.contentId]))

  const contentIds = sources.map((source) => {
    if ('contentId' in source) return source.contentId
    const contentId = contentIdOfItem.get(source.item)
    if (!contentId) {
      throw new FeatureForestError('not_found', `item ${source.item} is not in the catalog`)
    }
    return contentId
  })
  const stored = await Promise.all(
    contentIds.map((contentId) => deps.features.get(IMAGE_MODEL_ID, contentId)),
  )
  return stored.map((features, i) => {
    if (!features) {
      throw new FeatureForestError(
        'not_found',
        `no image vectors for content id ${contentIds[i]}; embed the image with POST /embed first ` +
          '(text vectors cannot be classifier examples yet)',
      )
    }
    return features
  })
}

function classifierNotFound(name: string): FeatureForestError {
  return new FeatureForestError(
    'not_found',
    `no model named ${name}; train it with POST /train first`,
  )
}
