import { itemNotFound } from '../catalog/catalog-service'
import { dequantizeVector, type QuantizedVector } from '../catalog/quantize'
import { readShards } from '../catalog/shard-cache'
import type { CatalogItem, CatalogItemWithVector, CatalogManifest } from '../catalog/types'
import { describeSpace, IMAGE_SPACE, requireForestSpace } from '../catalog/vector-space'
import { FeatureForestError } from '../errors'
import type { TenantDeps } from '../deps'
import { userRatings } from '../ratings/ratings-service'
import { USER_FEATURE_KIND, type UserProfile } from '../ratings/user-ratings'
import { preselectCandidates, type Candidate } from './candidates'
import { describe, nameableLiked, type Recommendation } from './explanations'
import { buildTrainer, USER_FOREST_OPTIONS } from './forest-adapter'
import { loadUserForest } from './forest-cache'
import { selectByMarginalRelevance, selectSpread } from './ranking'
import { RatedVectors } from './rated-vectors'
import {
  createTasteModel,
  prefilterQuery,
  ratedItems,
  scoreCandidates,
  toExample,
  withTagAffinity,
  type RatedExample,
  type RatedItemTags,
  type ScoredCandidate,
  type Strategy,
  type TasteModel,
} from './taste-model'

/** Options of a recommendation request. */
export interface RecommendOptions {
  k: number
  exclude: string[]
  /** Weight of relevance against diversity in maximal marginal relevance, from 0 to 1. */
  lambda: number
  /** Weight of tree disagreement added to the forest score, from 0 to 1. */
  explore: number
}

export type { Explanation, Recommendation } from './explanations'

/**
 * Items never recommended: ids rated or excluded by the request, and items with the embedding of
 * a rated item, which are the same content under another id (see RatedVectors).
 */
interface Exclusions {
  ids: Set<string>
  vectors: QuantizedVector[]
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
  const excluded: Exclusions = {
    ids: new Set([...options.exclude, ...profile.rated.map((rated) => rated.item)]),
    vectors: profile.rated.map((rated) => rated.vector),
  }
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
  const [found, manifest] = await Promise.all([
    catalogItems(deps, [...positive, ...negative]),
    deps.index.getManifest(deps.tenant) as Promise<CatalogManifest>,
  ])
  const examples = found.map(toCatalogExample)
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
  const excluded: Exclusions = {
    ids: new Set([...options.exclude, ...positive, ...negative]),
    vectors: found.map((item) => item.vector),
  }
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
  scores: ItemScore[]
}> {
  const profile = (await userRatings(deps, user).profile()) as UserProfile
  const [untagged, found] = await Promise.all([
    userTasteModel(deps, user, profile),
    catalogItems(deps, items),
  ])
  const model = await withCatalogTags(deps, untagged)
  const candidates: Candidate[] = found.map((item) => ({
    ...candidateOf(toCatalogExample(item)),
    tags: item.tags,
  }))
  const scored: ScoredCandidate[] =
    model.strategy === 'catalog-spread'
      ? candidates.map((c) => ({ ...c, score: 0 }))
      : scoreCandidates(model, candidates)
  return {
    strategy: model.strategy,
    modelVersion: profile.version,
    scores: scored.map(({ id, score, likeProbability, tagLikeRate }) => ({
      item: id,
      score,
      ...(likeProbability !== undefined && { likeProbability }),
      ...(tagLikeRate !== undefined && { tagLikeRate }),
    })),
  }
}

/** A score of POST /users/{user}/scores, with the forest's and the tags' parts when used. */
export interface ItemScore {
  item: string
  score: number
  likeProbability?: number
  tagLikeRate?: number
}

function candidateOf(example: RatedExample): Candidate {
  return { id: example.item, vector: example.vector, norm: example.norm }
}

/**
 * Returns a forest model with the like-rates of its rated items' tags, and sets the tags of
 * `candidates`. One catalog call reads both. Other strategies use no tags and cost no call.
 */
async function withCatalogTags(
  deps: TenantDeps,
  model: TasteModel,
  candidates: Candidate[] = [],
): Promise<TasteModel> {
  if (model.strategy !== 'forest') return model
  const rated = ratedItems(model)
  const tags = (await deps.index.getTags([
    ...rated,
    ...candidates.map((candidate) => candidate.id),
  ])) as RatedItemTags[]
  candidates.forEach((candidate, i) => (candidate.tags = tags[rated.length + i]!.tags))
  return withTagAffinity(model, tags.slice(0, rated.length))
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
      rated.contentId,
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

/**
 * Reads catalog items with their vectors, in the order of `ids`; throws not_found naming the
 * first unknown id.
 */
async function catalogItems(deps: TenantDeps, ids: string[]): Promise<CatalogItemWithVector[]> {
  if (ids.length === 0) return []
  const found = (await deps.index.getItemsWithVectors(ids)) as CatalogItemWithVector[]
  const byId = new Map(found.map((item) => [item.id, item]))
  return ids.map((id) => {
    const item = byId.get(id)
    if (!item) throw itemNotFound(id)
    return item
  })
}

function toCatalogExample(item: CatalogItemWithVector): RatedExample {
  const { codes, offset, step } = item.vector
  return toExample(item.id, item.contentId, dequantizeVector(codes, offset, step))
}

async function recommend(
  deps: TenantDeps,
  manifest: CatalogManifest,
  taste: TasteModel,
  excluded: Exclusions,
  options: RecommendOptions,
): Promise<Recommendation[]> {
  // NOTE: the pre-filter ranks by embedding only, so in a catalog larger than candidateLimit an
  // item whose tags the user likes but whose embedding lies far from the liked items is dropped
  // before its tags count.
  const candidates = await preselectCandidates(readShards(deps.tenant, manifest, deps.shards), {
    query: prefilterQuery(taste),
    excluded: excluded.ids,
    ratedVectors: new RatedVectors(excluded.vectors),
    limit: candidateLimit(options.k),
  })
  const model = await withCatalogTags(deps, taste, candidates)
  const selected =
    model.strategy === 'catalog-spread'
      ? selectSpread(scoreCandidates(model, candidates), options.k)
      : selectByMarginalRelevance(
          scoreCandidates(model, candidates, options.explore),
          options.k,
          options.lambda,
        )
  // One call returns the selected items and the current content ids of the liked items.
  const { items, contentIds } = (await deps.index.getItemsAndContentIds(
    selected.map((candidate) => candidate.id),
    model.liked.map((example) => example.item),
  )) as { items: CatalogItem[]; contentIds: (string | null)[] }
  const liked = nameableLiked(model.liked, contentIds)
  const byId = new Map(items.map((item) => [item.id, item]))
  // An item deleted after its shard was read is left out, so the list may come up short of k.
  return selected
    .filter((candidate) => byId.has(candidate.id))
    .map((candidate) => describe(candidate, byId.get(candidate.id), liked, model.tagAffinity))
}
