import { FeatureForestError } from '../errors'
import { showJsonValue } from '../http/json-body'

/** The two classes of a user's forest. */
export type RatingLabel = 'like' | 'dislike'

/** A rating as the client sent it: a label, or stars. */
export type RatingValue = RatingLabel | number

/** Stars at or above which a rating counts as a like. */
export const LIKE_THRESHOLD_STARS = 4

/** Lowest and highest stars accepted, in steps of half a star (the MovieLens scale). */
export const MIN_STARS = 0.5
export const MAX_STARS = 5

/** A stored rating of one item by one user. */
export interface StoredRating {
  item: string
  rating: RatingValue
  label: RatingLabel
  ratedAt: string
}

/** Counts of a user's ratings by label. */
export interface RatingCounts {
  likes: number
  dislikes: number
  total: number
}

/**
 * Reads a rating: 'like', 'dislike', or stars from 0.5 to 5 in steps of 0.5, where 4 stars or
 * more is a like. Throws FeatureForestError('invalid_request') for anything else.
 */
export function parseRating(value: unknown): { rating: RatingValue; label: RatingLabel } {
  if (value === 'like' || value === 'dislike') return { rating: value, label: value }
  if (
    typeof value === 'number' &&
    Number.isFinite(value) &&
    value >= MIN_STARS &&
    value <= MAX_STARS &&
    Number.isInteger(value * 2)
  ) {
    return { rating: value, label: value >= LIKE_THRESHOLD_STARS ? 'like' : 'dislike' }
  }
  const problem = value === undefined ? 'is missing' : `${showJsonValue(value)} is invalid`
  throw new FeatureForestError(
    'invalid_request',
    `rating ${problem}; use "like", "dislike" or stars ` +
      `from ${MIN_STARS} to ${MAX_STARS} in steps of 0.5 (${LIKE_THRESHOLD_STARS} or more is a like)`,
  )
}
