import { IMAGE_MODEL_ID } from '../backbone/image-backbone'
import type { QuantizedVector } from '../catalog/quantize'
import type { RatingCounts, RatingLabel, RatingValue, StoredRating } from './rating'

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS ratings (
    item TEXT PRIMARY KEY,
    seq INTEGER NOT NULL UNIQUE,
    rating TEXT NOT NULL,
    label TEXT NOT NULL,
    vector_offset REAL NOT NULL,
    vector_step REAL NOT NULL,
    codes BLOB NOT NULL,
    rated_at TEXT NOT NULL,
    content_id TEXT
  );
  CREATE TABLE IF NOT EXISTS settings (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS vector_space (id INTEGER PRIMARY KEY CHECK (id = 1), backbone TEXT NOT NULL);
`

/** One stored rating with the quantised embedding of its item. */
export type RatingRow = {
  item: string
  seq: number
  rating: string
  label: RatingLabel
  vector_offset: number
  vector_step: number
  codes: ArrayBuffer
  rated_at: string
  /** Content id of the rated item; null for ratings stored before it was recorded. */
  content_id: string | null
}

/**
 * The SQLite tables of one user's ratings: `ratings` in arrival order (`seq`), `settings`, which
 * contains the model version, and `vector_space`, the backbone id of the rated items' vectors.
 * Callers run writes inside a transaction.
 */
export class RatingTable {
  constructor(private readonly sql: SqlStorage) {
    this.createSchema()
  }

  createSchema(): void {
    this.sql.exec(SCHEMA)
    // Tables created before ratings recorded the content id gain the column, null in old rows.
    const columns = this.sql
      .exec<{ name: string }>("SELECT name FROM pragma_table_info('ratings')")
      .toArray()
    if (!columns.some((column) => column.name === 'content_id')) {
      this.sql.exec('ALTER TABLE ratings ADD COLUMN content_id TEXT')
    }
  }

  rows(): RatingRow[] {
    return this.sql.exec<RatingRow>('SELECT * FROM ratings ORDER BY seq').toArray()
  }

  row(item: string): RatingRow | undefined {
    return this.sql.exec<RatingRow>('SELECT * FROM ratings WHERE item = ?', item).toArray()[0]
  }

  list(): StoredRating[] {
    return this.sql
      .exec<RatingRow>('SELECT item, rating, label, rated_at FROM ratings ORDER BY seq')
      .toArray()
      .map((row) => ({
        item: row.item,
        rating: JSON.parse(row.rating) as RatingValue,
        label: row.label,
        ratedAt: row.rated_at,
      }))
  }

  /** Writes a rating at position `seq`, replacing any earlier rating of the item. */
  upsert(
    seq: number,
    rating: {
      item: string
      contentId: string
      rating: RatingValue
      label: RatingLabel
      vector: QuantizedVector
    },
    ratedAt: string,
  ): void {
    this.sql.exec(
      `INSERT OR REPLACE INTO ratings (item, seq, rating, label, vector_offset, vector_step,
         codes, rated_at, content_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      rating.item,
      seq,
      JSON.stringify(rating.rating),
      rating.label,
      rating.vector.offset,
      rating.vector.step,
      rating.vector.codes.slice().buffer,
      ratedAt,
      rating.contentId,
    )
  }

  delete(item: string): void {
    this.sql.exec('DELETE FROM ratings WHERE item = ?', item)
  }

  /**
   * Deletes every rating and the backbone but keeps the model version, so that a user's versions
   * never repeat and a forest cached or stored at an old version is never taken for a newer one.
   */
  clear(): void {
    this.sql.exec('DELETE FROM ratings')
    this.sql.exec('DELETE FROM vector_space')
    this.sql.exec("DELETE FROM settings WHERE name <> 'model_version'")
  }

  counts(): RatingCounts {
    const rows = this.sql
      .exec<{ label: string; count: number }>(
        'SELECT label, COUNT(*) AS count FROM ratings GROUP BY label',
      )
      .toArray()
    const likes = rows.find((row) => row.label === 'like')?.count ?? 0
    const dislikes = rows.find((row) => row.label === 'dislike')?.count ?? 0
    return { likes, dislikes, total: likes + dislikes }
  }

  /** The model version: the number of rating changes so far, deletions of the user included. */
  version(): number {
    const rows = this.sql
      .exec<{ value: number }>("SELECT value FROM settings WHERE name = 'model_version'")
      .toArray()
    return rows[0]?.value ?? 0
  }

  bumpVersion(): void {
    this.sql.exec(
      `INSERT INTO settings (name, value) VALUES ('model_version', 1)
       ON CONFLICT (name) DO UPDATE SET value = value + 1`,
    )
  }

  /**
   * Returns the backbone id of the rated vectors, or undefined without ratings. Ratings stored
   * before the backbone was recorded are of images.
   */
  backbone(): string | undefined {
    const row = this.sql
      .exec<{ backbone: string }>('SELECT backbone FROM vector_space WHERE id = 1')
      .toArray()[0]
    if (row) return row.backbone
    return this.counts().total > 0 ? IMAGE_MODEL_ID : undefined
  }

  /** Records the backbone of the rated vectors, or clears it (null) when no rating is left. */
  setBackbone(backbone: string | null): void {
    if (backbone === null) this.sql.exec('DELETE FROM vector_space')
    else this.sql.exec('INSERT OR REPLACE INTO vector_space (id, backbone) VALUES (1, ?)', backbone)
  }

  nextSeq(): number {
    const { next } = this.sql
      .exec<{ next: number }>('SELECT COALESCE(MAX(seq), 0) + 1 AS next FROM ratings')
      .one()
    return next
  }
}
