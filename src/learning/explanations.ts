import IMAGENET_CLASSES from '../../models/installed/imagenet-classes.json'
import type { CatalogItem } from '../catalog/types'
import { likedTags, type TagAffinity } from './tag-affinity'
import type { RatedExample, ScoredCandidate } from './taste-model'
import { cosine } from './vectors'

/** Reasons for recommending an item. */
export interface Explanation {
  /** Top ImageNet classes the image backbone found in the item; empty for text items. */
  concepts: string[]
  /**
   * Liked items most similar to it (cosine similarity of embeddings), among those that are in
   * the catalog with the content that was rated.
   */
  similarTo: { item: string; similarity: number }[]
  /** The item's tags that the user likes more often than they like items overall. */
  tags: string[]
}

export interface Recommendation {
  item: string
  score: number
  likeProbability?: number
  tagLikeRate?: number
  metadata: Record<string, unknown> | null
  tags: string[]
  explanation: Explanation
}

/** Number of liked items an explanation names. */
const SIMILAR_ITEMS = 2

/**
 * Returns the liked examples an explanation may name: those whose id is in the catalog now with
 * the content id they were rated with. `currentContentIds[i]` is the catalog's content id of
 * `liked[i].item`, or null when no item has that id. A deleted item, or an id reused for another
 * content, still trains the model but is not named.
 */
// NOTE: a rating stored before content ids were recorded cannot tell a reused id from the rated
// item, so it is named while any item has its id.
export function nameableLiked(
  liked: readonly RatedExample[],
  currentContentIds: readonly (string | null)[],
): RatedExample[] {
  return liked.filter((example, i) => {
    const current = currentContentIds[i]
    if (current === null || current === undefined) return false
    return example.contentId === null || example.contentId === current
  })
}

/**
 * Describes a selected candidate: its score, metadata and tags, concepts, most similar liked items
 * and the tags that raised its score.
 */
export function describe(
  candidate: ScoredCandidate,
  item: CatalogItem | undefined,
  liked: readonly RatedExample[],
  affinity: TagAffinity | null,
): Recommendation {
  const similarTo = liked
    .map((example) => ({
      item: example.item,
      similarity: cosine(candidate.vector, example.vector, candidate.norm, example.norm),
    }))
    .sort((a, b) => b.similarity - a.similarity)
    .slice(0, SIMILAR_ITEMS)
  return {
    item: candidate.id,
    score: candidate.score,
    ...(candidate.likeProbability !== undefined && { likeProbability: candidate.likeProbability }),
    ...(candidate.tagLikeRate !== undefined && { tagLikeRate: candidate.tagLikeRate }),
    metadata: item?.metadata ?? null,
    tags: item?.tags ?? [],
    explanation: {
      concepts: (item?.concepts ?? []).map(
        (concept) => IMAGENET_CLASSES[concept.id] ?? `class ${concept.id}`,
      ),
      similarTo,
      tags: affinity ? likedTags(affinity, item?.tags ?? []) : [],
    },
  }
}
