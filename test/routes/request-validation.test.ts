import { beforeAll, describe, expect, it } from 'vitest'

import type { ErrorBody } from '../support/api'
import { postJson, seedCatalog, send } from '../support/catalog'

const TENANT = 'validation'

interface Case {
  name: string
  method: string
  path: string
  body: unknown
}

/** Requests that are valid except for one field the endpoint does not take. */
const UNKNOWN_FIELD_CASES: Case[] = [
  { name: 'PUT /catalog', method: 'PUT', path: '/catalog', body: { modality: 'image', x: 1 } },
  { name: 'POST /items', method: 'POST', path: '/items', body: { text: 'A note.', x: 1 } },
  {
    name: 'POST /items/bulk',
    method: 'POST',
    path: '/items/bulk',
    body: { items: [{ text: 'A note.' }], x: 1 },
  },
  {
    name: 'an item of POST /items/bulk',
    method: 'POST',
    path: '/items/bulk',
    body: { items: [{ text: 'A note.', x: 1 }] },
  },
  {
    name: 'POST /recommend',
    method: 'POST',
    path: '/recommend',
    body: { positive: ['c0-0'], x: 1 },
  },
  {
    name: 'POST /users/{user}/scores',
    method: 'POST',
    path: '/users/u/scores',
    body: { items: ['c0-0'], x: 1 },
  },
  {
    name: 'POST /train',
    method: 'POST',
    path: '/train',
    body: {
      model: 'm',
      examples: [
        { item: 'c0-0', label: 'a' },
        { item: 'c1-0', label: 'b' },
      ],
      x: 1,
    },
  },
  {
    name: 'an example of POST /train',
    method: 'POST',
    path: '/train',
    body: {
      model: 'm',
      examples: [
        { item: 'c0-0', label: 'a', x: 1 },
        { item: 'c1-0', label: 'b' },
      ],
    },
  },
  {
    name: 'POST /models/{name}/predict',
    method: 'POST',
    path: '/models/m/predict',
    body: { item: 'c0-0', x: 1 },
  },
]

describe('request validation', () => {
  beforeAll(async () => {
    await seedCatalog(TENANT, 1)
  })

  it.each(UNKNOWN_FIELD_CASES)('rejects an unknown field in $name', async (testCase) => {
    const response = await postJson(testCase.path, testCase.body, TENANT, testCase.method)
    const body = (await response.json()) as ErrorBody

    expect(response.status).toBe(400)
    expect(body.error.code).toBe('invalid_request')
    expect(body.error.message).toContain('unknown field "x"')
  })

  it('does not add items of a bulk request with an unknown field', async () => {
    await postJson(
      '/items/bulk',
      { items: [{ id: 'never', contentId: 'a'.repeat(64) }], x: 1 },
      TENANT,
    )

    const response = await send('/items/never', TENANT)

    expect(response.status).toBe(404)
  })

  it.each([
    ['positive as a string', { positive: 'c0-0,c1-0' }],
    ['exclude as a string', { positive: ['c0-0'], exclude: 'c1-0' }],
    ['an item in positive and negative', { positive: ['c0-0'], negative: ['c0-0'] }],
    ['a repeated positive', { positive: ['c0-0', 'c0-0'] }],
  ])('rejects %s in POST /recommend', async (_, request) => {
    const response = await postJson('/recommend', request, TENANT)
    const body = (await response.json()) as ErrorBody

    expect(response.status).toBe(400)
    expect(body.error.code).toBe('invalid_request')
  })

  it('rejects a repeated id in the exclude query', async () => {
    const response = await send('/recommend?user=u&exclude=c0-0,c0-0', TENANT)

    expect(response.status).toBe(400)
  })

  it('rejects a blank classifier label', async () => {
    const response = await postJson(
      '/train',
      {
        model: 'blank',
        examples: [
          { item: 'c0-0', label: ' ' },
          { item: 'c1-0', label: 'b' },
        ],
      },
      TENANT,
    )
    const body = (await response.json()) as ErrorBody

    expect(response.status).toBe(400)
    expect(body.error.message).toContain('examples[0].label')
  })

  it.each([
    ['/recommend', 'DELETE', 'GET, POST'],
    ['/catalog', 'POST', 'GET, PUT'],
    ['/ratings', 'GET', 'POST'],
  ])('names the allowed methods of %s on a 405', async (path, method, allowed) => {
    const response = await send(path, TENANT, method)

    expect(response.status).toBe(405)
    expect(response.headers.get('Allow')).toBe(allowed)
  })
})
