import { runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'

import { SCHEMA, toItem, upgradeSchema, type ItemRow } from '../../src/catalog/catalog-rows'
import { IMAGE_SPACE } from '../../src/catalog/vector-space'

/** The items table as it was created before items had tags. */
const ITEMS_WITHOUT_TAGS = `
  CREATE TABLE items (
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
  )
`

describe('upgradeSchema', () => {
  it('adds the missing tags column', async () => {
    const stub = env.CATALOG_INDEX.get(env.CATALOG_INDEX.idFromName('catalog-rows-upgrade'))

    const item = await runInDurableObject(stub, (_, state) => {
      const sql = state.storage.sql
      sql.exec('DROP TABLE IF EXISTS items')
      sql.exec(ITEMS_WITHOUT_TAGS)
      sql.exec(
        'INSERT INTO items VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        'old-item',
        'a'.repeat(64),
        null,
        '[]',
        0,
        0,
        0,
        1,
        new Uint8Array([1, 2, 3]),
        '2026-01-01T00:00:00.000Z',
      )

      sql.exec(SCHEMA)
      upgradeSchema(sql)
      upgradeSchema(sql)

      const row = sql.exec<ItemRow>('SELECT * FROM items WHERE id = ?', 'old-item').one()
      return toItem(row, IMAGE_SPACE)
    })

    expect(item.id).toBe('old-item')
    expect(item.tags).toEqual([])
  })
})
