import { describe, expect, it } from 'vitest'

import { postJson, rate, send } from '../support/catalog'
import { seedTextCatalog, topicOf } from '../support/texts'

interface RecommendBody {
  strategy: string
  items: {
    item: string
    score: number
    metadata: Record<string, unknown> | null
    explanation: { concepts: string[]; similarTo: { item: string; similarity: number }[] }
  }[]
}

interface RatingBody {
  model: { trained: boolean; examples: number }
  counts: { likes: number; dislikes: number; total: number }
}

async function recommend(tenant: string, query: string): Promise<RecommendBody> {
  const response = await send(`/recommend?${query}`, tenant)
  expect(response.status).toBe(200)
  return (await response.json()) as RecommendBody
}

describe('ratings and recommendations on a text catalog', () => {
  it('rank the liked topic first with a forest', async () => {
    await seedTextCatalog('text-rec-forest')
    const ratings: [string, string][] = [
      ['cooking-0', 'like'],
      ['cooking-1', 'like'],
      ['cooking-2', 'like'],
      ['football-0', 'dislike'],
      ['football-1', 'dislike'],
      ['finance-0', 'dislike'],
      ['finance-1', 'dislike'],
    ]
    const responses: Response[] = []
    for (const [item, rating] of ratings) {
      responses.push(await rate('text-rec-forest', 'cook', item, rating))
    }
    const last = (await responses[responses.length - 1]!.json()) as RatingBody

    const body = await recommend('text-rec-forest', 'user=cook&k=100')
    const returned = body.items.map((item) => item.item)

    expect(responses.map((response) => response.status)).toEqual(ratings.map(() => 201))
    expect(last.model).toMatchObject({ trained: true, examples: 7 })
    expect(last.counts).toEqual({ likes: 3, dislikes: 4, total: 7 })
    expect(body.strategy).toBe('forest')
    expect(returned).toHaveLength(14 - ratings.length)
    for (const [item] of ratings) expect(returned).not.toContain(item)
    expect(returned.slice(0, 3).map(topicOf)).toEqual(['cooking', 'cooking', 'cooking'])
    expect(body.items[0]!.explanation.concepts).toEqual([])
    expect(topicOf(body.items[0]!.explanation.similarTo[0]!.item)).toBe('cooking')
    expect(body.items[0]!.metadata).toEqual({ topic: 'cooking' })
  })

  it('rank texts like the liked ones first without dislikes', async () => {
    await seedTextCatalog('text-rec-similar')
    await rate('text-rec-similar', 'fan', 'football-0', 'like')
    await rate('text-rec-similar', 'fan', 'football-1', 5)

    const body = await recommend('text-rec-similar', 'user=fan&k=4')
    const returned = body.items.map((item) => item.item)
    const similarTo = body.items[0]!.explanation.similarTo

    expect(body.strategy).toBe('similar-to-liked')
    expect(returned.slice(0, 2).sort()).toEqual(['football-2', 'football-3'])
    expect(returned).not.toContain('football-0')
    expect(returned).not.toContain('football-1')
    expect(similarTo.map((entry) => entry.item).sort()).toEqual(['football-0', 'football-1'])
    expect(similarTo[0]!.similarity).toBeGreaterThan(similarTo[1]!.similarity - 1e-9)
    expect(body.items[0]!.score).toBeCloseTo(similarTo[0]!.similarity, 5)
  })

  it('recommend from ad-hoc positive and negative texts', async () => {
    await seedTextCatalog('text-rec-adhoc')

    const response = await postJson(
      '/recommend',
      {
        positive: ['finance-0', 'finance-1'],
        negative: ['cooking-0', 'cooking-1', 'football-0', 'football-1'],
        k: 100,
      },
      'text-rec-adhoc',
    )
    const body = (await response.json()) as RecommendBody
    const returned = body.items.map((item) => item.item)

    expect(response.status).toBe(200)
    expect(body.strategy).toBe('forest')
    expect(returned).toHaveLength(14 - 6)
    expect(returned).not.toContain('finance-0')
    expect(returned).not.toContain('cooking-1')
    expect(returned.slice(0, 2).sort()).toEqual(['finance-2', 'finance-3'])
  })

  it('keep the ratings of tenants apart', async () => {
    await seedTextCatalog('text-rec-tenant-a')
    await seedTextCatalog('text-rec-tenant-b')
    await rate('text-rec-tenant-a', 'sam', 'cooking-0', 'like')

    const own = await send('/users/sam/ratings', 'text-rec-tenant-a')
    const other = await send('/users/sam/ratings', 'text-rec-tenant-b')
    const otherRecommendation = await recommend('text-rec-tenant-b', 'user=sam&k=100')

    expect(own.status).toBe(200)
    expect(other.status).toBe(404)
    expect(otherRecommendation.strategy).toBe('catalog-spread')
    expect(otherRecommendation.items).toHaveLength(14)
  })
})
