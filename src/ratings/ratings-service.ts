import type { CatalogIndex } from '../catalog/catalog-index'
import { itemNotFound } from '../catalog/catalog-service'
import type { CatalogItemWithVector } from '../catalog/types'
import { describeSpace } from '../catalog/vector-space'
import { FeatureForestError } from '../errors'
import type { RatingCounts, RatingLabel, RatingValue, StoredRating } from './rating'
import type { ModelState, RateResult, UserRatings } from './user-ratings'

/** Storage that rating operations use. */
export interface RatingDeps {
  tenant: string
  index: DurableObjectStub<CatalogIndex>
  users: DurableObjectNamespace<UserRatings>
}

/** The response of a rating change. */
export interface RatingChange {
  user: string
  rating?: StoredRating
  model: ModelState
  counts: RatingCounts
}

/** Returns the Durable Object that stores a user's ratings, one per tenant and user. */
export function userRatings(deps: RatingDeps, user: string): DurableObjectStub<UserRatings> {
  return deps.users.get(deps.users.idFromName(`${deps.tenant}:${user}`))
}

/** Records a rating of a catalog item and updates the user's forest. */
export async function rateItem(
  deps: RatingDeps,
  user: string,
  item: string,
  rating: { rating: RatingValue; label: RatingLabel },
): Promise<RatingChange> {
  const [found] = (await deps.index.getItemsWithVectors([item])) as CatalogItemWithVector[]
  if (!found) throw itemNotFound(item)
  // Workers RPC types do not keep the union's narrowing, so the result is typed here.
  const result = (await userRatings(deps, user).rate(deps.tenant, user, {
    item,
    contentId: found.contentId,
    ...rating,
    vector: found.vector,
    backbone: found.backbone,
  })) as RateResult
  if (!result.ok) {
    throw new FeatureForestError(
      'modality_mismatch',
      `user ${user} rated items of backbone ${result.ratedBackbone}, and item ${item} is ` +
        `${describeSpace(found)}; delete the user's ratings (DELETE /users/${user}) first`,
    )
  }
  return { user, rating: result.rating, model: result.model, counts: result.counts }
}

/** Returns a user's ratings in the order they were given, with their counts by label. */
export async function listRatings(
  deps: RatingDeps,
  user: string,
): Promise<{ ratings: StoredRating[]; counts: RatingCounts }> {
  const ratings = await userRatings(deps, user).listRatings()
  if (ratings.length === 0) throw userNotFound(user)
  const likes = ratings.filter((rating) => rating.label === 'like').length
  return { ratings, counts: { likes, dislikes: ratings.length - likes, total: ratings.length } }
}

export async function deleteRating(
  deps: RatingDeps,
  user: string,
  item: string,
): Promise<RatingChange> {
  const result = await userRatings(deps, user).deleteRating(deps.tenant, user, item)
  if (!result) {
    throw new FeatureForestError('not_found', `user ${user} has not rated item ${item}`)
  }
  return { user, ...result }
}

/** Deletes a user's ratings and forest. */
export async function deleteUser(deps: RatingDeps, user: string): Promise<void> {
  if (!(await userRatings(deps, user).deleteUser(deps.tenant, user))) throw userNotFound(user)
}

function userNotFound(user: string): FeatureForestError {
  return new FeatureForestError(
    'not_found',
    `user ${user} has no ratings; rate an item with POST /ratings first`,
  )
}
