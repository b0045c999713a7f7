/**
 * A user's like-rate per item tag, counted from their ratings of tagged items. Each tag's rate
 * is shrunk towards the user's overall like-rate, so a tag seen in one or two ratings moves an
 * item's score less than one seen in many.
 */
export interface TagAffinity {
  /** Share of the rated items that the user liked. */
  baseRate: number
  /** Shrunk like-rate of every tag of a rated item. */
  rates: Map<string, number>
}

/** A rated item as the tag counts see it. */
export interface TaggedRating {
  liked: boolean
  tags: readonly string[]
}

/** Weight of the overall like-rate in a tag's rate, in ratings: a tag rated twice is half prior. */
export const TAG_PRIOR_RATINGS = 2

/** Maximum number of tags an explanation names. */
const EXPLAINED_TAGS = 3

/**
 * Counts the like-rate of every tag. Returns null when no rated item has a tag, or when the
 * ratings are all likes or all dislikes, because the rates then rank every item alike.
 */
export function countTagAffinity(ratings: readonly TaggedRating[]): TagAffinity | null {
  const likes = ratings.filter((rating) => rating.liked).length
  if (likes === 0 || likes === ratings.length) return null
  const counts = new Map<string, { liked: number; rated: number }>()
  for (const rating of ratings) {
    for (const tag of rating.tags) {
      const count = counts.get(tag) ?? { liked: 0, rated: 0 }
      count.rated++
      if (rating.liked) count.liked++
      counts.set(tag, count)
    }
  }
  if (counts.size === 0) return null
  const baseRate = likes / ratings.length
  const rates = new Map<string, number>()
  for (const [tag, { liked, rated }] of counts) {
    rates.set(tag, (liked + TAG_PRIOR_RATINGS * baseRate) / (rated + TAG_PRIOR_RATINGS))
  }
  return { baseRate, rates }
}

/**
 * Returns the mean rate of an item's tags. A tag the user never rated, and an item without tags,
 * count as the overall like-rate.
 */
export function tagLikeRate(affinity: TagAffinity, tags: readonly string[]): number {
  if (tags.length === 0) return affinity.baseRate
  let sum = 0
  for (const tag of tags) sum += affinity.rates.get(tag) ?? affinity.baseRate
  return sum / tags.length
}

/** Returns the item's tags the user likes more than their overall rate, highest rate first. */
export function likedTags(affinity: TagAffinity, tags: readonly string[]): string[] {
  return tags
    .map((tag) => ({ tag, rate: affinity.rates.get(tag) ?? affinity.baseRate }))
    .filter((entry) => entry.rate > affinity.baseRate)
    .sort((a, b) => b.rate - a.rate)
    .slice(0, EXPLAINED_TAGS)
    .map((entry) => entry.tag)
}
