import type { QuantizedVector } from './quantize'
import type { CatalogShard } from './shard-codec'
import type { CatalogItem, NewCatalogItem } from './types'
import type { VectorSpace } from './vector-space'

/**
 * SQLite schema of a catalog index: items, the shard manifest, settings and the vector space.
 * `vector_space` has at most one row, written by PUT /catalog or with the first item. Catalogs
 * created before it existed contain image items.
 */
export const SCHEMA = `
  CREATE TABLE IF NOT EXISTS items (
    id TEXT PRIMARY KEY,
    content_id TEXT NOT NULL,
    metadata TEXT,
    tags TEXT NOT NULL DEFAULT '[]',
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
  CREATE TABLE IF NOT EXISTS vector_space (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    modality TEXT NOT NULL,
    backbone TEXT NOT NULL
  );
`

/** Adds the `tags` column to an `items` table created before items had tags. */
export function upgradeSchema(sql: SqlStorage): void {
  const columns = sql
    .exec<{ name: string }>("SELECT name FROM pragma_table_info('items')")
    .toArray()
    .map((column) => column.name)
  if (!columns.includes('tags')) {
    sql.exec("ALTER TABLE items ADD COLUMN tags TEXT NOT NULL DEFAULT '[]'")
  }
}

/** One row of the `items` table. */
export type ItemRow = {
  id: string
  content_id: string
  metadata: string | null
  tags: string
  concepts: string
  created_at: string
  vector_offset: number
  vector_step: number
  codes: ArrayBuffer
  shard: number
  slot: number
}

/** Returns the fields of a new item that the API shows. */
export function publicFields(
  item: NewCatalogItem,
  space: VectorSpace,
): Omit<CatalogItem, 'createdAt'> {
  return {
    id: item.id,
    contentId: item.contentId,
    modality: space.modality,
    backbone: space.backbone,
    metadata: item.metadata,
    tags: item.tags ?? [],
    concepts: item.concepts,
  }
}

/** Returns the API form of an item row of a catalog of `space`. */
export function toItem(row: ItemRow, space: VectorSpace): CatalogItem {
  return {
    id: row.id,
    contentId: row.content_id,
    modality: space.modality,
    backbone: space.backbone,
    metadata: row.metadata ? (JSON.parse(row.metadata) as Record<string, unknown>) : null,
    tags: JSON.parse(row.tags) as string[],
    concepts: JSON.parse(row.concepts) as CatalogItem['concepts'],
    createdAt: row.created_at,
  }
}

/** Returns the quantised embedding of an item row. */
export function toVector(row: ItemRow): QuantizedVector {
  return { codes: new Uint8Array(row.codes), offset: row.vector_offset, step: row.vector_step }
}

/** Returns the content id of each of `ids`, or null for an id that no item has. */
export function contentIdsOf(sql: SqlStorage, ids: string[]): (string | null)[] {
  return tagsOf(sql, ids).map((entry) => entry.contentId)
}

/**
 * Returns the content id and tags of each of `ids`: null and no tags for an id that no item has.
 * One query reads them all, binding the ids as a single JSON array whatever their number.
 */
export function tagsOf(
  sql: SqlStorage,
  ids: string[],
): { contentId: string | null; tags: string[] }[] {
  const rows = sql
    .exec<{ id: string; content_id: string; tags: string }>(
      'SELECT id, content_id, tags FROM items WHERE id IN (SELECT value FROM json_each(?))',
      JSON.stringify(ids),
    )
    .toArray()
  const byId = new Map(rows.map((row) => [row.id, row]))
  return ids.map((id) => {
    const row = byId.get(id)
    return row
      ? { contentId: row.content_id, tags: JSON.parse(row.tags) as string[] }
      : { contentId: null, tags: [] }
  })
}

/** Builds the shard content of `shard` from the item rows that occupy its slots. */
export function buildShard(
  sql: SqlStorage,
  shard: number,
  slots: number,
  dimensions: number,
): CatalogShard {
  const content: CatalogShard = {
    dimensions,
    ids: new Array<string>(slots).fill(''),
    offsets: new Float32Array(slots),
    steps: new Float32Array(slots),
    codes: new Uint8Array(slots * dimensions),
  }
  const rows = sql.exec<ItemRow>(
    'SELECT id, slot, vector_offset, vector_step, codes FROM items WHERE shard = ?',
    shard,
  )
  for (const row of rows) {
    content.ids[row.slot] = row.id
    content.offsets[row.slot] = row.vector_offset
    content.steps[row.slot] = row.vector_step
    content.codes.set(new Uint8Array(row.codes), row.slot * dimensions)
  }
  return content
}
