import { DurableObject } from 'cloudflare:workers'

import type { Bindings } from '../env'
import { CatalogStore } from '../storage/catalog-store'
import {
  buildShard,
  contentIdsOf,
  publicFields,
  SCHEMA,
  tagsOf,
  toItem,
  toVector,
  upgradeSchema,
  type ItemRow,
} from './catalog-rows'
import {
  SHARD_CAPACITY,
  type AddItemsResult,
  type CatalogItem,
  type CatalogItemWithVector,
  type CatalogManifest,
  type ItemPage,
  type NewCatalogItem,
} from './types'
import { IMAGE_SPACE, sameSpace, type Modality, type VectorSpace } from './vector-space'

/**
 * The catalog of one tenant: item records and the shard manifest in SQLite, vector shards in R2.
 * Every write runs inside `blockConcurrencyWhile`, so concurrent additions and deletions are
 * applied one at a time and none is lost, which a read-modify-write of KV or R2 cannot promise.
 * Readers fetch the manifest here and the shards from R2.
 */
export class CatalogIndex extends DurableObject<Bindings> {
  private readonly sql: SqlStorage

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env)
    this.sql = ctx.storage.sql
    this.sql.exec(SCHEMA)
    upgradeSchema(this.sql)
  }

  /**
   * Adds items whose vectors belong to `space`, or writes nothing and reports the ids already
   * used by another content id, or the catalog's space when it differs. Unless `declareSpace`
   * ran first, the first item added declares the catalog's space, which stays when every item
   * is deleted again.
   */
  async addItems(
    tenant: string,
    space: VectorSpace,
    items: NewCatalogItem[],
  ): Promise<AddItemsResult> {
    return this.ctx.blockConcurrencyWhile(async () => {
      const declared = this.space()
      if (declared && !sameSpace(declared, space)) return { ok: false, catalogSpace: declared }
      const conflicts: { id: string; contentId: string }[] = []
      const existing = new Map<string, CatalogItem>()
      const updates: { id: string; metadata: string | null; tags: string }[] = []
      for (const item of items) {
        const row = this.itemRow(item.id)
        if (row && row.content_id !== item.contentId) {
          conflicts.push({ id: item.id, contentId: row.content_id })
        } else if (row) {
          const stored = toItem(row, space)
          // A repeat that sends metadata or tags replaces the stored ones, and one without
          // keeps them.
          if (item.metadata) stored.metadata = item.metadata
          if (item.tags) stored.tags = item.tags
          const metadata = stored.metadata ? JSON.stringify(stored.metadata) : null
          const tags = JSON.stringify(stored.tags)
          if (metadata !== row.metadata || tags !== row.tags) {
            updates.push({ id: item.id, metadata, tags })
          }
          existing.set(item.id, stored)
        }
      }
      if (conflicts.length > 0) return { ok: false, conflicts }

      const dimensions = this.dimensions() ?? items[0]?.vector.codes.length ?? 0
      for (const item of items) {
        if (item.vector.codes.length !== dimensions) {
          throw new RangeError(
            `item ${item.id} has ${item.vector.codes.length} dimensions; the catalog has ${dimensions}`,
          )
        }
      }

      const createdAt = new Date().toISOString()
      const added = new Map<string, CatalogItem>()
      this.ctx.storage.transactionSync(() => {
        this.setSetting('dimensions', dimensions)
        if (!declared) {
          this.sql.exec(
            'INSERT INTO vector_space (id, modality, backbone) VALUES (1, ?, ?)',
            space.modality,
            space.backbone,
          )
        }
        for (const { id, metadata, tags } of updates) {
          this.sql.exec('UPDATE items SET metadata = ?, tags = ? WHERE id = ?', metadata, tags, id)
        }
        for (const item of items) {
          if (existing.has(item.id) || added.has(item.id)) continue
          const { shard, slot } = this.nextSlot()
          this.insertItem(item, shard, slot, createdAt)
          added.set(item.id, { ...publicFields(item, space), createdAt })
        }
      })
      await this.writeDirtyShards(tenant)

      return {
        ok: true,
        items: items.map((item) => {
          const created = added.get(item.id)
          return created
            ? { item: created, created: true }
            : { item: existing.get(item.id)!, created: false }
        }),
      }
    })
  }

  /** Deletes an item and rewrites its shard without it. Returns false for an unknown id. */
  async deleteItem(tenant: string, id: string): Promise<boolean> {
    return this.ctx.blockConcurrencyWhile(async () => {
      const row = this.itemRow(id)
      if (!row) return false
      this.ctx.storage.transactionSync(() => {
        this.sql.exec('DELETE FROM items WHERE id = ?', id)
        this.sql.exec(
          'UPDATE shards SET version = version + 1, dirty = 1 WHERE shard = ?',
          row.shard,
        )
      })
      await this.writeDirtyShards(tenant)
      return true
    })
  }

  /** Returns the shard manifest, first writing any shard whose R2 write failed before. */
  async getManifest(tenant: string): Promise<CatalogManifest> {
    if (this.sql.exec('SELECT 1 FROM shards WHERE dirty = 1 LIMIT 1').toArray().length > 0) {
      await this.ctx.blockConcurrencyWhile(() => this.writeDirtyShards(tenant))
    }
    const shards = this.sql
      .exec<{ shard: number; version: number; slots: number }>(
        'SELECT shard, version, slots FROM shards ORDER BY shard',
      )
      .toArray()
    const { count } = this.sql.exec<{ count: number }>('SELECT COUNT(*) AS count FROM items').one()
    return {
      space: this.space() ?? null,
      dimensions: this.dimensions() ?? 0,
      itemCount: count,
      shards,
    }
  }

  /** Returns the space of the catalog's vectors, or undefined before a declaration or first item. */
  getSpace(): VectorSpace | undefined {
    return this.space()
  }

  /**
   * Declares the space of an empty catalog and returns the catalog's space afterwards, which
   * differs from `space` when the catalog was declared before.
   */
  async declareSpace(space: VectorSpace): Promise<VectorSpace> {
    return this.ctx.blockConcurrencyWhile(async () => {
      const declared = this.space()
      if (declared) return declared
      this.sql.exec(
        'INSERT INTO vector_space (id, modality, backbone) VALUES (1, ?, ?)',
        space.modality,
        space.backbone,
      )
      return space
    })
  }

  getItem(id: string): CatalogItem | null {
    const row = this.itemRow(id)
    return row ? toItem(row, this.space() ?? IMAGE_SPACE) : null
  }

  /** Returns the items among `ids` that exist, in the order of `ids`. */
  getItems(ids: string[]): CatalogItem[] {
    const space = this.space() ?? IMAGE_SPACE
    return ids.flatMap((id) => {
      const row = this.itemRow(id)
      return row ? [toItem(row, space)] : []
    })
  }

  /**
   * Returns the items among `ids` that exist, in the order of `ids`, and the current content id
   * of each of `contentOf` (null when no item has that id), so one call serves both lookups.
   */
  getItemsAndContentIds(
    ids: string[],
    contentOf: string[],
  ): { items: CatalogItem[]; contentIds: (string | null)[] } {
    return { items: this.getItems(ids), contentIds: contentIdsOf(this.sql, contentOf) }
  }

  /**
   * Returns the content id and tags of each of `ids`, in their order: null and no tags for an id
   * that no item has.
   */
  getTags(ids: string[]): { contentId: string | null; tags: string[] }[] {
    return tagsOf(this.sql, ids)
  }

  /** Returns the items among `ids` that exist, with their vectors, in the order of `ids`. */
  getItemsWithVectors(ids: string[]): CatalogItemWithVector[] {
    const space = this.space() ?? IMAGE_SPACE
    const found: CatalogItemWithVector[] = []
    for (const id of ids) {
      const row = this.itemRow(id)
      if (row) found.push({ ...toItem(row, space), vector: toVector(row) })
    }
    return found
  }

  /** Lists items in id order after `cursor`. */
  listItems(cursor: string | undefined, limit: number): ItemPage {
    const rows = this.sql
      .exec<ItemRow>(
        'SELECT * FROM items WHERE id > ? ORDER BY id LIMIT ?',
        cursor ?? '',
        limit + 1,
      )
      .toArray()
    const space = this.space() ?? IMAGE_SPACE
    const items = rows.slice(0, limit).map((row) => toItem(row, space))
    const last = items[items.length - 1]
    return rows.length > limit && last ? { items, cursor: last.id } : { items }
  }

  private itemRow(id: string): ItemRow | undefined {
    return this.sql.exec<ItemRow>('SELECT * FROM items WHERE id = ?', id).toArray()[0]
  }

  /** Returns the declared space. A catalog with items from before declarations contains images. */
  private space(): VectorSpace | undefined {
    const row = this.sql
      .exec<{ modality: Modality; backbone: string }>(
        'SELECT modality, backbone FROM vector_space WHERE id = 1',
      )
      .toArray()[0]
    if (row) return { modality: row.modality, backbone: row.backbone }
    return this.dimensions() === undefined ? undefined : IMAGE_SPACE
  }

  private dimensions(): number | undefined {
    const rows = this.sql
      .exec<{ value: number }>("SELECT value FROM settings WHERE name = 'dimensions'")
      .toArray()
    return rows[0]?.value
  }

  private setSetting(name: string, value: number): void {
    this.sql.exec('INSERT OR REPLACE INTO settings (name, value) VALUES (?, ?)', name, value)
  }

  /** Claims the next free slot: slots are appended and never reused. */
  // NOTE: deleted items leave empty slots that no compaction reclaims, and every write rewrites
  // its whole shard (up to 2.6 MB), so adding items one request at a time costs O(shard size).
  private nextSlot(): { shard: number; slot: number } {
    const last = this.sql
      .exec<{ shard: number; slots: number }>(
        'SELECT shard, slots FROM shards ORDER BY shard DESC LIMIT 1',
      )
      .toArray()[0]
    let shard = 0
    let slot = 0
    if (last && last.slots < SHARD_CAPACITY) {
      shard = last.shard
      slot = last.slots
    } else if (last) {
      shard = last.shard + 1
    }
    this.sql.exec(
      `INSERT INTO shards (shard, version, slots, dirty) VALUES (?, 1, 1, 1)
       ON CONFLICT (shard) DO UPDATE SET version = version + 1, slots = slots + 1, dirty = 1`,
      shard,
    )
    return { shard, slot }
  }

  private insertItem(item: NewCatalogItem, shard: number, slot: number, createdAt: string): void {
    const codes = item.vector.codes.slice().buffer
    this.sql.exec(
      `INSERT INTO items (id, content_id, metadata, tags, concepts, shard, slot, vector_offset,
         vector_step, codes, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      item.id,
      item.contentId,
      item.metadata ? JSON.stringify(item.metadata) : null,
      JSON.stringify(item.tags ?? []),
      JSON.stringify(item.concepts),
      shard,
      slot,
      item.vector.offset,
      item.vector.step,
      codes,
      createdAt,
    )
  }

  /**
   * Writes every shard marked dirty to R2, then clears the mark. A failed write leaves the mark,
   * so the next write or manifest read retries it.
   */
  private async writeDirtyShards(tenant: string): Promise<void> {
    const store = new CatalogStore(this.env.MODELS, tenant)
    const dirty = this.sql
      .exec<{ shard: number; version: number; slots: number }>(
        'SELECT shard, version, slots FROM shards WHERE dirty = 1 ORDER BY shard',
      )
      .toArray()
    const dimensions = this.dimensions() ?? 0
    for (const entry of dirty) {
      await store.putShard(
        entry.shard,
        entry.version,
        buildShard(this.sql, entry.shard, entry.slots, dimensions),
      )
      this.sql.exec(
        'UPDATE shards SET dirty = 0 WHERE shard = ? AND version = ?',
        entry.shard,
        entry.version,
      )
    }
  }
}
