import { describe, expect, it } from 'vitest'

import { request, type ErrorBody } from '../support/api'
import { postJson, rate, seedCatalog, send } from '../support/catalog'

interface RecommendBody {
  user?: string
  strategy: string
  modelVersion?: number
  items: {
    item: string
    score: number
    likeProbability?: number
    metadata: Record<string, unknown> | null
    explanation: { concepts: string[]; similarTo: { item: string; similarity: number }[] }
  }[]
}

function clusterOf(item: string): number {
  return Number(item.slice(1, item.indexOf('-')))
}

async function recommend(tenant: string, query: string): Promise<RecommendBody> {
  const response = await send(`/recommend?${query}`, tenant)
  expect(response.status).toBe(200)
  return (await response.json()) as RecommendBody
}

describe('GET /recommend', () => {
  it('ranks the liked cluster first with a forest', async () => {
    await seedCatalog('rec-forest', 8)
    for (let n = 0; n < 3; n++) {
      await rate('rec-forest', 'ann', `c0-${n}`, 5)
      await rate('rec-forest', 'ann', `c1-${n}`, 1)
      await rate('rec-forest', 'ann', `c2-${n}`, 2)
    }

    const body = await recommend('rec-forest', 'user=ann&k=5')

    expect(body.strategy).toBe('forest')
    expect(body.modelVersion).toBe(9)
    expect(body.items).toHaveLength(5)
    expect(body.items.map((item) => clusterOf(item.item))).toEqual([0, 0, 0, 0, 0])
    expect(body.items[0]!.likeProbability).toBeGreaterThan(0.5)
    expect(body.items[0]!.explanation.similarTo[0]!.item).toMatch(/^c0-/)
    expect(body.items[0]!.explanation.concepts).toHaveLength(3)
    expect(body.items[0]!.metadata).toEqual({ id: body.items[0]!.item })
  })

  it('never returns rated or excluded items', async () => {
    const items = await seedCatalog('rec-exclude', 5)
    const rated = items.filter((item) => item.id.endsWith('-0') || item.id.endsWith('-1'))
    for (const item of rated)
      await rate('rec-exclude', 'bo', item.id, item.cluster < 2 ? 'like' : 'dislike')
    const excluded = ['c0-2', 'c0-3', 'c1-2']

    const body = await recommend('rec-exclude', `user=bo&k=100&exclude=${excluded.join(',')}`)
    const returned = body.items.map((item) => item.item)

    expect(returned).toHaveLength(items.length - rated.length - excluded.length)
    for (const item of [...rated.map((item) => item.id), ...excluded]) {
      expect(returned).not.toContain(item)
    }
  })

  it('accepts an excluded id listed twice', async () => {
    await seedCatalog('rec-exclude-twice', 2)

    const body = await recommend('rec-exclude-twice', 'user=ida&k=100&exclude=c0-0,c1-1,c0-0')
    const returned = body.items.map((item) => item.item)

    expect(returned).toHaveLength(6)
    expect(returned).not.toContain('c0-0')
    expect(returned).not.toContain('c1-1')
  })

  it('never returns deleted items', async () => {
    await seedCatalog('rec-deleted', 2)
    await send('/items/c1-0', 'rec-deleted', 'DELETE')
    await send('/items/c2-1', 'rec-deleted', 'DELETE')

    const body = await recommend('rec-deleted', 'user=nina&k=100')
    const returned = body.items.map((item) => item.item)

    expect(returned).toHaveLength(6)
    expect(returned).not.toContain('c1-0')
    expect(returned).not.toContain('c2-1')
  })

  it('draws only from the tenant catalog', async () => {
    await seedCatalog('rec-tenant-a', 2, [0])
    await seedCatalog('rec-tenant-b', 3, [1])

    const body = await recommend('rec-tenant-b', 'user=otto&k=100')

    expect(body.items.map((item) => item.item).sort()).toEqual(['c1-0', 'c1-1', 'c1-2'])
  })

  it('spreads over the catalog for a user without ratings', async () => {
    await seedCatalog('rec-cold', 6)

    const body = await recommend('rec-cold', 'user=new-user&k=4')

    expect(body.strategy).toBe('catalog-spread')
    expect(new Set(body.items.map((item) => clusterOf(item.item))).size).toBe(4)
  })

  it('recommends items like the liked ones when there are only likes', async () => {
    await seedCatalog('rec-likes', 6)
    await rate('rec-likes', 'cy', 'c2-0', 'like')

    const body = await recommend('rec-likes', 'user=cy&k=5')

    expect(body.strategy).toBe('similar-to-liked')
    expect(body.items.map((item) => clusterOf(item.item))).toEqual([2, 2, 2, 2, 2])
  })

  it('avoids the disliked cluster when there are only dislikes', async () => {
    await seedCatalog('rec-dislikes', 5)
    await rate('rec-dislikes', 'di', 'c3-0', 'dislike')

    const body = await recommend('rec-dislikes', 'user=di&k=15')

    expect(body.strategy).toBe('far-from-disliked')
    expect(body.items.map((item) => clusterOf(item.item))).not.toContain(3)
  })

  it('diversifies the results with a low lambda', async () => {
    await seedCatalog('rec-mmr', 6)
    await rate('rec-mmr', 'ed', 'c0-0', 'like')
    await rate('rec-mmr', 'ed', 'c1-0', 'like')
    await rate('rec-mmr', 'ed', 'c2-0', 'dislike')

    const focused = await recommend('rec-mmr', 'user=ed&k=4&lambda=1')
    const diverse = await recommend('rec-mmr', 'user=ed&k=4&lambda=0.3')

    const clusters = (body: RecommendBody) =>
      new Set(body.items.map((item) => clusterOf(item.item)))
    expect(clusters(diverse).size).toBeGreaterThan(1)
    expect(clusters(diverse).size).toBeGreaterThanOrEqual(clusters(focused).size)
  })

  it('adds tree disagreement to the score with explore', async () => {
    await seedCatalog('rec-explore', 4)
    await rate('rec-explore', 'fi', 'c0-0', 'like')
    await rate('rec-explore', 'fi', 'c1-0', 'dislike')

    const plain = await recommend('rec-explore', 'user=fi&k=3')
    const exploring = await recommend('rec-explore', 'user=fi&k=3&explore=1')

    const gain = exploring.items.map((item) => item.score - (item.likeProbability ?? 0))
    expect(plain.items.every((item) => item.score === item.likeProbability)).toBe(true)
    expect(Math.max(...gain)).toBeGreaterThan(0)
  })

  it.each([
    ['k=0', 'user=u&k=0'],
    ['k=101', 'user=u&k=101'],
    ['k=2.5', 'user=u&k=2.5'],
    ['a missing user', 'k=3'],
    ['an invalid user', 'user=a%20b'],
    ['lambda=2', 'user=u&lambda=2'],
    ['explore=-1', 'user=u&explore=-1'],
    ['an invalid exclude id', 'user=u&exclude=a%20b'],
    ['k in exponent form', 'user=u&k=1e1'],
    ['k in hexadecimal', 'user=u&k=0x5'],
    ['k with spaces', 'user=u&k=%205'],
    ['lambda in exponent form', 'user=u&lambda=5e-1'],
    ['lambda with a sign', 'user=u&lambda=%2B0.5'],
    ['explore in hexadecimal', 'user=u&explore=0x1'],
  ])('rejects %s with 400', async (_, query) => {
    const response = await send(`/recommend?${query}`)
    const body = (await response.json()) as ErrorBody

    expect(response.status).toBe(400)
    expect(body.error.code).toBe('invalid_request')
  })
})

describe('POST /recommend', () => {
  it('ranks from positive and negative examples without a user', async () => {
    await seedCatalog('rec-adhoc', 6)

    const response = await postJson(
      '/recommend',
      { positive: ['c1-0', 'c1-1'], negative: ['c0-0', 'c2-0', 'c3-0'], k: 3 },
      'rec-adhoc',
    )
    const body = (await response.json()) as RecommendBody

    expect(response.status).toBe(200)
    expect(body.strategy).toBe('forest')
    expect(body.items.map((item) => clusterOf(item.item))).toEqual([1, 1, 1])
    expect(body.items.map((item) => item.item)).not.toContain('c1-0')
  })

  it('uses similarity with positive examples only', async () => {
    await seedCatalog('rec-adhoc-positive', 4)

    const body = (await (
      await postJson('/recommend', { positive: ['c3-1'], k: 2 }, 'rec-adhoc-positive')
    ).json()) as RecommendBody

    expect(body.strategy).toBe('similar-to-liked')
    expect(body.items.map((item) => clusterOf(item.item))).toEqual([3, 3])
  })

  it('rejects an unknown example item with 404', async () => {
    await seedCatalog('rec-adhoc-missing', 1)

    const response = await postJson('/recommend', { positive: ['nope'] }, 'rec-adhoc-missing')

    expect(response.status).toBe(404)
  })

  it('takes a stored user with a long exclude list', async () => {
    const items = await seedCatalog('rec-post-user', 3)
    await rate('rec-post-user', 'joe', 'c0-0', 'like')
    await rate('rec-post-user', 'joe', 'c1-0', 'dislike')
    // 1,000 distinct ids, most of 120 characters: about 120 KB, past the URL limits of workerd and
    // Cloudflare.
    const padding = Array.from({ length: 998 }, (_, n) => `absent-${n}-`.padEnd(120, 'x'))
    const exclude = ['c0-1', 'c2-2', ...padding]

    const response = await postJson(
      '/recommend',
      { user: 'joe', k: 100, exclude: [...exclude, 'c0-1'] },
      'rec-post-user',
    )
    const body = (await response.json()) as RecommendBody
    const returned = body.items.map((item) => item.item)

    expect(response.status).toBe(200)
    expect(body.user).toBe('joe')
    expect(body.strategy).toBe('forest')
    expect(body.modelVersion).toBe(2)
    expect(returned).toHaveLength(items.length - 4)
    for (const item of ['c0-0', 'c1-0', 'c0-1', 'c2-2']) expect(returned).not.toContain(item)
  })

  it.each([
    ['1,001 distinct ids', Array.from({ length: 1001 }, (_, n) => `absent-${n}`)],
    ['2,001 repeats of one id', Array.from({ length: 2001 }, () => 'c0-1')],
  ])('rejects an exclude list of %s', async (_, exclude) => {
    const response = await postJson('/recommend', { user: 'joe', exclude })
    const body = (await response.json()) as ErrorBody

    expect(response.status).toBe(400)
    expect(body.error.message).toBe(
      'exclude must be a JSON array of at most 1000 distinct item ids in at most 2000 entries',
    )
  })

  it('rejects a user together with examples with 400', async () => {
    const response = await postJson('/recommend', { user: 'joe', positive: ['c0-0'] })
    const body = (await response.json()) as ErrorBody

    expect(response.status).toBe(400)
    expect(body.error.message).toBe('give either user or positive and negative examples, not both')
  })

  it('rejects examples that are not a list with 400', async () => {
    const response = await postJson('/recommend', { positive: 'c0-0', negative: 5 })

    expect(response.status).toBe(400)
  })

  it('shows an infinite k in the message', async () => {
    const response = await request('/recommend', {
      method: 'POST',
      body: '{"positive": ["c0-0"], "k": 1e400}',
      headers: { 'Content-Type': 'application/json' },
    })
    const body = (await response.json()) as ErrorBody

    expect(response.status).toBe(400)
    expect(body.error.message).toBe('k Infinity is invalid; use an integer from 1 to 100')
  })

  it.each([
    ['k as a string', { k: '5' }],
    ['k as a fraction', { k: 2.5 }],
    ['lambda as a string', { lambda: '0.5' }],
    ['explore as a boolean', { explore: true }],
  ])('rejects %s in the body with 400', async (_, options) => {
    const response = await postJson('/recommend', { positive: ['c0-0'], ...options })
    const body = (await response.json()) as ErrorBody

    expect(response.status).toBe(400)
    expect(body.error.code).toBe('invalid_request')
  })
})

describe('POST /users/{user}/scores', () => {
  it('scores the given items with the user forest', async () => {
    await seedCatalog('scores', 4, [0, 1])
    await rate('scores', 'gus', 'c0-0', 'like')
    await rate('scores', 'gus', 'c0-1', 'like')
    await rate('scores', 'gus', 'c1-0', 'dislike')
    await rate('scores', 'gus', 'c1-1', 'dislike')

    const response = await postJson('/users/gus/scores', { items: ['c0-3', 'c1-3'] }, 'scores')
    const body = (await response.json()) as {
      strategy: string
      scores: { item: string; score: number }[]
    }

    expect(response.status).toBe(200)
    expect(body.strategy).toBe('forest')
    expect(body.scores.map((score) => score.item)).toEqual(['c0-3', 'c1-3'])
    expect(body.scores[0]!.score).toBeGreaterThan(body.scores[1]!.score)
  })

  it('rejects a body without items with 400', async () => {
    const response = await postJson('/users/gus/scores', {}, 'scores-missing')
    const body = (await response.json()) as ErrorBody

    expect(response.status).toBe(400)
    expect(body.error.code).toBe('invalid_request')
    expect(body.error.message).toContain('items is missing')
  })
})
