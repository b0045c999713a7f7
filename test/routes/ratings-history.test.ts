import { env } from 'cloudflare:workers'
import { runInDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'

import { ForestStore } from '../../src/storage/forest-store'
import { clusterFeatures, postJson, putFeatures, rate, seedCatalog, send } from '../support/catalog'

/** Returns the Durable Object that stores a user's ratings. */
function ratingsObject(tenant: string, user: string) {
  return env.USER_RATINGS.get(env.USER_RATINGS.idFromName(`${tenant}:${user}`))
}

interface RatingBody {
  model: { version: number; trained: boolean; update: string; examples: number }
}

interface RecommendBody {
  strategy: string
  modelVersion: number
  items: { item: string; score: number }[]
}

interface ScoresBody {
  strategy: string
  modelVersion: number
  scores: { item: string; score: number }[]
}

function clusterOf(item: string): number {
  return Number(item.slice(1, item.indexOf('-')))
}

async function rateModel(
  tenant: string,
  user: string,
  item: string,
  rating: unknown,
): Promise<RatingBody['model']> {
  const response = await rate(tenant, user, item, rating)
  expect(response.status).toBe(201)
  return ((await response.json()) as RatingBody).model
}

/** Likes items 0 to 4 of cluster `liked`, dislikes those of `disliked` and returns the last model. */
async function rateClusters(
  tenant: string,
  user: string,
  liked: number,
  disliked: number,
): Promise<RatingBody['model']> {
  let model: RatingBody['model'] | undefined
  for (let n = 0; n < 5; n++) {
    await rateModel(tenant, user, `c${liked}-${n}`, 'like')
    model = await rateModel(tenant, user, `c${disliked}-${n}`, 'dislike')
  }
  return model!
}

async function recommend(tenant: string, query: string): Promise<RecommendBody> {
  const response = await send(`/recommend?${query}`, tenant)
  expect(response.status).toBe(200)
  return (await response.json()) as RecommendBody
}

async function scores(tenant: string, user: string, items: string[]): Promise<ScoresBody> {
  const response = await postJson(`/users/${user}/scores`, { items }, tenant)
  expect(response.status).toBe(200)
  return (await response.json()) as ScoresBody
}

describe('a deleted user rating again', () => {
  it('recommends from the new ratings only', async () => {
    const tenant = 'history-deleted'
    await seedCatalog(tenant, 8, [0, 1])
    const before = await rateClusters(tenant, 'ora', 0, 1)
    const first = await recommend(tenant, 'user=ora&k=3')

    expect((await send('/users/ora', tenant, 'DELETE')).status).toBe(204)
    const after = await rateClusters(tenant, 'ora', 1, 0)
    const second = await recommend(tenant, 'user=ora&k=3')
    await ratingsObject(tenant, 'ora').flushForest()
    const stored = await new ForestStore(env.MODELS, tenant).version('ora')

    expect(first.items.map((item) => clusterOf(item.item))).toEqual([0, 0, 0])
    expect(second.items.map((item) => clusterOf(item.item))).toEqual([1, 1, 1])
    expect(after.version).toBeGreaterThan(before.version)
    expect(second.modelVersion).toBe(after.version)
    expect(stored).toBe(after.version)
  })
})

describe('rating a re-added item again', () => {
  /** Replaces catalog item `id` with new content of `cluster` and returns its content id. */
  async function replaceContent(tenant: string, id: string, cluster: number): Promise<string> {
    expect((await send(`/items/${id}`, tenant, 'DELETE')).status).toBe(204)
    const contentId = await putFeatures(tenant, `${tenant}/${id}/new`, clusterFeatures(cluster, 7))
    const response = await postJson('/items', { id, contentId }, tenant)
    expect(response.status).toBe(201)
    return contentId
  }

  it('learns the new content', async () => {
    const tenant = 'history-content'
    await seedCatalog(tenant, 3, [0, 1, 2])
    await rateModel(tenant, 'quin', 'c0-0', 'like')
    const first = await rateModel(tenant, 'quin', 'c1-0', 'dislike')
    const probe = ['c0-1', 'c0-2', 'c2-1', 'c2-2', 'c1-1']
    const before = await scores(tenant, 'quin', probe)
    const contentId = await replaceContent(tenant, 'c0-0', 2)

    const again = await rateModel(tenant, 'quin', 'c0-0', 'like')
    // A user who rated the same items in the order the stored ratings now have.
    await rateModel(tenant, 'rae', 'c1-0', 'dislike')
    await rateModel(tenant, 'rae', 'c0-0', 'like')
    const rerated = await scores(tenant, 'quin', probe)
    const fresh = await scores(tenant, 'rae', probe)
    const profile = await ratingsObject(tenant, 'quin').profile()

    expect(rerated.scores).toEqual(fresh.scores)
    expect(again).toEqual({
      version: first.version + 1,
      trained: true,
      update: 'rebuild',
      examples: 2,
    })
    expect(rerated.scores).not.toEqual(before.scores)
    expect(profile.rated.map((rated) => rated.item)).toEqual(['c1-0', 'c0-0'])
    expect(profile.rated[1]!.contentId).toBe(contentId)
  })

  it('keeps the forest for the same content', async () => {
    const tenant = 'history-same-content'
    await seedCatalog(tenant, 1, [0, 1])
    await rateModel(tenant, 'sal', 'c0-0', 'like')
    await rateModel(tenant, 'sal', 'c1-0', 'dislike')

    const again = await rateModel(tenant, 'sal', 'c0-0', 5)

    expect(again).toEqual({ version: 3, trained: true, update: 'none', examples: 2 })
  })

  it('compares vectors without a content id', async () => {
    const tenant = 'history-no-content-id'
    await seedCatalog(tenant, 1, [0, 1])
    await rateModel(tenant, 'tam', 'c0-0', 'like')
    await rateModel(tenant, 'tam', 'c1-0', 'dislike')
    // Ratings stored before the content id was recorded have none.
    await runInDurableObject(ratingsObject(tenant, 'tam'), (_, state) => {
      state.storage.sql.exec('UPDATE ratings SET content_id = NULL')
    })

    const same = await rateModel(tenant, 'tam', 'c0-0', 'like')
    await replaceContent(tenant, 'c1-0', 0)
    const changed = await rateModel(tenant, 'tam', 'c1-0', 'dislike')

    expect(same.update).toBe('none')
    expect(changed.update).toBe('rebuild')
  })
})
