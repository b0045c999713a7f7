import { DurableObject } from 'cloudflare:workers'

import { dequantizeVector, type QuantizedVector } from '../catalog/quantize'
import type { Bindings } from '../env'
import type { ForestTrainer } from '../forest'
import {
  buildTrainer,
  decodeForest,
  encodeForest,
  learnExample,
  resumeTrainer,
  USER_FOREST_OPTIONS,
  type TrainingExamples,
} from '../learning/forest-adapter'
import { ForestStore } from '../storage/forest-store'
import { ForestPublisher, type ForestSnapshot } from './forest-publisher'
import type { RatingCounts, RatingLabel, RatingValue, StoredRating } from './rating'
import { RatingTable, type RatingRow } from './rating-table'

/** Feature kind of per-user forests: catalog vectors are embeddings. */
export const USER_FEATURE_KIND = 'embedding'

/**
 * A rating to record, with the content id and quantised embedding of the rated item and the
 * backbone id of that embedding.
 */
export interface RatingInput {
  item: string
  contentId: string
  rating: RatingValue
  label: RatingLabel
  vector: QuantizedVector
  backbone: string
}

/** Outcome of a rating: recorded, or rejected because earlier ratings use another backbone. */
export type RateResult =
  | { ok: true; rating: StoredRating; model: ModelState; counts: RatingCounts }
  | { ok: false; ratedBackbone: string }

/** Kind of forest change a rating caused: 'none' when there is no forest or nothing to learn. */
export type ModelUpdate = 'incremental' | 'rebuild' | 'none'

/** State of a user's model after a change. */
export interface ModelState {
  version: number
  trained: boolean
  update: ModelUpdate
  examples: number
}

/**
 * A user's ratings with the content ids and vectors of the rated items, as recommendation reads
 * them, and the backbone id of those vectors (null without ratings). `contentId` is null for
 * ratings stored before the content id was recorded.
 */
export interface UserProfile {
  backbone: string | null
  version: number
  trained: boolean
  counts: RatingCounts
  rated: {
    item: string
    contentId: string | null
    label: RatingLabel
    vector: QuantizedVector
  }[]
}

/**
 * The ratings and forest of one user of one tenant. Ratings live in SQLite, in arrival order
 * (`seq`), and are committed before a rating returns. The forest is kept in memory and copied
 * to R2 with the model version after every change, in the background (see ForestPublisher), so
 * a rating does not wait for the R2 write. Every write runs inside `blockConcurrencyWhile`, so
 * concurrent ratings are applied one at a time, each starts from the forest that the previous
 * one left, and none is lost.
 */
export class UserRatings extends DurableObject<Bindings> {
  private readonly table: RatingTable
  private trainer: ForestTrainer | null = null
  /** Model version that `trainer` reflects; -1 when it has not been loaded. */
  private trainerVersion = -1
  private publisher: ForestPublisher | null = null

  constructor(ctx: DurableObjectState, env: Bindings) {
    super(ctx, env)
    this.table = new RatingTable(ctx.storage.sql)
  }

  /**
   * Records a rating (replacing the user's earlier rating of the item) and updates the forest.
   * Rejects, writing nothing, an item whose vectors come from another backbone than the items
   * rated before, because one forest cannot learn from both.
   */
  async rate(tenant: string, user: string, input: RatingInput): Promise<RateResult> {
    return this.ctx.blockConcurrencyWhile(async () => {
      const ratedBackbone = this.table.backbone()
      if (ratedBackbone !== undefined && ratedBackbone !== input.backbone) {
        return { ok: false, ratedBackbone }
      }
      const trainer = await this.loadTrainer(tenant, user)
      const previous = this.table.row(input.item)
      const ratedAt = new Date().toISOString()
      const unchanged = previous !== undefined && sameExample(previous, input)

      this.ctx.storage.transactionSync(() => {
        // A rating of another label or of the item's new content moves to the end, where the
        // forest learns it again.
        const seq = unchanged ? previous.seq : this.table.nextSeq()
        this.table.upsert(seq, input, ratedAt)
        this.table.setBackbone(input.backbone)
        this.table.bumpVersion()
      })

      const update = unchanged ? 'none' : this.learn(trainer, input, previous === undefined)
      const model = this.saveForest(tenant, user, update)
      const rating: StoredRating = {
        item: input.item,
        rating: input.rating,
        label: input.label,
        ratedAt,
      }
      return { ok: true, rating, model, counts: this.table.counts() }
    })
  }

  /**
   * Updates the forest for a new or changed rating just stored. A rating that replaces one of
   * another label or content needs a rebuild, because a forest cannot forget an example.
   */
  private learn(trainer: ForestTrainer | null, input: RatingInput, isNew: boolean): ModelUpdate {
    if (isNew && trainer) {
      const { codes, offset, step } = input.vector
      return learnExample(trainer, dequantizeVector(codes, offset, step), input.label)
    }
    return this.rebuild() ? 'rebuild' : 'none'
  }

  /** Deletes one rating and rebuilds the forest. Returns null when the item was not rated. */
  async deleteRating(
    tenant: string,
    user: string,
    item: string,
  ): Promise<{ model: ModelState; counts: RatingCounts } | null> {
    return this.ctx.blockConcurrencyWhile(async () => {
      if (!this.table.row(item)) return null
      this.ctx.storage.transactionSync(() => {
        this.table.delete(item)
        if (this.table.counts().total === 0) this.table.setBackbone(null)
        this.table.bumpVersion()
      })
      const update: ModelUpdate = this.rebuild() ? 'rebuild' : 'none'
      return { model: this.saveForest(tenant, user, update), counts: this.table.counts() }
    })
  }

  /**
   * Deletes every rating and the forest. The model version stays and grows by one, as for any
   * rating change, so versions of the user never repeat (see RatingTable.clear). Returns false
   * when the user had no ratings.
   *
   * NOTE: the Durable Object of a deleted user keeps one row, its model version.
   */
  async deleteUser(tenant: string, user: string): Promise<boolean> {
    return this.ctx.blockConcurrencyWhile(async () => {
      const existed = this.table.counts().total > 0
      await this.publisher?.flush()
      this.publisher = null
      await new ForestStore(this.env.MODELS, tenant).delete(user)
      this.ctx.storage.transactionSync(() => {
        this.table.clear()
        if (existed) this.table.bumpVersion()
      })
      this.trainer = null
      this.trainerVersion = -1
      return existed
    })
  }

  /** Returns the ratings in the order given. A changed label or content counts as a new rating. */
  listRatings(): StoredRating[] {
    return this.table.list()
  }

  profile(): UserProfile {
    const counts = this.table.counts()
    const rated = this.table.rows().map((row) => ({
      item: row.item,
      contentId: row.content_id,
      label: row.label,
      vector: {
        codes: new Uint8Array(row.codes),
        offset: row.vector_offset,
        step: row.vector_step,
      },
    }))
    return {
      backbone: this.table.backbone() ?? null,
      version: this.table.version(),
      trained: hasBothLabels(counts),
      counts,
      rated,
    }
  }

  /**
   * Returns the trainer for the current ratings: the one in memory, else the forest saved in R2
   * at the current version resumed with the stored examples, else a fresh build.
   */
  private async loadTrainer(tenant: string, user: string): Promise<ForestTrainer | null> {
    const version = this.table.version()
    if (this.trainerVersion === version) return this.trainer
    this.trainer = null
    this.trainerVersion = version
    if (!hasBothLabels(this.table.counts())) return null

    const stored = await new ForestStore(this.env.MODELS, tenant).get(user)
    if (stored?.version === version) {
      try {
        const forest = decodeForest(stored.bytes)
        const backbone = this.table.backbone()
        if (forest.metadata.backboneModelId !== backbone) {
          throw new Error(
            `stored forest was trained on ${forest.metadata.backboneModelId} vectors, ` +
              `and the ratings hold ${backbone} vectors`,
          )
        }
        this.trainer = resumeTrainer(forest, this.examples())
        return this.trainer
      } catch (error) {
        console.warn(
          JSON.stringify({
            level: 'warn',
            message: 'stored forest does not match the ratings; rebuilding it',
            tenant,
            error: String(error),
          }),
        )
      }
    }
    this.rebuild()
    return this.trainer
  }

  /** Builds the forest from every rating. Returns false when a label is missing, leaving none. */
  private rebuild(): boolean {
    this.trainer = null
    if (!hasBothLabels(this.table.counts())) return false
    this.trainer = buildTrainer(
      this.examples(),
      USER_FOREST_OPTIONS,
      this.table.backbone()!,
      USER_FEATURE_KIND,
    )
    return true
  }

  /** Queues the forest for R2 at the current version, or its deletion when there is none. */
  private saveForest(tenant: string, user: string, update: ModelUpdate): ModelState {
    const version = this.table.version()
    const bytes = this.trainer ? encodeForest(this.trainer.forest) : null
    this.publisherFor(tenant, user).publish({ version, bytes })
    this.trainerVersion = version
    return {
      version,
      trained: this.trainer !== null,
      update,
      examples: this.trainer?.exampleCount ?? 0,
    }
  }

  /**
   * Returns the serialised forest at the current model version, for readers that found an older
   * version in R2; the bytes are null when the user has no forest.
   */
  async forestSnapshot(tenant: string, user: string): Promise<ForestSnapshot> {
    return this.ctx.blockConcurrencyWhile(async () => {
      const snapshot = this.publisher?.snapshot
      if (snapshot && snapshot.version === this.table.version()) return snapshot
      const trainer = await this.loadTrainer(tenant, user)
      return { version: this.table.version(), bytes: trainer ? encodeForest(trainer.forest) : null }
    })
  }

  /** Waits until R2 contains the newest forest. Returns the version written. */
  async flushForest(): Promise<number> {
    return (await this.publisher?.flush()) ?? -1
  }

  private publisherFor(tenant: string, user: string): ForestPublisher {
    this.publisher ??= new ForestPublisher(new ForestStore(this.env.MODELS, tenant), user)
    return this.publisher
  }

  private examples(): TrainingExamples {
    const rows = this.table.rows()
    return {
      features: rows.map((row) =>
        dequantizeVector(new Uint8Array(row.codes), row.vector_offset, row.vector_step),
      ),
      labels: rows.map((row) => row.label),
    }
  }
}

/**
 * Returns whether a stored rating gives the forest the same example as a new one, which needs the
 * same label and the same content. An item id deleted and added again can contain other content.
 */
function sameExample(stored: RatingRow, input: RatingInput): boolean {
  if (stored.label !== input.label) return false
  // Ratings stored before the content id was recorded are compared by their vectors.
  if (stored.content_id !== null) return stored.content_id === input.contentId
  return sameVector(stored, input.vector)
}

function sameVector(stored: RatingRow, vector: QuantizedVector): boolean {
  const codes = new Uint8Array(stored.codes)
  return (
    Math.fround(stored.vector_offset) === Math.fround(vector.offset) &&
    Math.fround(stored.vector_step) === Math.fround(vector.step) &&
    codes.length === vector.codes.length &&
    codes.every((code, i) => code === vector.codes[i])
  )
}

function hasBothLabels(counts: RatingCounts): boolean {
  return counts.likes > 0 && counts.dislikes > 0
}
