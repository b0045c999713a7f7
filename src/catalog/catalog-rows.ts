import type { QuantizedVector } from './quantize'
import type { CatalogItem, NewCatalogItem } from './types'

/** SQLite schema of a catalog index: items, the shard manifest and settings. */
export const SCHEMA = `
  CREATE TABLE IF NOT EXISTS items (
    id TEXT PRIMARY KEY,
    content_id TEXT NOT NULL,
    metadata TEXT,
    concepts TEXT NOT NULL,
    shard INTEGER NOT NULL,
    slot INTEGER NOT NULL,
    vector_offset REAL NOT NULL,
    vector_step REAL NOT NULL,
    codes BLOB NOT NULL,
    created_at TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS items_by_slot ON items (shard, slot);
  CREATE TABLE IF NOT EXISTS shards (
    shard INTEGER PRIMARY KEY,
    version INTEGER NOT NULL,
    slots INTEGER NOT NULL,
    dirty INTEGER NOT NULL
  );
  CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
`

/** One row of the `items` table. */
export type ItemRow = {
  id: string
  content_id: string
  metadata: string | null
  concepts: string
  created_at: string
  vector_offset: number
  vector_step: number
  codes: ArrayBuffer
  shard: number
  slot: number
}

/** Returns the fields of a new item that the API shows. */
export function publicFields(item: NewCatalogItem): Omit<CatalogItem, 'createdAt'> {
  return {
    id: item.id,
    contentId: item.contentId,
    metadata: item.metadata,
    concepts: item.concepts,
  }
}

/** Returns the API form of an item row. */
export function toItem(row: ItemRow): CatalogItem {
  return {
    id: row.id,
    contentId: row.content_id,
    metadata: row.metadata ? (JSON.parse(row.metadata) as Record<string, unknown>) : null,
    concepts: JSON.parse(row.concepts) as CatalogItem['concepts'],
    createdAt: row.created_at,
  }
}

/** Returns the quantised embedding of an item row. */
export function toVector(row: ItemRow): QuantizedVector {
  return { codes: new Uint8Array(row.codes), offset: row.vector_offset, step: row.vector_step }
}
