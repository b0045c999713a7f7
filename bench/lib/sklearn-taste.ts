import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

import type { UserSplit } from './movielens'

/** Python with python3-sklearn from Debian; the pyenv python3 on PATH lacks scikit-learn. */
const PYTHON = process.env.FEATUREFOREST_PYTHON ?? '/usr/bin/python3'
const SCRIPT = new URL('./taste_references.py', import.meta.url).pathname

/** Mean per-user AUC of each scikit-learn reference model, as taste_references.py prints it. */
export interface TasteReferences {
  sklearn: string
  /** Mean AUC per model, or null when no user was scored. */
  models: Record<string, number | null>
}

/**
 * Fits scikit-learn's reference models per user on the same splits and vectors as the service
 * and returns their mean ROC AUC. Ratings of movies without a vector are left out.
 */
export async function runTasteReferences(
  splits: readonly UserSplit[],
  embeddings: ReadonlyMap<string, Float32Array>,
  likeStars: number,
): Promise<TasteReferences> {
  const movies = [...embeddings.keys()]
  const index = new Map(movies.map((movie, i) => [movie, i]))
  const pairs = (ratings: UserSplit['train']) =>
    ratings.filter((r) => index.has(r.movie)).map((r) => [index.get(r.movie)!, r.stars])
  const data = {
    vectors: movies.map((movie) => Array.from(embeddings.get(movie)!)),
    users: splits.map((split) => ({ train: pairs(split.train), test: pairs(split.test) })),
    likeStars,
  }
  const folder = await mkdtemp(join(tmpdir(), 'featureforest-taste-'))
  const path = join(folder, 'splits.json')
  try {
    await writeFile(path, JSON.stringify(data))
    const { stdout } = await promisify(execFile)(PYTHON, [SCRIPT, path], { maxBuffer: 1 << 20 })
    return JSON.parse(stdout) as TasteReferences
  } finally {
    await rm(folder, { recursive: true, force: true })
  }
}
