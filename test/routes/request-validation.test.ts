import { beforeAll, describe, expect, it } from 'vitest'

import { MAX_IMAGE_BYTES } from '../../src/http/image-body'
import { request, type ErrorBody } from '../support/api'
import { postJson, seedCatalog, send, TENANT_HEADER } from '../support/catalog'
import { latin1, multipartBody } from '../support/multipart'

const TENANT = 'validation'

/** Sends `body` unchanged with `contentType` as TENANT. Returns the status and error envelope. */
async function sendBody(
  path: string,
  body: BodyInit,
  contentType = 'application/json',
): Promise<{ status: number; error: ErrorBody['error'] }> {
  const response = await request(path, {
    method: 'POST',
    body,
    headers: { 'Content-Type': contentType, [TENANT_HEADER]: TENANT },
  })
  return { status: response.status, error: ((await response.json()) as ErrorBody).error }
}

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

  it.each([
    ['k', '/recommend?user=u&k=1&k=200'],
    ['exclude', '/recommend?user=u&exclude=c0-0&exclude=c1-0'],
    ['include', '/embeddings/' + 'a'.repeat(64) + '?include=vectors&include=other'],
  ])('rejects the repeated query parameter %s', async (name, path) => {
    const response = await send(path, TENANT)
    const body = (await response.json()) as ErrorBody

    expect(response.status).toBe(400)
    expect(body.error.message).toContain(`query parameter "${name}" is repeated`)
  })

  it.each([
    [
      'GET',
      '/recommend?user=u&lamda=0.3',
      'query parameter "lamda" is not known; GET /recommend takes only user, k, exclude, lambda, explore',
    ],
    [
      'GET',
      '/items?limit=2&cursr=x',
      'query parameter "cursr" is not known; GET /items takes only limit, cursor',
    ],
    [
      'DELETE',
      '/users/u?all=1',
      'query parameter "all" is not known; DELETE /users/{user} takes no query parameters',
    ],
  ])('rejects an unknown query parameter of %s %s', async (method, path, message) => {
    const response = await send(path, TENANT, method)
    const body = (await response.json()) as ErrorBody

    expect(response.status).toBe(400)
    expect(body.error.code).toBe('invalid_request')
    expect(body.error.message).toBe(message)
  })

  it.each(['/nowhere?a=1&a=2', '/items/c0-0/extra?k=1&k=1'])(
    'returns 404 for the unknown path %s',
    async (path) => {
      const response = await send(path, TENANT)
      const body = (await response.json()) as ErrorBody

      expect(response.status).toBe(404)
      expect(body.error.code).toBe('not_found')
    },
  )

  it('rejects a repeated query parameter before a 405', async () => {
    const response = await send('/catalog?a=1&a=2', TENANT, 'POST')

    expect(response.status).toBe(400)
  })

  it('rejects control characters in labels', async () => {
    const response = await postJson(
      '/train',
      {
        model: 'control',
        examples: [
          { item: 'c0-0', label: 'a' + '\u0001'.repeat(31) },
          { item: 'c1-0', label: 'b' },
        ],
      },
      TENANT,
    )
    const body = (await response.json()) as ErrorBody

    expect(response.status).toBe(400)
    expect(body.error.message).toContain('examples[0].label contains a control character')
    expect((await send('/models/control', TENANT)).status).toBe(404)
  })

  it('counts label length in characters', async () => {
    const emoji = '\u{1F600}'.repeat(24)
    const han = '\u732b'.repeat(32)
    const examples = [
      { item: 'c0-0', label: emoji },
      { item: 'c1-0', label: han },
    ]

    const response = await postJson('/train', { model: 'wide-labels', examples }, TENANT)
    const body = (await response.json()) as { classes: string[] }

    expect(response.status).toBe(201)
    expect([...body.classes].sort()).toEqual([emoji, han].sort())
  })

  it('rejects labels too long for the model summary', async () => {
    const items = await seedCatalog('long-labels', 8)
    // 16 emoji of 4 UTF-8 bytes and 16 quotes, which JSON escapes: 32 characters, 96 bytes.
    const examples = items.map((item, i) => ({
      item: item.id,
      label: String.fromCodePoint(0x1f600 + i).repeat(16) + '"'.repeat(16),
    }))

    const response = await postJson('/train', { model: 'long', examples }, 'long-labels')
    const body = (await response.json()) as ErrorBody

    expect(response.status).toBe(400)
    expect(body.error.message).toContain('use shorter labels')
    expect((await send('/models/long', 'long-labels')).status).toBe(404)
  })

  it.each([
    ['33 characters', 'a'.repeat(33), 'has 33 characters; the limit is 32'],
    ['33 emoji', '\u{1F600}'.repeat(33), 'has 33 characters; the limit is 32'],
    [
      'only a zero-width space',
      '\u200b',
      'must be a string with a visible character; send a class name',
    ],
  ])('rejects a label of %s', async (_, label, message) => {
    const examples = [
      { item: 'c0-0', label },
      { item: 'c1-0', label: 'b' },
    ]

    const response = await postJson('/train', { model: 'bad-label', examples }, TENANT)
    const body = (await response.json()) as ErrorBody

    expect(response.status).toBe(400)
    expect(body.error.message).toContain(`examples[0].label ${message}`)
  })

  it('rejects infinite numbers in metadata', async () => {
    const { status, error } = await sendBody(
      '/items',
      `{"id": "huge", "contentId": "${'a'.repeat(64)}", "metadata": {"n": 1e400}}`,
    )

    expect(status).toBe(400)
    expect(error.message).toContain('number out of range in field "n"')
  })

  it('rejects a JSON body that is not UTF-8', async () => {
    const bytes = new TextEncoder().encode('{"user": "u", "item": "caf?", "rating": "like"}')
    bytes[bytes.indexOf('?'.charCodeAt(0))] = 0xe9

    const { status, error } = await sendBody('/ratings', bytes)

    expect(status).toBe(400)
    expect(error.message).toContain('not valid UTF-8')
  })

  it.each([
    ['/embed', 'text'],
    ['/items', 'metadata'],
    ['/models/m/predict', 'text'],
  ])('rejects a non-UTF-8 multipart field in POST %s', async (path, field) => {
    const form = multipartBody([
      { name: 'image', filename: 'a.jpg', content: new Uint8Array([1, 2, 3]) },
      { name: field, content: latin1('{"title": "café"}') },
    ])

    const { status, error } = await sendBody(path, form.body, form.contentType)

    expect(status).toBe(400)
    expect(error.code).toBe('invalid_request')
    expect(error.message).toContain(`multipart field "${field}" is not valid UTF-8`)
  })

  it.each([
    [
      'id',
      [
        { name: 'id', content: 'one' },
        { name: 'id', content: 'two' },
      ],
    ],
    ['image', [{ name: 'image', filename: 'b.jpg', content: new Uint8Array([4, 5]) }]],
  ])('rejects the repeated multipart field %s', async (name, extra) => {
    const form = multipartBody([
      { name: 'image', filename: 'a.jpg', content: new Uint8Array([1, 2, 3]) },
      ...extra,
    ])

    const { status, error } = await sendBody('/items', form.body, form.contentType)

    expect(status).toBe(400)
    expect(error.message).toBe(`multipart field "${name}" is repeated; give each field once`)
  })

  it('rejects a text field sent as a file', async () => {
    const form = multipartBody([
      { name: 'image', filename: 'a.jpg', content: new Uint8Array([1, 2, 3]) },
      { name: 'metadata', filename: 'meta.json', content: '{"title": "a"}' },
    ])

    const { status, error } = await sendBody('/items', form.body, form.contentType)

    expect(status).toBe(400)
    expect(error.message).toBe(
      'multipart field "metadata" is a file; only "image" may be, so send it as a text field',
    )
  })

  describe('a malformed multipart body', () => {
    const image = { name: 'image', filename: 'a.jpg', content: new Uint8Array([1, 2, 3]) }
    const fields = Array.from({ length: 100 }, (_, i) => ({ name: `f${i}`, content: 'x' }))
    const { body, contentType } = multipartBody([image])
    const text = new TextDecoder().decode(body)
    const largeFile = { name: 'image', filename: 'a.jpg', content: 'x'.repeat(20_000) }
    const largeText = new TextDecoder().decode(multipartBody([largeFile]).body)

    it.each([
      ['no closing boundary', body.subarray(0, text.lastIndexOf('--')), 'could not be parsed'],
      ['lines that end in LF alone', text.replaceAll('\r\n', '\n'), 'lines end in LF alone'],
      ['LF alone around a large file', largeText.replaceAll('\r\n', '\n'), 'lines end in LF alone'],
      ['more than 100 parts', multipartBody([image, ...fields]).body, 'more than 100 parts'],
    ])('is a 400 when it has %s', async (_, malformed, message) => {
      const { status, error } = await sendBody('/embed', malformed, contentType)

      expect(status).toBe(400)
      expect(error.code).toBe('invalid_request')
      expect(error.message).toContain(message)
    })
  })

  it('rejects another declared charset', async () => {
    const { status, error } = await sendBody(
      '/ratings',
      JSON.stringify({ user: 'u', item: 'c0-0', rating: 'like' }),
      'application/json; charset=latin1',
    )

    expect(status).toBe(415)
    expect(error.code).toBe('unsupported_media_type')
  })

  it('rejects oversized bodies on /items', async () => {
    const { status, error } = await sendBody(
      '/items?id=big',
      new Uint8Array(17 * 1024 * 1024),
      'application/octet-stream',
    )

    expect(status).toBe(413)
    expect(error.code).toBe('payload_too_large')
  })

  it('replaces malformed cf-ray request ids', async () => {
    const ray = '8f1c2d3e4a5b6c7d-LHR'
    const rayRequest = await request('/health', { headers: { 'cf-ray': ray } })
    const replaced = await request('/health', { headers: { 'cf-ray': 'hello<script>' } })

    expect(rayRequest.headers.get('X-Request-Id')).toBe(ray)
    expect(replaced.headers.get('X-Request-Id')).toMatch(/^[0-9a-f-]{36}$/)
  })

  it.each([
    [
      'an overflowing rating as Infinity',
      '{"user": "u", "item": "c0-0", "rating": 1e400}',
      'rating Infinity is invalid',
    ],
    [
      'an array user as JSON',
      '{"user": ["u2"], "item": "c0-0", "rating": "like"}',
      'user ["u2"] is invalid',
    ],
  ])('shows %s in the error message', async (_, body, message) => {
    const { status, error } = await sendBody('/ratings', body)

    expect(status).toBe(400)
    expect(error.message).toContain(message)
  })

  it.each([
    [
      'item metadata',
      '/items',
      `{"id": "deep", "contentId": "${'a'.repeat(64)}", "metadata": {"a": ${'['.repeat(2000)}${']'.repeat(2000)}}}`,
      'deeper than 32 levels',
    ],
    [
      'training features',
      '/train',
      `{"model": "m", "examples": [{"item": "c0-0", "label": "a"}, {"item": "c1-0", "label": "b"}], "features": ${'['.repeat(100_000)}${']'.repeat(100_000)}}`,
      'is invalid; use probabilities, embedding, both',
    ],
  ])('rejects deeply nested %s with 400', async (_, path, body, message) => {
    const { status, error } = await sendBody(path, body)

    expect(status).toBe(400)
    expect(error.message).toContain(message)
  })

  it.each(['charset=us-ascii', 'profile="a;charset=latin1"', 'charset="UTF-8"'])(
    'reads JSON declared with %s',
    async (parameter) => {
      const response = await request('/catalog', {
        method: 'PUT',
        body: JSON.stringify({ modality: 'image' }),
        headers: { 'Content-Type': `application/json; ${parameter}`, [TENANT_HEADER]: TENANT },
      })

      expect(response.status).toBe(200)
    },
  )

  it('accepts maximal multipart image uploads', async () => {
    const form = new FormData()
    form.set('image', new File([new Uint8Array(MAX_IMAGE_BYTES)], 'large.jpg'))
    form.set('note', 'y'.repeat(4000))

    const response = await request('/embed', {
      method: 'POST',
      body: form,
      headers: { [TENANT_HEADER]: TENANT },
    })

    // The body passes the size check, and its zero bytes are then found to be no image.
    expect(response.status).toBe(415)
  })
})

describe('quoted request text in error messages', () => {
  /** A UTF-16 surrogate without its other half. */
  const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/
  // 'a' then emoji of two UTF-16 code units each, so every cut at an even length splits one.
  const EMOJI = 'a' + '😀'.repeat(50)

  it.each([
    ['an item id', () => postJson('/ratings', { user: EMOJI, item: 'x', rating: 'like' }, TENANT)],
    ['an unknown field', () => postJson('/ratings', { [EMOJI]: 1 }, TENANT)],
    ['an unknown query parameter', () => send(`/items?${encodeURIComponent(EMOJI)}=1`, TENANT)],
  ])('keep surrogate pairs whole when quoting %s', async (_, sendRequest) => {
    const response = await sendRequest()
    const body = (await response.json()) as ErrorBody

    expect(response.status).toBe(400)
    // Checked as a boolean, because vitest's connection to workerd rejects a failure message
    // that quotes a lone surrogate.
    expect(LONE_SURROGATE.test(body.error.message)).toBe(false)
    // JSON.stringify writes a lone surrogate as an escape such as \ud83d.
    expect(body.error.message).not.toMatch(/\\ud[89ab]/i)
    expect(body.error.message).toContain('a😀😀')
  })
})
