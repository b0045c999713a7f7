import { env } from 'cloudflare:workers'

import { IMAGE_MODEL_ID, type ImageFeatures } from '../../src/backbone/image-backbone'
import { contentIdOf } from '../../src/embedding/content-id'
import { FeatureStore } from '../../src/storage/feature-store'
import { request } from './api'
import { seededRandom } from './random'

export { seededRandom }

/** Header that selects the tenant of a request. */
export const TENANT_HEADER = 'X-FeatureForest-Tenant'

/** Dimensions of the backbone's vectors. */
const PROBABILITY_DIMENSIONS = 1000
const EMBEDDING_DIMENSIONS = 1280

/**
 * Returns synthetic features of an item of `cluster` (0 to 3): the embedding is noise plus a
 * strong signal in the 100 dimensions of the cluster, and the probabilities peak at class
 * 100 × cluster. Items of one cluster are close to each other and far from the others.
 */
export function clusterFeatures(cluster: number, seed: number): ImageFeatures {
  const random = seededRandom(cluster * 100_003 + seed)
  const embedding = new Float32Array(EMBEDDING_DIMENSIONS)
  for (let i = 0; i < EMBEDDING_DIMENSIONS; i++) embedding[i] = random() * 0.5
  for (let i = cluster * 100; i < cluster * 100 + 100; i++) embedding[i]! += 2 + random()
  const probabilities = new Float32Array(PROBABILITY_DIMENSIONS).fill(
    0.5 / (PROBABILITY_DIMENSIONS - 1),
  )
  probabilities[cluster * 100] = 0.5
  return { probabilities, embedding }
}

/** Writes features to KV as the embedding pipeline would, and returns their content id. */
export async function putFeatures(
  tenant: string,
  name: string,
  features: ImageFeatures,
): Promise<string> {
  const contentId = await contentIdOf(new TextEncoder().encode(name))
  await new FeatureStore(env.FEATURES, tenant).put(IMAGE_MODEL_ID, contentId, features, {
    format: 'synthetic',
    width: 1,
    height: 1,
  })
  return contentId
}

/** A seeded catalog item. */
export interface SeededItem {
  id: string
  contentId: string
  cluster: number
}

/**
 * Adds `perCluster` items of each cluster to the catalog of `tenant` through POST /items/bulk.
 * Item ids are `c{cluster}-{n}`.
 */
export async function seedCatalog(
  tenant: string,
  perCluster: number,
  clusters = [0, 1, 2, 3],
): Promise<SeededItem[]> {
  const items: SeededItem[] = []
  for (const cluster of clusters) {
    for (let n = 0; n < perCluster; n++) {
      const id = `c${cluster}-${n}`
      const contentId = await putFeatures(tenant, `${tenant}/${id}`, clusterFeatures(cluster, n))
      items.push({ id, contentId, cluster })
    }
  }
  for (let start = 0; start < items.length; start += 250) {
    const batch = items.slice(start, start + 250)
    const response = await postJson(
      '/items/bulk',
      { items: batch.map(({ id, contentId }) => ({ id, contentId, metadata: { id } })) },
      tenant,
    )
    if (response.status >= 300) {
      throw new Error(`seeding the catalog failed: ${response.status} ${await response.text()}`)
    }
  }
  return items
}

/** Sends a JSON request as `tenant`. */
export function postJson(
  path: string,
  body: unknown,
  tenant = 'default',
  method = 'POST',
): Promise<Response> {
  return request(path, {
    method,
    body: JSON.stringify(body),
    headers: { 'Content-Type': 'application/json', [TENANT_HEADER]: tenant },
  })
}

/** Sends a request without a body as `tenant`. */
export function send(path: string, tenant = 'default', method = 'GET'): Promise<Response> {
  return request(path, { method, headers: { [TENANT_HEADER]: tenant } })
}

/** Rates an item and returns the response. */
export function rate(
  tenant: string,
  user: string,
  item: string,
  rating: unknown,
): Promise<Response> {
  return postJson('/ratings', { user, item, rating }, tenant)
}
