import { topClasses } from '../backbone/imagenet'
import { embedImage } from '../embedding/embed-image'
import { embedTexts } from '../embedding/embed-text'
import { FeatureForestError } from '../errors'
import type { FeatureStore } from '../storage/feature-store'
import type { TextFeatureStore } from '../storage/text-feature-store'
import type { CatalogIndex } from './catalog-index'
import { readContentVectors, requireOneSpace, type ContentVectors } from './content-vectors'
import type { ItemInput } from './item-input'
import { quantizeVector } from './quantize'
import type { AddItemsResult, CatalogItem, NewCatalogItem } from './types'
import { describeSpace, IMAGE_SPACE, sameSpace, TEXT_SPACE, type VectorSpace } from './vector-space'

/** Number of ImageNet classes kept per image item to explain recommendations. */
const CONCEPTS_PER_ITEM = 3

/** Storage that catalog operations use. */
export interface CatalogDeps {
  tenant: string
  features: FeatureStore
  textFeatures: TextFeatureStore
  index: DurableObjectStub<CatalogIndex>
}

/**
 * An added item and whether this request created it (false when it already existed). Items
 * given as text also report how many tokens the encoder read and whether it truncated them.
 */
export interface AddedItem {
  item: CatalogItem
  created: boolean
  text?: { tokens: number; truncated: boolean }
}

/**
 * Adds items given by content id or by text. Texts are embedded (or their stored vectors
 * reused) first. Adding an id again with the same content id returns the existing item; with
 * another content id it is a conflict. Items of several spaces in one request are
 * mixed_modalities, items of a space other than the catalog's are modality_mismatch. On any
 * error no item of the request is added.
 */
export async function addItemInputs(deps: CatalogDeps, inputs: ItemInput[]): Promise<AddedItem[]> {
  const declared = await catalogSpace(deps)
  const texts = inputs.flatMap((input) => ('text' in input ? [input.text] : []))
  const byContentId = inputs.flatMap((input) => ('contentId' in input ? [input.contentId] : []))
  const preferred = texts.length > 0 ? TEXT_SPACE : declared
  const stored = await readContentVectors(deps, byContentId, preferred)
  const missing = byContentId.filter((_, i) => !stored[i])
  if (missing.length > 0) {
    throw new FeatureForestError(
      'not_found',
      `no vectors for content id ${missing.slice(0, 5).join(', ')}` +
        `${missing.length > 5 ? ` and ${missing.length - 5} more` : ''}; ` +
        'embed the images or texts with POST /embed, or send the item as an upload or "text"',
    )
  }

  // Checked before embedding, so texts sent with images or to an image catalog cost no inference.
  if (texts.length > 0) {
    let nextStored = 0
    requireOneSpace(
      inputs.map((input) => ('text' in input ? TEXT_SPACE : stored[nextStored++]!.space)),
      'items',
    )
    if (declared && !sameSpace(declared, TEXT_SPACE)) throw catalogMismatch(declared, TEXT_SPACE)
  }
  const embedded = texts.length > 0 ? (await embedTexts(texts, deps.textFeatures)).items : []

  let nextText = 0
  let nextStored = 0
  const resolved = inputs.map((input) => {
    if ('text' in input) {
      const { contentId, features } = embedded[nextText++]!
      const vectors: ContentVectors = { space: TEXT_SPACE, embedding: features.embedding }
      const text = { tokens: features.tokens, truncated: features.truncated }
      const { metadata, tags } = input
      return { id: input.id ?? contentId, contentId, metadata, tags, vectors, text }
    }
    const vectors = stored[nextStored++]!
    const { contentId, metadata, tags } = input
    return { id: input.id ?? contentId, contentId, metadata, tags, vectors, text: undefined }
  })
  const firstIndex = new Map<string, number>()
  resolved.forEach(({ id }, i) => {
    const earlier = firstIndex.get(id)
    if (earlier !== undefined) {
      throw new FeatureForestError(
        'invalid_request',
        `items[${i}] has the item id ${id} of items[${earlier}]; give each item once`,
      )
    }
    firstIndex.set(id, i)
  })

  const space = requireOneSpace(
    resolved.map((entry) => entry.vectors.space),
    'items',
  )
  const added = await addItems(
    deps,
    space,
    resolved.map((entry) => toNewItem(entry, entry.vectors)),
  )
  return added.map((entry, i) => {
    const text = resolved[i]!.text
    return text ? { ...entry, text } : entry
  })
}

/** Embeds an uploaded image (or reuses its stored vectors) and adds it to the catalog. */
export async function addUploadedItem(
  deps: CatalogDeps,
  bytes: Uint8Array,
  options: { id?: string; metadata: Record<string, unknown> | null; tags: string[] | null },
): Promise<AddedItem> {
  const declared = await catalogSpace(deps)
  if (declared && !sameSpace(declared, IMAGE_SPACE)) throw catalogMismatch(declared, IMAGE_SPACE)
  const embedding = await embedImage(bytes, deps.features)
  const { features, contentId } = embedding
  const vectors: ContentVectors = { space: IMAGE_SPACE, ...features }
  const [added] = await addItems(deps, IMAGE_SPACE, [
    toNewItem({ ...options, id: options.id ?? contentId, contentId }, vectors),
  ])
  return added!
}

export async function getItem(deps: CatalogDeps, id: string): Promise<CatalogItem> {
  const item = (await deps.index.getItem(id)) as CatalogItem | null
  if (!item) throw itemNotFound(id)
  return item
}

export async function deleteItem(deps: CatalogDeps, id: string): Promise<void> {
  if (!(await deps.index.deleteItem(deps.tenant, id))) throw itemNotFound(id)
}

/** The not_found error of an item id that the catalog does not contain. */
export function itemNotFound(id: string): FeatureForestError {
  return new FeatureForestError(
    'not_found',
    `item ${id} is not in the catalog; add it with POST /items first`,
  )
}

/** Returns the space of the catalog's vectors, or undefined before a declaration or first item. */
export async function catalogSpace(deps: CatalogDeps): Promise<VectorSpace | undefined> {
  return (await deps.index.getSpace()) as VectorSpace | undefined
}

/**
 * Declares the catalog's space before its first item. Declaring the space it already has is
 * accepted; another space is modality_mismatch.
 */
export async function declareCatalogSpace(
  deps: CatalogDeps,
  space: VectorSpace,
): Promise<VectorSpace> {
  const declared = (await deps.index.declareSpace(space)) as VectorSpace
  if (!sameSpace(declared, space)) {
    throw new FeatureForestError(
      'modality_mismatch',
      `the catalog was declared for ${describeSpace(declared)} items, so it cannot be ` +
        `${describeSpace(space)}; use another tenant (X-FeatureForest-Tenant) for that modality`,
    )
  }
  return declared
}

/** Builds the modality_mismatch error of items of `space` sent to a catalog of `declared`. */
function catalogMismatch(declared: VectorSpace, space: VectorSpace): FeatureForestError {
  return new FeatureForestError(
    'modality_mismatch',
    `the catalog holds ${describeSpace(declared)} items, and these items are ` +
      `${describeSpace(space)}; a catalog holds one modality, so add them under another ` +
      'tenant (X-FeatureForest-Tenant)',
  )
}

async function addItems(
  deps: CatalogDeps,
  space: VectorSpace,
  items: NewCatalogItem[],
): Promise<AddedItem[]> {
  // Workers RPC types do not keep the union's narrowing, so the result is typed here.
  const result = (await deps.index.addItems(deps.tenant, space, items)) as AddItemsResult
  if (result.ok) return result.items
  if ('catalogSpace' in result) throw catalogMismatch(result.catalogSpace, space)
  const [first] = result.conflicts
  throw new FeatureForestError(
    'conflict',
    `item id ${first!.id} is already used by content id ${first!.contentId}; ` +
      'delete that item first or choose another id',
  )
}

function toNewItem(
  input: {
    id: string
    contentId: string
    metadata: Record<string, unknown> | null
    tags: string[] | null
  },
  vectors: ContentVectors,
): NewCatalogItem {
  const concepts = vectors.probabilities
    ? topClasses(vectors.probabilities, CONCEPTS_PER_ITEM).map(({ id, probability }) => ({
        id,
        probability,
      }))
    : []
  return {
    id: input.id,
    contentId: input.contentId,
    metadata: input.metadata,
    tags: input.tags,
    concepts,
    vector: quantizeVector(vectors.embedding),
  }
}
