import IMAGENET_CLASSES from '../../models/installed/imagenet-classes.json'
import { itemNotFound } from '../catalog/catalog-service'
import { dequantizeVector } from '../catalog/quantize'
import { readShards } from '../catalog/shard-cache'
import type { CatalogItem, CatalogItemWithVector, CatalogManifest } from '../catalog/types'
import { describeSpace, IMAGE_SPACE, requireForestSpace } from '../catalog/vector-space'
import { FeatureForestError } from '../errors'
import type { TenantDeps } from '../deps'
import { userRatings } from '../ratings/ratings-service'
import { USER_FEATURE_KIND, type UserProfile } from '../ratings/user-ratings'
import { preselectCandidates, type Candidate } from './candidates'
import { buildTrainer, USER_FOREST_OPTIONS } from './forest-adapter'
import { loadUserForest } from './forest-cache'
import { selectByMarginalRelevance, selectSpread } from './ranking'
import {
  createTasteModel,
  prefilterQuery,
  scoreCandidates,
  toExample,
  type RatedExample,
  type ScoredCandidate,
  type Strategy,
  type TasteModel,
} from './taste-model'
import { cosine } from './vectors'

/** Options of a recommendation request. */
export interface RecommendOptions {
  k: number
  exclude: string[]
  /** Weight of relevance against diversity in maximal marginal relevance, from 0 to 1. */
  lambda: number
  /** Weight of tree disagreement added to the forest score, from 0 to 1. */
  explore: number
}

/** Reasons for recommending an item. */
export interface Explanation {
  /** Top ImageNet classes the image backbone found in the item; empty for text items. */
  concepts: string[]
  /** Liked items most similar to it (cosine similarity of embeddings). */
  similarTo: { item: string; similarity: number }[]
}

export interface Recommendation {
  item: string
  score: number
  likeProbability?: number
  metadata: Record<string, unknown> | null
  explanation: Explanation
}

export interface RecommendResult {
  strategy: Strategy
  /** The user's model version the recommendation used; absent for ad-hoc requests. */
  modelVersion?: number
  items: Recommendation[]
}

/** Items kept by the pre-filter: 20 per result, at least 200, at most 1,000. */
export function candidateLimit(k: number): number {
  return Math.min(1000, Math.max(200, 20 * k))
}

/** Recommends unrated catalog items to a stored user. */
export async function recommendForUser(
  deps: TenantDeps,
  user: string,
  options: RecommendOptions,
): Promise<RecommendResult> {
  const [profile, manifest] = await Promise.all([
    userRatings(deps, user).profile() as Promise<UserProfile>,
    deps.index.getManifest(deps.tenant) as Promise<CatalogManifest>,
  ])
  requireCatalogBackbone(user, profile, manifest)
  const model = await userTasteModel(deps, user, profile)
  if (model.forest) {
    requireForestSpace(
      model.forest.metadata.backboneModelId,
      manifest.space ?? IMAGE_SPACE,
      `the forest of user ${user}`,
    )
  }
  const excluded = new Set([...options.exclude, ...profile.rated.map((rated) => rated.item)])
  const items = await recommend(deps, manifest, model, excluded, options)
  return { strategy: model.strategy, modelVersion: profile.version, items }
}

/**
 * Recommends catalog items from positive and negative example items, without a stored user.
 * With both kinds a forest is trained for this request; the examples are never recommended.
 */
export async function recommendFromExamples(
  deps: TenantDeps,
  positive: string[],
  negative: string[],
  options: RecommendOptions,
): Promise<RecommendResult> {
  const [examples, manifest] = await Promise.all([
    catalogExamples(deps, [...positive, ...negative]),
    deps.index.getManifest(deps.tenant) as Promise<CatalogManifest>,
  ])
  const liked = examples.slice(0, positive.length)
  const disliked = examples.slice(positive.length)
  const forest =
    liked.length > 0 && disliked.length > 0
      ? buildTrainer(
          {
            features: examples.map((example) => example.vector),
            labels: [...liked.map(() => 'like'), ...disliked.map(() => 'dislike')],
          },
          USER_FOREST_OPTIONS,
          (manifest.space ?? IMAGE_SPACE).backbone,
          USER_FEATURE_KIND,
        ).forest
      : null
  const model = createTasteModel(liked, disliked, forest)
  const excluded = new Set([...options.exclude, ...positive, ...negative])
  return {
    strategy: model.strategy,
    items: await recommend(deps, manifest, model, excluded, options),
  }
}

/** Scores given catalog items for a stored user, as recommendation would (no pre-filter). */
export async function scoreItemsForUser(
  deps: TenantDeps,
  user: string,
  items: string[],
): Promise<{
  strategy: Strategy
  modelVersion: number
  scores: { item: string; score: number }[]
}> {
  const profile = (await userRatings(deps, user).profile()) as UserProfile
  const [model, examples] = await Promise.all([
    userTasteModel(deps, user, profile),
    catalogExamples(deps, items),
  ])
  const candidates: Candidate[] = examples.map((example) => ({
    id: example.item,
    vector: example.vector,
    norm: example.norm,
  }))
  const scored =
    model.strategy === 'catalog-spread'
      ? candidates.map((c) => ({ ...c, score: 0 }))
      : scoreCandidates(model, candidates)
  return {
    strategy: model.strategy,
    modelVersion: profile.version,
    scores: scored.map((candidate) => ({ item: candidate.id, score: candidate.score })),
  }
}

/**
 * Throws modality_mismatch when a user's ratings hold vectors of another backbone than the
 * catalog, which happens only when a catalog's backbone changed after the user rated.
 */
function requireCatalogBackbone(
  user: string,
  profile: UserProfile,
  manifest: CatalogManifest,
): void {
  if (!profile.backbone || !manifest.space || profile.backbone === manifest.space.backbone) return
  throw new FeatureForestError(
    'modality_mismatch',
    `user ${user} rated items of backbone ${profile.backbone}, and the catalog holds ` +
      `${describeSpace(manifest.space)} items; delete the user's ratings (DELETE /users/${user})`,
  )
}

// NOTE: the profile carries the vector of every rated item (1,280 bytes for an image, 512 for
// a text), so a user with tens of thousands of ratings makes each recommendation move tens of
// MB between objects.
async function userTasteModel(
  deps: TenantDeps,
  user: string,
  profile: UserProfile,
): Promise<TasteModel> {
  const examples = profile.rated.map((rated) => ({
    label: rated.label,
    example: toExample(
      rated.item,
      dequantizeVector(rated.vector.codes, rated.vector.offset, rated.vector.step),
    ),
  }))
  const liked = examples.filter((e) => e.label === 'like').map((e) => e.example)
  const disliked = examples.filter((e) => e.label === 'dislike').map((e) => e.example)
  const forest = profile.trained
    ? await loadUserForest(deps.forests, deps.tenant, user, profile.version, () =>
        userRatings(deps, user).forestSnapshot(deps.tenant, user),
      )
    : undefined
  return createTasteModel(liked, disliked, forest ?? null)
}

/** Reads catalog items as examples; throws not_found naming the first unknown id. */
async function catalogExamples(deps: TenantDeps, ids: string[]): Promise<RatedExample[]> {
  if (ids.length === 0) return []
  const found = (await deps.index.getItemsWithVectors(ids)) as CatalogItemWithVector[]
  const byId = new Map(found.map((item) => [item.id, item]))
  return ids.map((id) => {
    const item = byId.get(id)
    if (!item) throw itemNotFound(id)
    return toExample(id, dequantizeVector(item.vector.codes, item.vector.offset, item.vector.step))
  })
}

async function recommend(
  deps: TenantDeps,
  manifest: CatalogManifest,
  model: TasteModel,
  excluded: Set<string>,
  options: RecommendOptions,
): Promise<Recommendation[]> {
  const candidates = await preselectCandidates(readShards(deps.tenant, manifest, deps.shards), {
    query: prefilterQuery(model),
    excluded,
    limit: candidateLimit(options.k),
  })
  const selected =
    model.strategy === 'catalog-spread'
      ? selectSpread(scoreCandidates(model, candidates), options.k)
      : selectByMarginalRelevance(
          scoreCandidates(model, candidates, options.explore),
          options.k,
          options.lambda,
        )
  const items = (await deps.index.getItems(selected.map((c) => c.id))) as CatalogItem[]
  const byId = new Map(items.map((item) => [item.id, item]))
  return selected.map((candidate) => describe(candidate, byId.get(candidate.id), model))
}

function describe(
  candidate: ScoredCandidate,
  item: CatalogItem | undefined,
  model: TasteModel,
): Recommendation {
  const similarTo = model.liked
    .map((liked) => ({
      item: liked.item,
      similarity: cosine(candidate.vector, liked.vector, candidate.norm, liked.norm),
    }))
    .sort((a, b) => b.similarity - a.similarity)
    .slice(0, 2)
  return {
    item: candidate.id,
    score: candidate.score,
    ...(candidate.likeProbability !== undefined && { likeProbability: candidate.likeProbability }),
    metadata: item?.metadata ?? null,
    explanation: {
      concepts: (item?.concepts ?? []).map(
        (concept) => IMAGENET_CLASSES[concept.id] ?? `class ${concept.id}`,
      ),
      similarTo,
    },
  }
}
