import { likeScores, type RandomForest } from './forest-adapter'
import type { Candidate } from './candidates'
import { cosine, meanVector, norm, subtract } from './vectors'

/**
 * Scoring strategy for a user or a set of examples:
 * - 'forest': likes and dislikes both exist; the score is the forest's like-probability.
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
}

/** A candidate with its score. `likeProbability` and `voteShare` come from a forest. */
export interface ScoredCandidate extends Candidate {
  score: number
  likeProbability?: number
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
  return { strategy, forest: strategy === 'forest' ? forest : null, liked, disliked }
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
 * Scores candidates with the model's strategy. With `explore` > 0 the forest score gains
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
    return candidates.map((candidate, i) => {
      const share = voteShare[i]!
      const disagreement = 2 * Math.sqrt(share * (1 - share))
      return {
        ...candidate,
        score: probability[i]! + explore * disagreement,
        likeProbability: probability[i]!,
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
