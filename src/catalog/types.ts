import type { QuantizedVector } from './quantize'
import type { Modality, VectorSpace } from './vector-space'

/**
 * Items per catalog shard. 2,048 image embeddings of 1,280 uint8 codes make a 2.6 MB R2 object,
 * and 2,048 text embeddings of 512 codes 1.1 MB.
 */
export const SHARD_CAPACITY = 2048

/** An ImageNet class that the image backbone found in an item, kept to explain recommendations. */
export interface ItemConcept {
  id: number
  probability: number
}

/** A catalog item as the API returns it. Text items have no concepts. */
export interface CatalogItem {
  id: string
  contentId: string
  modality: Modality
  backbone: string
  metadata: Record<string, unknown> | null
  /** Labels such as genres or categories; the user's like-rate of each counts in scoring. */
  tags: string[]
  concepts: ItemConcept[]
  createdAt: string
}

/**
 * An item to add, with its quantised embedding. Null `tags` adds an item without tags, and keeps
 * the tags of an item added before.
 */
export interface NewCatalogItem {
  id: string
  contentId: string
  metadata: Record<string, unknown> | null
  tags: string[] | null
  concepts: ItemConcept[]
  vector: QuantizedVector
}

/** A catalog item with its quantised embedding. */
export interface CatalogItemWithVector extends CatalogItem {
  vector: QuantizedVector
}

/**
 * Outcome of adding items: every item was added or already present, or nothing was written
 * because ids belong to other content ids or the catalog contains vectors of another space.
 */
export type AddItemsResult =
  | { ok: true; items: { item: CatalogItem; created: boolean }[] }
  | { ok: false; conflicts: { id: string; contentId: string }[] }
  | { ok: false; catalogSpace: VectorSpace }

/** One shard of the manifest; a new version means the shard object in R2 was rewritten. */
export interface ShardEntry {
  shard: number
  version: number
  slots: number
}

/**
 * Shards of a tenant's catalog, which readers compare with their cached copies, and the space of
 * its vectors: null until the first item is added.
 */
export interface CatalogManifest {
  space: VectorSpace | null
  dimensions: number
  itemCount: number
  shards: ShardEntry[]
}

/** One page of items in id order; `cursor` is absent on the last page. */
export interface ItemPage {
  items: CatalogItem[]
  cursor?: string
}
