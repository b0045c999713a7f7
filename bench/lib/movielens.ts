import { readFileSync } from 'node:fs'
import { join } from 'node:path'

import { parseCsv } from '../../test/support/csv'
import { seededRandom } from '../../test/support/random'

/** One MovieLens rating: userId, movieId, stars from 0.5 to 5, Unix time in seconds. */
export interface MovieRating {
  user: string
  movie: string
  stars: number
  timestamp: number
}

/** A poster of the movielens_posters set. */
export interface Poster {
  movie: string
  /** Path relative to the set folder, e.g. posters/356.jpg. */
  path: string
  title: string
  /** MovieLens genres, e.g. ["Comedy", "Drama"]; empty when none are listed. */
  genres: string[]
}

/** A user's ratings split into a training and a test part. */
export interface UserSplit {
  user: string
  train: MovieRating[]
  test: MovieRating[]
}

/** Order in which ratings are split: by timestamp (oldest first) or by a seeded shuffle. */
export type SplitMode = 'time' | 'random'

/** Reads the posters and ratings of `{dataDir}/movielens_posters`. */
export function readMovieLens(dataDir: string): { posters: Poster[]; ratings: MovieRating[] } {
  const folder = join(dataDir, 'movielens_posters')
  const posters = parseCsv(readFileSync(join(folder, 'manifest.csv'), 'utf8')).map((row) => ({
    movie: row.movieId!,
    path: row.path!,
    title: row.title!,
    genres: row.label!.split('|').filter((genre) => genre !== '(no genres listed)'),
  }))
  const ratings = parseCsv(readFileSync(join(folder, 'ratings.csv'), 'utf8')).map((row) => ({
    user: row.userId!,
    movie: row.movieId!,
    stars: Number(row.rating),
    timestamp: Number(row.timestamp),
  }))
  return { posters, ratings }
}

/**
 * Splits the ratings of every user with at least `minRatings` into the first `trainShare` for
 * training and the rest for testing: in timestamp order (ties by movie id), or after a shuffle
 * seeded with `seed` and the user id.
 */
export function splitUsers(
  ratings: MovieRating[],
  options: { minRatings: number; trainShare: number; mode: SplitMode; seed: number },
): UserSplit[] {
  const byUser = new Map<string, MovieRating[]>()
  for (const rating of ratings) {
    const list = byUser.get(rating.user) ?? []
    list.push(rating)
    byUser.set(rating.user, list)
  }
  const splits: UserSplit[] = []
  for (const [user, list] of byUser) {
    if (list.length < options.minRatings) continue
    let ordered: MovieRating[]
    if (options.mode === 'time') {
      ordered = [...list].sort(
        (a, b) => a.timestamp - b.timestamp || Number(a.movie) - Number(b.movie),
      )
    } else {
      const random = seededRandom(options.seed * 100_003 + Number(user))
      ordered = [...list].sort((a, b) => Number(a.movie) - Number(b.movie))
      for (let i = ordered.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1))
        ;[ordered[i], ordered[j]] = [ordered[j]!, ordered[i]!]
      }
    }
    const cut = Math.round(ordered.length * options.trainShare)
    splits.push({ user, train: ordered.slice(0, cut), test: ordered.slice(cut) })
  }
  return splits.sort((a, b) => Number(a.user) - Number(b.user))
}

export { seededRandom }
