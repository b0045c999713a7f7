import { likeScores, type RandomForest } from './forest-adapter'
import type { Candidate } from './candidates'
import { countTagAffinity, tagLikeRate, type TagAffinity } from './tag-affinity'
import { cosine, meanVector, norm, subtract } from './vectors'

/**
 * Scoring strategy for a user or a set of examples:
 * - 'forest': likes and dislikes both exist. The score is the forest's like-probability, or its
 *   mean with the item's tag like-rate once rated items carry tags (see TagAffinity).
 * - 'similar-to-liked': only likes; the score is the highest cosine similarity to a liked item.
 * - 'far-from-disliked': only dislikes; the score is 1 minus the highest cosine similarity to
 *   a disliked item.
 * - 'catalog-spread': no ratings; farthest-point selection over a uniform sample of the
 *   catalog, so the first results cover its range.
 */
export type Strategy = 'forest' | 'similar-to-liked' | 'far-from-disliked' | 'catalog-spread'

/**
 * A rated example: an item id, the content id it had when rated (null for ratings stored before
 * content ids were recorded) and its embedding.
 */
export interface RatedExample {
  item: string
  contentId: string | null
  vector: Float32Array
  norm: number
}

/** Everything that scores items for one user or one ad-hoc request. */
export interface TasteModel {
  strategy: Strategy
  forest: RandomForest | null
  liked: RatedExample[]
  disliked: RatedExample[]
  /** Like-rates of the rated items' tags; null until counted, or when no rated item has tags. */
  tagAffinity: TagAffinity | null
}

/**
 * A candidate with its score. `likeProbability` and `voteShare` come from a forest,
 * `tagLikeRate` from the tag affinity.
 */
export interface ScoredCandidate extends Candidate {
  score: number
  likeProbability?: number
  tagLikeRate?: number
  voteShare?: number
}

export function toExample(
  item: string,
  contentId: string | null,
  vector: Float32Array,
): RatedExample {
  return { item, contentId, vector, norm: norm(vector) }
}

/** Picks the strategy that the examples allow; a forest is used only when one is given. */
export function createTasteModel(
  liked: RatedExample[],
  disliked: RatedExample[],
  forest: RandomForest | null,
): TasteModel {
  let strategy: Strategy
  if (forest && liked.length > 0 && disliked.length > 0) strategy = 'forest'
  else if (liked.length > 0) strategy = 'similar-to-liked'
  else if (disliked.length > 0) strategy = 'far-from-disliked'
  else strategy = 'catalog-spread'
  return {
    strategy,
    forest: strategy === 'forest' ? forest : null,
    liked,
    disliked,
    tagAffinity: null,
  }
}

/** The catalog's tags of a rated item and the content id they belong to (null: no such item). */
export interface RatedItemTags {
  contentId: string | null
  tags: readonly string[]
}

/**
 * Returns the model with the like-rates of its rated items' tags, where `rated[i]` describes the
 * i-th of the liked then the disliked examples. A rated item no longer in the catalog, or whose
 * id now names other content, counts without tags. Only the forest strategy uses tags.
 */
export function withTagAffinity(model: TasteModel, rated: readonly RatedItemTags[]): TasteModel {
  if (model.strategy !== 'forest') return model
  const examples = [...model.liked, ...model.disliked]
  const ratings = examples.map((example, i) => {
    const current = rated[i]
    const sameContent =
      current?.contentId != null &&
      (example.contentId === null || example.contentId === current.contentId)
    return { liked: i < model.liked.length, tags: sameContent ? current.tags : [] }
  })
  return { ...model, tagAffinity: countTagAffinity(ratings) }
}

/** Returns the ids of the liked then the disliked examples, the order withTagAffinity reads. */
export function ratedItems(model: TasteModel): string[] {
  return [...model.liked, ...model.disliked].map((example) => example.item)
}

/**
 * Returns the direction the pre-filter ranks the catalog by: mean liked minus mean disliked
 * embedding, or only one of them, or null (uniform sample) without ratings.
 */
export function prefilterQuery(model: TasteModel): Float32Array | null {
  const liked = model.liked.map((example) => example.vector)
  const disliked = model.disliked.map((example) => example.vector)
  if (liked.length > 0 && disliked.length > 0)
    return subtract(meanVector(liked), meanVector(disliked))
  if (liked.length > 0) return meanVector(liked)
  if (disliked.length > 0) return meanVector(disliked).map((value) => -value)
  return null
}

/**
 * Scores candidates with the model's strategy. With tag like-rates, the forest strategy's score is
 * the mean of the like-probability and the candidate's tag like-rate. With `explore` > 0 it gains
 * explore × 2·√(s(1−s)), where s is the share of trees voting "like": the standard deviation of
 * the votes, scaled to [0, 1], which favours items the trees disagree on.
 */
export function scoreCandidates(
  model: TasteModel,
  candidates: Candidate[],
  explore = 0,
): ScoredCandidate[] {
  if (model.strategy === 'forest' && model.forest) {
    const { probability, voteShare } = likeScores(
      model.forest,
      candidates.map((candidate) => candidate.vector),
      explore > 0,
    )
    const { tagAffinity } = model
    return candidates.map((candidate, i) => {
      const share = voteShare[i]!
      const disagreement = 2 * Math.sqrt(share * (1 - share))
      const likeProbability = probability[i]!
      const tagRate = tagAffinity ? tagLikeRate(tagAffinity, candidate.tags ?? []) : undefined
      const relevance = tagRate === undefined ? likeProbability : (likeProbability + tagRate) / 2
      return {
        ...candidate,
        score: relevance + explore * disagreement,
        likeProbability,
        ...(tagRate !== undefined && { tagLikeRate: tagRate }),
        ...(explore > 0 && { voteShare: share }),
      }
    })
  }
  if (model.strategy === 'similar-to-liked') {
    return candidates.map((candidate) => ({
      ...candidate,
      score: maxSimilarity(candidate, model.liked),
    }))
  }
  if (model.strategy === 'far-from-disliked') {
    return candidates.map((candidate) => ({
      ...candidate,
      score: 1 - maxSimilarity(candidate, model.disliked),
    }))
  }
  return candidates.map((candidate) => ({ ...candidate, score: 0 }))
}

/** Returns the highest cosine similarity of a candidate to any example. */
export function maxSimilarity(candidate: Candidate, examples: RatedExample[]): number {
  let best = -1
  for (const example of examples) {
    best = Math.max(best, cosine(candidate.vector, example.vector, candidate.norm, example.norm))
  }
  return best
}
