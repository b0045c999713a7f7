import { env } from 'cloudflare:workers'
import { evictDurableObject } from 'cloudflare:test'
import { describe, expect, it } from 'vitest'

import { decodeForest, likeScores } from '../../src/learning/forest-adapter'
import { clearForestCache } from '../../src/learning/forest-cache'
import { ForestStore } from '../../src/storage/forest-store'
import type { ErrorBody } from '../support/api'
import { clusterFeatures, postJson, rate, seedCatalog, send } from '../support/catalog'

/** Returns the Durable Object that stores a user's ratings. */
function ratingsObject(tenant: string, user: string) {
  return env.USER_RATINGS.get(env.USER_RATINGS.idFromName(`${tenant}:${user}`))
}

interface RatingBody {
  user: string
  rating: { item: string; rating: string | number; label: string; ratedAt: string }
  model: { version: number; trained: boolean; update: string; examples: number }
  counts: { likes: number; dislikes: number; total: number }
}

interface RatingsBody {
  user: string
  ratings: { item: string; rating: string | number; label: string }[]
  counts: { likes: number; dislikes: number; total: number }
}

interface ScoresBody {
  strategy: string
  modelVersion: number
  scores: { item: string; score: number }[]
}

describe('POST /ratings', () => {
  it('stores a rating and returns the model version and counts', async () => {
    await seedCatalog('rate-basic', 2)

    const first = (await (await rate('rate-basic', 'ann', 'c0-0', 'like')).json()) as RatingBody
    const response = await rate('rate-basic', 'ann', 'c1-0', 2)
    const second = (await response.json()) as RatingBody

    expect(response.status).toBe(201)
    expect(first.model).toEqual({ version: 1, trained: false, update: 'none', examples: 0 })
    expect(second.rating).toMatchObject({ item: 'c1-0', rating: 2, label: 'dislike' })
    expect(second.model).toEqual({ version: 2, trained: true, update: 'rebuild', examples: 2 })
    expect(second.counts).toEqual({ likes: 1, dislikes: 1, total: 2 })
  })

  it.each([
    [4, 'like'],
    [3.5, 'dislike'],
    [5, 'like'],
    [0.5, 'dislike'],
    ['like', 'like'],
    ['dislike', 'dislike'],
  ])('reads rating %s as %s', async (rating, label) => {
    await seedCatalog('rate-stars', 1, [0])

    const body = (await (
      await rate('rate-stars', `u-${rating}`, 'c0-0', rating)
    ).json()) as RatingBody

    expect(body.rating.label).toBe(label)
  })

  it('learns new ratings incrementally between rebuilds', async () => {
    await seedCatalog('rate-incremental', 12, [0, 1])
    const updates: string[] = []
    for (let n = 0; n < 12; n++) {
      for (const cluster of [0, 1]) {
        const body = (await (
          await rate(
            'rate-incremental',
            'bo',
            `c${cluster}-${n}`,
            cluster === 0 ? 'like' : 'dislike',
          )
        ).json()) as RatingBody
        updates.push(body.model.update)
      }
    }

    expect(updates[0]).toBe('none')
    expect(updates[1]).toBe('rebuild')
    expect(updates.slice(2)).toContain('incremental')
    expect(updates).toHaveLength(24)
  })

  it('replaces an earlier rating of the same item', async () => {
    await seedCatalog('rate-again', 1, [0, 1])
    await rate('rate-again', 'cy', 'c0-0', 'like')
    await rate('rate-again', 'cy', 'c1-0', 'like')

    const body = (await (await rate('rate-again', 'cy', 'c0-0', 1)).json()) as RatingBody
    const list = (await (await send('/users/cy/ratings', 'rate-again')).json()) as RatingsBody

    expect(body.counts).toEqual({ likes: 1, dislikes: 1, total: 2 })
    expect(body.model.update).toBe('rebuild')
    expect(list.ratings.map((rating) => rating.item)).toEqual(['c1-0', 'c0-0'])
  })

  it('keeps all of 100 concurrent ratings', async () => {
    const items = await seedCatalog('rate-race', 25)

    const responses = await Promise.all(
      items.map((item) => rate('rate-race', 'dee', item.id, item.cluster === 0 ? 5 : 1)),
    )
    const bodies = (await Promise.all(responses.map((response) => response.json()))) as RatingBody[]
    const list = (await (await send('/users/dee/ratings', 'rate-race')).json()) as RatingsBody
    const published = await ratingsObject('rate-race', 'dee').flushForest()
    const stored = await new ForestStore(env.MODELS, 'rate-race').get('dee')
    const forest = decodeForest(stored!.bytes)

    expect(responses.every((response) => response.status === 201)).toBe(true)
    expect(bodies.map((body) => body.model.version).sort((a, b) => a - b)).toEqual(
      items.map((_, i) => i + 1),
    )
    expect(list.ratings).toHaveLength(100)
    expect(list.counts).toEqual({ likes: 25, dislikes: 75, total: 100 })
    expect(new Set(list.ratings.map((rating) => rating.item)).size).toBe(100)
    expect(published).toBe(100)
    expect(stored!.version).toBe(100)
    expect(forest.training.examplesSeen).toBe(100)
  })

  it.each([
    ['a missing rating', { user: 'u', item: 'c0-0' }],
    ['six stars', { user: 'u', item: 'c0-0', rating: 6 }],
    ['a zero rating', { user: 'u', item: 'c0-0', rating: 0 }],
    ['a quarter star', { user: 'u', item: 'c0-0', rating: 4.25 }],
    ['an unknown label', { user: 'u', item: 'c0-0', rating: 'love' }],
    ['an invalid user id', { user: 'a b', item: 'c0-0', rating: 'like' }],
    ['a missing item', { user: 'u', rating: 'like' }],
    ['an unknown field', { user: 'u', item: 'c0-0', rating: 'like', weight: 2 }],
  ])('rejects %s with 400', async (_, body) => {
    const response = await postJson('/ratings', body, 'rate-bad')
    const error = (await response.json()) as ErrorBody

    expect(response.status).toBe(400)
    expect(error.error.code).toBe('invalid_request')
  })

  it.each([
    ['rating', { user: 'u', item: 'c0-0' }],
    ['item', { user: 'u', rating: 'like' }],
    ['user', { item: 'c0-0', rating: 'like' }],
  ])('names the missing field %s', async (field, body) => {
    const response = await postJson('/ratings', body, 'rate-missing')
    const error = (await response.json()) as ErrorBody

    expect(error.error.message).toMatch(new RegExp(`^${field} is missing`))
  })

  it('names an unknown field', async () => {
    const response = await postJson(
      '/ratings',
      { user: 'u', item: 'c0-0', stars: 5 },
      'rate-unknown-field',
    )
    const error = (await response.json()) as ErrorBody

    expect(response.status).toBe(400)
    expect(error.error.message).toMatch(/^body has an unknown field "stars"/)
  })

  it('rejects an item that is not in the catalog with 404', async () => {
    const response = await rate('rate-bad', 'u', 'no-such-item', 'like')
    const body = (await response.json()) as ErrorBody

    expect(response.status).toBe(404)
    expect(body.error.code).toBe('not_found')
    expect(body.error.message).toContain('no-such-item')
  })
})

describe('ratings isolation', () => {
  it('keeps users apart', async () => {
    await seedCatalog('iso-users', 1)
    await rate('iso-users', 'eve', 'c0-0', 'like')

    const other = await send('/users/fay/ratings', 'iso-users')

    expect(other.status).toBe(404)
  })

  it('keeps tenants apart for the same user id', async () => {
    await seedCatalog('iso-tenant-a', 1)
    await seedCatalog('iso-tenant-b', 1)
    await rate('iso-tenant-a', 'gil', 'c0-0', 'like')
    await rate('iso-tenant-b', 'gil', 'c1-0', 'dislike')

    const a = (await (await send('/users/gil/ratings', 'iso-tenant-a')).json()) as RatingsBody
    const b = (await (await send('/users/gil/ratings', 'iso-tenant-b')).json()) as RatingsBody

    expect(a.ratings.map((rating) => rating.item)).toEqual(['c0-0'])
    expect(b.ratings.map((rating) => rating.item)).toEqual(['c1-0'])
  })
})

describe('DELETE /users/{user}/ratings/{item}', () => {
  it('removes the rating and rebuilds the forest', async () => {
    await seedCatalog('del-rating', 2, [0, 1])
    await rate('del-rating', 'hal', 'c0-0', 'like')
    await rate('del-rating', 'hal', 'c0-1', 'like')
    await rate('del-rating', 'hal', 'c1-0', 'dislike')

    const response = await send('/users/hal/ratings/c0-0', 'del-rating', 'DELETE')
    const body = (await response.json()) as RatingBody
    const list = (await (await send('/users/hal/ratings', 'del-rating')).json()) as RatingsBody

    expect(response.status).toBe(200)
    expect(body.model).toEqual({ version: 4, trained: true, update: 'rebuild', examples: 2 })
    expect(list.ratings.map((rating) => rating.item)).toEqual(['c0-1', 'c1-0'])
  })

  it('returns 404 for an item the user has not rated', async () => {
    await seedCatalog('del-rating-missing', 1, [0])
    await rate('del-rating-missing', 'ida', 'c0-0', 'like')

    const response = await send('/users/ida/ratings/c9-9', 'del-rating-missing', 'DELETE')

    expect(response.status).toBe(404)
  })
})

describe('DELETE /users/{user}', () => {
  it('deletes the ratings and the stored forest', async () => {
    await seedCatalog('del-user', 1, [0, 1])
    await rate('del-user', 'jo', 'c0-0', 'like')
    await rate('del-user', 'jo', 'c1-0', 'dislike')
    const store = new ForestStore(env.MODELS, 'del-user')
    await ratingsObject('del-user', 'jo').flushForest()
    const before = await store.version('jo')

    const response = await send('/users/jo', 'del-user', 'DELETE')
    const ratings = await send('/users/jo/ratings', 'del-user')
    const after = await store.version('jo')

    expect(before).toBe(2)
    expect(response.status).toBe(204)
    expect(ratings.status).toBe(404)
    expect(after).toBeUndefined()
  })

  it('returns 404 for an unknown user', async () => {
    const response = await send('/users/nobody', 'del-user', 'DELETE')
    const body = (await response.json()) as ErrorBody

    expect(response.status).toBe(404)
    expect(body.error.code).toBe('not_found')
  })

  it('keeps counting versions after deletion', async () => {
    await seedCatalog('del-user-again', 1, [0])
    await rate('del-user-again', 'kim', 'c0-0', 'like')
    await send('/users/kim', 'del-user-again', 'DELETE')

    const body = (await (await rate('del-user-again', 'kim', 'c0-0', 'like')).json()) as RatingBody

    expect(body.model.version).toBe(3)
    expect(body.counts.total).toBe(1)
  })
})

describe('user forests', () => {
  it('are reloaded from R2 after a restart with the same predictions', async () => {
    await seedCatalog('reload', 12, [0, 1, 2])
    let version = 0
    let last: RatingBody | undefined
    for (let n = 0; n < 12 && last?.model.update !== 'incremental'; n++) {
      await rate('reload', 'lu', `c0-${n}`, 'like')
      last = (await (
        await rate('reload', 'lu', `c${1 + (n % 2)}-${n}`, 'dislike')
      ).json()) as RatingBody
      version = last.model.version
    }
    const probe = { items: ['c0-11', 'c1-11', 'c2-11', 'c2-10'] }
    const before = (await (
      await postJson('/users/lu/scores', probe, 'reload')
    ).json()) as ScoresBody
    const object = ratingsObject('reload', 'lu')
    await object.flushForest()
    const stored = await new ForestStore(env.MODELS, 'reload').get('lu')

    clearForestCache()
    await evictDurableObject(object)
    const after = (await (await postJson('/users/lu/scores', probe, 'reload')).json()) as ScoresBody
    const reloaded = await ratingsObject('reload', 'lu').forestSnapshot('reload', 'lu')

    // An incremental update makes the forest differ from a fresh build of the same ratings,
    // so equal bytes show that the Durable Object resumed the forest stored in R2.
    expect(last?.model.update).toBe('incremental')
    expect(before.strategy).toBe('forest')
    expect(after.scores).toEqual(before.scores)
    expect(reloaded.version).toBe(version)
    expect(stored!.version).toBe(version)
    expect(Array.from(reloaded.bytes!)).toEqual(Array.from(new Uint8Array(stored!.bytes)))
  })

  it('are stored in R2 at the model version', async () => {
    await seedCatalog('reload-direct', 3, [0, 1])
    for (let n = 0; n < 3; n++) {
      await rate('reload-direct', 'mo', `c0-${n}`, 'like')
      await rate('reload-direct', 'mo', `c1-${n}`, 'dislike')
    }
    const scores = (await (
      await postJson('/users/mo/scores', { items: ['c0-0', 'c1-0'] }, 'reload-direct')
    ).json()) as ScoresBody

    await ratingsObject('reload-direct', 'mo').flushForest()
    const stored = await new ForestStore(env.MODELS, 'reload-direct').get('mo')
    const forest = decodeForest(stored!.bytes)

    expect(stored!.version).toBe(6)
    expect(forest.classes).toEqual(['dislike', 'like'])
    expect(scores.scores[0]!.score).toBeGreaterThan(scores.scores[1]!.score)
    const { probability } = likeScores(forest, [clusterFeatures(0, 0).embedding])
    expect(probability[0]).toBeGreaterThan(0.5)
  })
})
