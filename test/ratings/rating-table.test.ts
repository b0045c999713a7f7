import { runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'

import { RatingTable } from '../../src/ratings/rating-table'

/** The ratings table as it was created before ratings recorded the rated content id. */
const TABLE_WITHOUT_CONTENT_ID = `
  CREATE TABLE ratings (
    item TEXT PRIMARY KEY,
    seq INTEGER NOT NULL UNIQUE,
    rating TEXT NOT NULL,
    label TEXT NOT NULL,
    vector_offset REAL NOT NULL,
    vector_step REAL NOT NULL,
    codes BLOB NOT NULL,
    rated_at TEXT NOT NULL
  )
`

describe('RatingTable', () => {
  it('adds the content id column to a table created without it', async () => {
    const stub = env.USER_RATINGS.get(env.USER_RATINGS.idFromName('rating-table-upgrade'))

    const { columns, rows } = await runInDurableObject(stub, (_, state) => {
      const sql = state.storage.sql
      sql.exec('DROP TABLE IF EXISTS ratings')
      sql.exec(TABLE_WITHOUT_CONTENT_ID)
      sql.exec(
        'INSERT INTO ratings VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
        'old-item',
        1,
        'like',
        'like',
        0,
        1,
        new Uint8Array([1, 2, 3]),
        '2026-01-01T00:00:00.000Z',
      )

      const table = new RatingTable(sql)

      return {
        columns: sql
          .exec<{ name: string }>("SELECT name FROM pragma_table_info('ratings')")
          .toArray()
          .map((column) => column.name),
        rows: table.rows(),
      }
    })

    expect(columns).toContain('content_id')
    expect(rows).toHaveLength(1)
    expect(rows[0]!.item).toBe('old-item')
    expect(rows[0]!.content_id).toBeNull()
  })
})
