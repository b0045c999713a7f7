import type { QuantizedVector } from './quantize'

/** Items per catalog shard. 2,048 embeddings of 1,280 uint8 codes make a 2.6 MB R2 object. */
export const SHARD_CAPACITY = 2048

/** An ImageNet class that the backbone found in an item, kept to explain recommendations. */
export interface ItemConcept {
  id: number
  probability: number
}

/** A catalog item as the API returns it. */
export interface CatalogItem {
  id: string
  contentId: string
  metadata: Record<string, unknown> | null
  concepts: ItemConcept[]
  createdAt: string
}

/** An item to add, with its quantised embedding. */
export interface NewCatalogItem {
  id: string
  contentId: string
  metadata: Record<string, unknown> | null
  concepts: ItemConcept[]
  vector: QuantizedVector
}

/** A catalog item with its quantised embedding. */
export interface CatalogItemWithVector extends CatalogItem {
  vector: QuantizedVector
}

/** Outcome of adding items: every item was added or already present, or nothing was written. */
export type AddItemsResult =
  | { ok: true; items: { item: CatalogItem; created: boolean }[] }
  | { ok: false; conflicts: { id: string; contentId: string }[] }

/** One shard of the manifest; a new version means the shard object in R2 was rewritten. */
export interface ShardEntry {
  shard: number
  version: number
  slots: number
}

/** Shards of a tenant's catalog, which readers compare with their cached copies. */
export interface CatalogManifest {
  dimensions: number
  itemCount: number
  shards: ShardEntry[]
}

/** One page of items in id order; `cursor` is absent on the last page. */
export interface ItemPage {
  items: CatalogItem[]
  cursor?: string
}
