import { describe, expect, it } from 'vitest'

import type { ImageFeatures } from '../../src/backbone/image-backbone'
import {
  clusterFeatures,
  postJson,
  putFeatures,
  rate,
  seedCatalog,
  seededRandom,
  send,
} from '../support/catalog'

interface RecommendedItem {
  item: string
  score: number
  explanation: { concepts: string[]; similarTo: { item: string; similarity: number }[] }
}

interface RecommendBody {
  strategy: string
  items: RecommendedItem[]
}

async function recommend(tenant: string, query: string): Promise<RecommendBody> {
  const response = await send(`/recommend?${query}`, tenant)
  expect(response.status).toBe(200)
  return (await response.json()) as RecommendBody
}

/** Adds the stored content `contentId` to the catalog as item `id`. */
async function addItem(tenant: string, id: string, contentId: string): Promise<void> {
  const response = await postJson('/items', { id, contentId }, tenant)
  expect(response.status).toBe(201)
}

function returnedIds(body: RecommendBody): string[] {
  return body.items.map((item) => item.item).sort()
}

/**
 * Returns an embedding with every value in [2, 3) and `count` copies of it that each differ in
 * one coordinate by one quantisation step. Each copy is then within about 1e-9 of parallel to the
 * original, less than the rounding of norms stored as float32, so an unclamped cosine similarity
 * of some copies exceeds 1.
 */
function nearDuplicates(count: number): { original: ImageFeatures; copies: ImageFeatures[] } {
  const random = seededRandom(4242)
  const embedding = Float32Array.from({ length: 1280 }, () => 2 + random())
  const probabilities = new Float32Array(1000).fill(0.001)
  const step = (Math.max(...embedding) - Math.min(...embedding)) / 255
  const copies = Array.from({ length: count }, (_, n) => {
    const copy = embedding.slice()
    const coordinate = 100 + 97 * n
    copy[coordinate] = copy[coordinate]! + (copy[coordinate]! < 2.5 ? step : -step)
    return { probabilities, embedding: copy }
  })
  return { original: { probabilities, embedding }, copies }
}

describe('GET /recommend explanations', () => {
  it('names no deleted item or reused id', async () => {
    const tenant = 'rx-deleted'
    await seedCatalog(tenant, 3, [0, 1])
    const contentA = await putFeatures(tenant, 'A', clusterFeatures(0, 50))
    const contentB = await putFeatures(tenant, 'B', clusterFeatures(1, 50))
    await addItem(tenant, 'zz', contentA)
    expect((await rate(tenant, 'erin', 'zz', 'like')).status).toBe(201)
    expect((await rate(tenant, 'erin', 'c0-0', 'like')).status).toBe(201)
    expect((await rate(tenant, 'fay', 'c0-0', 'like')).status).toBe(201)
    expect((await send('/items/zz', tenant, 'DELETE')).status).toBe(204)

    const afterDelete = await recommend(tenant, 'user=erin&k=3')
    await addItem(tenant, 'zz', contentB)
    const afterReuse = await recommend(tenant, 'user=erin&k=3')
    const reference = await recommend(tenant, 'user=fay&k=100')

    const expected = new Map(reference.items.map((item) => [item.item, item.explanation]))
    for (const body of [afterDelete, afterReuse]) {
      expect(body.strategy).toBe('similar-to-liked')
      expect(body.items).toHaveLength(3)
      for (const item of body.items) {
        expect(item.explanation.similarTo.map((similar) => similar.item)).toEqual(['c0-0'])
        expect(item.explanation.similarTo).toEqual(expected.get(item.item)!.similarTo)
      }
    }
  })

  it('reports similarities of at most 1', async () => {
    const tenant = 'rx-clamp'
    const { original, copies } = nearDuplicates(8)
    await addItem(tenant, 'original', await putFeatures(tenant, 'original', original))
    for (const [n, copy] of copies.entries()) {
      await addItem(tenant, `copy-${n}`, await putFeatures(tenant, `copy-${n}`, copy))
    }
    await rate(tenant, 'ida', 'original', 'like')

    const body = await recommend(tenant, 'user=ida&k=100')
    const similarities = body.items.map((item) => item.explanation.similarTo[0]!.similarity)

    expect(body.items).toHaveLength(8)
    expect(Math.max(...similarities)).toBe(1)
    expect(Math.max(...body.items.map((item) => item.score))).toBe(1)
    for (const similarity of similarities) expect(similarity).toBeGreaterThan(0.99999)
  })
})

describe('recommendation of already rated content', () => {
  async function catalogWithCopy(tenant: string): Promise<string[]> {
    const seeded = await seedCatalog(tenant, 3, [0, 1, 2])
    const content = await putFeatures(tenant, 'C', clusterFeatures(2, 70))
    await addItem(tenant, 'cat-1', content)
    await addItem(tenant, 'copy', content)
    return seeded.map((item) => item.id).sort()
  }

  it('skips a liked content under another id', async () => {
    const seeded = await catalogWithCopy('rx-copy-liked')
    await rate('rx-copy-liked', 'gus', 'cat-1', 'like')

    const body = await recommend('rx-copy-liked', 'user=gus&k=100')

    expect(body.strategy).toBe('similar-to-liked')
    expect(returnedIds(body)).toEqual(seeded)
  })

  it('skips a disliked content under another id', async () => {
    const seeded = await catalogWithCopy('rx-copy-disliked')
    await rate('rx-copy-disliked', 'hal', 'cat-1', 'dislike')

    const body = await recommend('rx-copy-disliked', 'user=hal&k=100')

    expect(body.strategy).toBe('far-from-disliked')
    expect(returnedIds(body)).toEqual(seeded)
  })

  it('skips the content after the rated item is deleted', async () => {
    const seeded = await catalogWithCopy('rx-copy-deleted')
    await rate('rx-copy-deleted', 'ivy', 'cat-1', 'like')
    await send('/items/cat-1', 'rx-copy-deleted', 'DELETE')

    const body = await recommend('rx-copy-deleted', 'user=ivy&k=100')

    expect(returnedIds(body)).toEqual(seeded)
  })

  it('skips example content in POST /recommend', async () => {
    const seeded = await catalogWithCopy('rx-copy-examples')

    const response = await postJson(
      '/recommend',
      { positive: ['cat-1'], k: 100 },
      'rx-copy-examples',
    )
    const body = (await response.json()) as RecommendBody

    expect(response.status).toBe(200)
    expect(returnedIds(body)).toEqual(seeded)
  })
})
