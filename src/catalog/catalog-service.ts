import { IMAGE_MODEL_ID } from '../backbone/image-backbone'
import { topClasses } from '../backbone/imagenet'
import { embedImage } from '../embedding/embed-image'
import { FeatureForestError } from '../errors'
import type { FeatureStore, StoredImageFeatures } from '../storage/feature-store'
import type { CatalogIndex } from './catalog-index'
import type { ItemInput } from './item-input'
import { quantizeVector } from './quantize'
import type { AddItemsResult, CatalogItem, NewCatalogItem } from './types'

/** Number of ImageNet classes kept per item to explain recommendations. */
const CONCEPTS_PER_ITEM = 3

/** Storage that catalog operations use. */
export interface CatalogDeps {
  tenant: string
  features: FeatureStore
  index: DurableObjectStub<CatalogIndex>
}

/** An added item and whether this request created it (false when it already existed). */
export interface AddedItem {
  item: CatalogItem
  created: boolean
}

/**
 * Adds items whose images were embedded before, reading their vectors from the feature store.
 * Adding an id again with the same content id returns the existing item; with another content
 * id it is a conflict, and then no item of the request is added.
 */
export async function addItemsByContentId(
  deps: CatalogDeps,
  inputs: ItemInput[],
): Promise<AddedItem[]> {
  const stored = await Promise.all(
    inputs.map((input) => deps.features.get(IMAGE_MODEL_ID, input.contentId)),
  )
  const missing = inputs.filter((_, i) => !stored[i]).map((input) => input.contentId)
  if (missing.length > 0) {
    throw new FeatureForestError(
      'not_found',
      `no image vectors for content id ${missing.slice(0, 5).join(', ')}` +
        `${missing.length > 5 ? ` and ${missing.length - 5} more` : ''}; ` +
        'embed the images with POST /embed or upload them to POST /items first ' +
        '(text vectors cannot be catalog items yet)',
    )
  }
  return addItems(
    deps,
    inputs.map((input, i) => toNewItem(input, stored[i]!)),
  )
}

/** Embeds an uploaded image (or reuses its stored vectors) and adds it to the catalog. */
export async function addUploadedItem(
  deps: CatalogDeps,
  bytes: Uint8Array,
  options: { id?: string; metadata: Record<string, unknown> | null },
): Promise<AddedItem> {
  const embedding = await embedImage(bytes, deps.features)
  const input: ItemInput = { ...options, contentId: embedding.contentId }
  const [added] = await addItems(deps, [toNewItem(input, embedding.features)])
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

async function addItems(deps: CatalogDeps, items: NewCatalogItem[]): Promise<AddedItem[]> {
  // Workers RPC types do not keep the union's narrowing, so the result is typed here.
  const result = (await deps.index.addItems(deps.tenant, items)) as AddItemsResult
  if (!result.ok) {
    const [first] = result.conflicts
    throw new FeatureForestError(
      'conflict',
      `item id ${first!.id} is already used by content id ${first!.contentId}; ` +
        'delete that item first or choose another id',
    )
  }
  return result.items
}

function toNewItem(input: ItemInput, features: StoredImageFeatures): NewCatalogItem {
  return {
    id: input.id ?? input.contentId,
    contentId: input.contentId,
    metadata: input.metadata,
    concepts: topClasses(features.probabilities, CONCEPTS_PER_ITEM).map(({ id, probability }) => ({
      id,
      probability,
    })),
    vector: quantizeVector(features.embedding),
  }
}
