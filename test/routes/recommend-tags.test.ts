import { describe, expect, it } from 'vitest'

import { TAG_PRIOR_RATINGS } from '../../src/learning/tag-affinity'
import { clusterFeatures, postJson, putFeatures, rate, send } from '../support/catalog'

interface ScoresBody {
  strategy: string
  scores: { item: string; score: number; likeProbability?: number; tagLikeRate?: number }[]
}

interface RecommendBody {
  strategy: string
  items: {
    item: string
    score: number
    likeProbability?: number
    tagLikeRate?: number
    tags: string[]
    explanation: { tags: string[] }
  }[]
}

/** Items per tag: the first RATED of each are rated, the rest left for recommendation. */
const PER_TAG = 8
const RATED = 5

/**
 * Adds PER_TAG items tagged "sunny" (ids sun-0…) and as many tagged "rainy" (rain-0…). Within
 * each tag the embeddings alternate between two clusters, so the embeddings alone do not tell
 * the tags apart.
 */
async function seedTaggedCatalog(tenant: string): Promise<void> {
  const items = []
  for (const [prefix, tag] of [
    ['sun', 'sunny'],
    ['rain', 'rainy'],
  ] as const) {
    for (let n = 0; n < PER_TAG; n++) {
      const id = `${prefix}-${n}`
      const contentId = await putFeatures(tenant, `${tenant}/${id}`, clusterFeatures(n % 2, n))
      items.push({ id, contentId, tags: [tag] })
    }
  }
  expect((await postJson('/items/bulk', { items }, tenant)).status).toBe(201)
}

/** Likes the first RATED sunny items and dislikes the first RATED rainy ones. */
async function rateByTag(tenant: string, user: string): Promise<void> {
  for (let n = 0; n < RATED; n++) {
    expect((await rate(tenant, user, `sun-${n}`, 'like')).status).toBe(201)
    expect((await rate(tenant, user, `rain-${n}`, 'dislike')).status).toBe(201)
  }
}

/** Shrunk like-rates of the two tags after rateByTag: overall rate 0.5. */
const SUNNY_RATE = (RATED + TAG_PRIOR_RATINGS * 0.5) / (RATED + TAG_PRIOR_RATINGS)
const RAINY_RATE = (0 + TAG_PRIOR_RATINGS * 0.5) / (RATED + TAG_PRIOR_RATINGS)

const unrated = (prefix: string) =>
  Array.from({ length: PER_TAG - RATED }, (_, n) => `${prefix}-${RATED + n}`)

async function scores(tenant: string, user: string, items: string[]): Promise<ScoresBody> {
  const response = await postJson(`/users/${user}/scores`, { items }, tenant)
  expect(response.status).toBe(200)
  return (await response.json()) as ScoresBody
}

describe('tags in recommendations', () => {
  it('average the tag like-rate with the forest probability', async () => {
    const tenant = 'tags-scores'
    await seedTaggedCatalog(tenant)
    await rateByTag(tenant, 'ava')

    const body = await scores(tenant, 'ava', [...unrated('sun'), ...unrated('rain')])

    expect(body.strategy).toBe('forest')
    for (const entry of body.scores) {
      const expected = entry.item.startsWith('sun') ? SUNNY_RATE : RAINY_RATE
      expect(entry.tagLikeRate).toBeCloseTo(expected, 12)
      expect(entry.score).toBeCloseTo((entry.likeProbability! + expected) / 2, 12)
    }
  })

  it('rank liked tags first', async () => {
    const tenant = 'tags-recommend'
    await seedTaggedCatalog(tenant)
    await rateByTag(tenant, 'ben')

    const response = await send(`/recommend?user=ben&k=${PER_TAG - RATED}`, tenant)
    const body = (await response.json()) as RecommendBody

    expect(response.status).toBe(200)
    expect(body.items.map((item) => item.item).sort()).toEqual(unrated('sun'))
    for (const item of body.items) {
      expect(item.tags).toEqual(['sunny'])
      expect(item.explanation.tags).toEqual(['sunny'])
      expect(item.tagLikeRate).toBeCloseTo(SUNNY_RATE, 12)
    }
  })

  it('count in the ad-hoc form from its examples', async () => {
    const tenant = 'tags-examples'
    await seedTaggedCatalog(tenant)
    const examples = (prefix: string) => Array.from({ length: RATED }, (_, n) => `${prefix}-${n}`)

    const response = await postJson(
      '/recommend',
      { positive: examples('sun'), negative: examples('rain'), k: PER_TAG - RATED },
      tenant,
    )
    const body = (await response.json()) as RecommendBody

    expect(response.status).toBe(200)
    expect(body.items.map((item) => item.item).sort()).toEqual(unrated('sun'))
    expect(body.items[0]!.tagLikeRate).toBeCloseTo(SUNNY_RATE, 12)
  })

  it('follow the current tags of rated items', async () => {
    const tenant = 'tags-retagged'
    await seedTaggedCatalog(tenant)
    await rateByTag(tenant, 'cy')
    const before = await scores(tenant, 'cy', ['sun-7'])

    // The liked sun-0 now carries "rainy" as well, which raises the rate of rainy.
    const sun0 = (await (await send('/items/sun-0', tenant)).json()) as {
      item: { contentId: string }
    }
    await postJson(
      '/items',
      { id: 'sun-0', contentId: sun0.item.contentId, tags: ['sunny', 'rainy'] },
      tenant,
    )
    const after = await scores(tenant, 'cy', ['rain-7'])

    expect(before.scores[0]!.tagLikeRate).toBeCloseTo(SUNNY_RATE, 12)
    expect(after.scores[0]!.tagLikeRate).toBeCloseTo(
      (1 + TAG_PRIOR_RATINGS * 0.5) / (RATED + 1 + TAG_PRIOR_RATINGS),
      12,
    )
  })

  it('leave untagged ratings to the forest', async () => {
    const tenant = 'tags-none'
    await seedTaggedCatalog(tenant)
    const untagged = []
    for (const [id, cluster] of [
      ['plain-like', 0],
      ['plain-dislike', 1],
    ] as const) {
      const contentId = await putFeatures(tenant, `${tenant}/${id}`, clusterFeatures(cluster, 99))
      untagged.push({ id, contentId })
    }
    await postJson('/items/bulk', { items: untagged }, tenant)
    await rate(tenant, 'dee', 'plain-like', 'like')
    await rate(tenant, 'dee', 'plain-dislike', 'dislike')

    const body = await scores(tenant, 'dee', ['sun-0', 'rain-0'])
    const recommended = (await (
      await send('/recommend?user=dee&k=2', tenant)
    ).json()) as RecommendBody

    expect(body.strategy).toBe('forest')
    for (const entry of body.scores) {
      expect(entry.tagLikeRate).toBeUndefined()
      expect(entry.score).toBe(entry.likeProbability)
    }
    expect(recommended.items.every((item) => item.explanation.tags.length === 0)).toBe(true)
  })
})
