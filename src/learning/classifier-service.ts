import {
  readContentVectors,
  requireOneSpace,
  type ContentVectors,
} from '../catalog/content-vectors'
import { catalogSpace } from '../catalog/catalog-service'
import type { CatalogItem } from '../catalog/types'
import {
  describeSpace,
  IMAGE_SPACE,
  requireForestSpace,
  sameSpace,
  TEXT_SPACE,
  type VectorSpace,
} from '../catalog/vector-space'
import type { TenantDeps } from '../deps'
import { embedImage } from '../embedding/embed-image'
import { embedTexts } from '../embedding/embed-text'
import { FeatureForestError } from '../errors'
import { sniffFormat } from '../image/sniff'
import { checkSummarySize, type ClassifierSummary } from '../storage/classifier-store'
import { featuresOf, trainClassifierCandidates, type FeatureKind } from './classifier-training'
import { classProbabilities, decodeForest, encodeForest } from './forest-adapter'

/** A training example: the content id of an embedded image or text, a catalog item, a text. */
export type ExampleSource = { contentId: string } | { item: string } | { text: string }

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

/**
 * Trains a named classifier and stores it, replacing one of the same name. The examples decide
 * the model's space; examples of several spaces are mixed_modalities.
 */
// NOTE: training runs inside the request, two forests of 100 trees when no feature kind is
// given. Near MAX_TRAIN_EXAMPLES this takes seconds of CPU, within `limits.cpu_ms` of
// wrangler.toml but beyond the Free plan's 10 ms.
export async function trainClassifier(
  deps: TenantDeps,
  request: TrainRequest,
): Promise<TrainResult> {
  const features = await exampleVectors(
    deps,
    request.examples.map((example) => example.source),
  )
  rejectRepeatedContent(features)
  const space = requireOneSpace(
    features.map((vectors) => vectors.space),
    'examples',
  )
  const labels = request.examples.map((example) => example.label)

  // A null prototype keeps labels such as "__proto__" or "constructor" ordinary keys.
  const counts: Record<string, number> = Object.create(null) as Record<string, number>
  for (const label of labels) counts[label] = (counts[label] ?? 0) + 1
  const summaryOf = (trained: {
    featureKind: string
    classes: string[]
    outOfBagAccuracy: number | null
  }): ClassifierSummary => ({
    name: request.name,
    modality: space.modality,
    backbone: space.backbone,
    ...trained,
    counts,
    trainedAt: new Date().toISOString(),
  })
  // Checked before training, which can take seconds. The reserve covers the longest feature
  // kind name and out-of-bag accuracy that training can write in place of these.
  checkSummarySize(
    summaryOf({ featureKind: '', classes: Object.keys(counts), outOfBagAccuracy: null }),
    64,
  )

  const started = performance.now()
  const candidates = trainClassifierCandidates(features, labels, request.features, space)
  const trainingMs = performance.now() - started
  const best = candidates[0]!

  const summary = summaryOf({
    featureKind: best.featureKind,
    classes: [...best.trainer.forest.classes],
    outOfBagAccuracy: best.outOfBagAccuracy,
  })
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

/** Input to classify: an uploaded image, a text, or stored vectors by content id or item id. */
export type PredictInput = { bytes: Uint8Array } | ExampleSource

export interface Prediction {
  model: string
  modality: string
  backbone: string
  featureKind: string
  label: string
  probabilities: Record<string, number>
}

/**
 * Predicts the class of one image or text with a stored classifier. Input of another space than
 * the model's is modality_mismatch; an upload or text is checked before it is embedded, and an
 * upload of no supported image format is unsupported_format.
 */
export async function predictWithClassifier(
  deps: TenantDeps,
  name: string,
  input: PredictInput,
): Promise<Prediction> {
  const stored = await deps.classifiers.get(name)
  if (!stored) throw classifierNotFound(name)
  const { summary } = stored
  const space: VectorSpace = { modality: summary.modality, backbone: summary.backbone }
  if ('bytes' in input) {
    // An upload that is no image (JSON sent without its Content-Type, say) is reported as
    // such rather than as an image of the wrong modality.
    sniffFormat(input.bytes)
    requireModelSpace(name, space, IMAGE_SPACE)
  }
  if ('text' in input) requireModelSpace(name, space, TEXT_SPACE)

  const vectors =
    'bytes' in input
      ? { space: IMAGE_SPACE, ...(await embedImage(input.bytes, deps.features)).features }
      : (await exampleVectors(deps, [input], space))[0]!
  requireModelSpace(name, space, vectors.space)

  const forest = decodeForest(stored.bytes)
  requireForestSpace(forest.metadata.backboneModelId, vectors.space, `model ${name}`)
  const kind = summary.featureKind as FeatureKind
  const [probabilities] = classProbabilities(forest, [featuresOf(kind, vectors)])
  let best = 0
  forest.classes.forEach((_, c) => {
    if (probabilities![c]! > probabilities![best]!) best = c
  })
  return {
    model: name,
    modality: space.modality,
    backbone: space.backbone,
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

/** Vectors of one example with the content id they belong to. */
interface ExampleVectors extends ContentVectors {
  contentId: string
}

/**
 * Reads or computes the vectors of each source, in order: texts are embedded, content ids and
 * items read from KV. Content ids are looked up in `preferred` first, else in the space of the
 * texts or of the catalog when the sources have them. Throws not_found naming the first source
 * without vectors.
 */
async function exampleVectors(
  deps: TenantDeps,
  sources: ExampleSource[],
  preferred?: VectorSpace,
): Promise<ExampleVectors[]> {
  const texts = sources.flatMap((source) => ('text' in source ? [source.text] : []))
  const embedded = texts.length > 0 ? (await embedTexts(texts, deps.textFeatures)).items : []

  const itemIds = sources.flatMap((source) => ('item' in source ? [source.item] : []))
  const items = itemIds.length > 0 ? ((await deps.index.getItems(itemIds)) as CatalogItem[]) : []
  const contentIdOfItem = new Map(items.map((item) => [item.id, item.contentId]))

  const contentIds = sources.flatMap((source) => {
    if ('text' in source) return []
    if ('contentId' in source) return [source.contentId]
    const contentId = contentIdOfItem.get(source.item)
    if (!contentId) {
      throw new FeatureForestError('not_found', `item ${source.item} is not in the catalog`)
    }
    return [contentId]
  })
  let space = preferred
  if (!space && texts.length > 0) space = TEXT_SPACE
  else if (!space && itemIds.length > 0) space = await catalogSpace(deps)
  const stored = await readContentVectors(deps, contentIds, space)

  let nextText = 0
  let nextStored = 0
  return sources.map((source) => {
    if ('text' in source) {
      const { contentId, features } = embedded[nextText++]!
      return { space: TEXT_SPACE, embedding: features.embedding, contentId }
    }
    const index = nextStored++
    const vectors = stored[index]
    if (!vectors) {
      throw new FeatureForestError(
        'not_found',
        `no vectors for content id ${contentIds[index]}; embed the image or text with ` +
          'POST /embed first, or send the text as "text"',
      )
    }
    return { ...vectors, contentId: contentIds[index]! }
  })
}

/**
 * Throws invalid_request when two examples have the same content, such as a text and its NFKC
 * form, or an item and its content id: one vector with two labels, or counted twice.
 */
function rejectRepeatedContent(examples: readonly ExampleVectors[]): void {
  const firstIndex = new Map<string, number>()
  examples.forEach(({ space, contentId }, i) => {
    const key = `${space.backbone}:${contentId}`
    const earlier = firstIndex.get(key)
    if (earlier !== undefined) {
      throw new FeatureForestError(
        'invalid_request',
        `examples[${i}] has the same content as examples[${earlier}] (content id ` +
          `${contentId}); give each image or text once, with one label`,
      )
    }
    firstIndex.set(key, i)
  })
}

/** Throws modality_mismatch when input of `input` space is sent to a model of `space`. */
function requireModelSpace(name: string, space: VectorSpace, input: VectorSpace): void {
  if (sameSpace(space, input)) return
  const send = space.modality === 'text' ? '{ "text" }' : 'an image upload'
  throw new FeatureForestError(
    'modality_mismatch',
    `model ${name} was trained on ${describeSpace(space)} vectors, and the input is ` +
      `${describeSpace(input)}; send ${send} or the content id of one`,
  )
}

function classifierNotFound(name: string): FeatureForestError {
  return new FeatureForestError(
    'not_found',
    `no model named ${name}; train it with POST /train first`,
  )
}
