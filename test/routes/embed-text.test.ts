import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'

import { textContentId } from '../../src/embedding/embed-text'
import { MAX_BATCH_TEXTS, MAX_TEXT_CHARACTERS } from '../../src/text/text-input'
import { cosineSimilarity, request, type ErrorBody } from '../support/api'
import { postJson } from '../support/catalog'

/** Part of a text embedding body that tests read. */
interface TextBody {
  id: string
  model: string
  kind: string
  dimensions: { embedding: number }
  tokens: number
  truncated: boolean
  cached: boolean
  vectors?: { embedding: number[] }
}

const postText = (body: unknown, query = '', tenant = 'default') =>
  postJson(`/embed${query}`, body, tenant)

describe('POST /embed with text', () => {
  it('embeds one text', async () => {
    const text = 'The hotel room was clean and the staff were friendly.'

    const response = await postText({ text }, '?include=vectors')
    const body = (await response.json()) as TextBody

    expect(response.status).toBe(201)
    expect(body.id).toBe(await textContentId(text))
    expect(body.model).toBe('use-lite')
    expect(body.kind).toBe('text')
    expect(body.dimensions).toEqual({ embedding: 512 })
    expect(body.tokens).toBeGreaterThan(5)
    expect(body.truncated).toBe(false)
    expect(body.cached).toBe(false)
    expect(body.vectors?.embedding).toHaveLength(512)
    expect(Math.hypot(...body.vectors!.embedding)).toBeCloseTo(1, 5)
    expect(response.headers.get('Server-Timing')).toContain('inference')
  })

  it('answers a repeated text from storage', async () => {
    const text = 'A repeated sentence for the cache.'
    const first = (await (await postText({ text }, '?include=vectors')).json()) as TextBody

    const response = await postText({ text }, '?include=vectors')
    const second = (await response.json()) as TextBody

    expect(response.status).toBe(200)
    expect(second.cached).toBe(true)
    expect(second.vectors).toEqual(first.vectors)
    expect(response.headers.get('Server-Timing')).not.toContain('inference')
  })

  it('omits vectors without include=vectors', async () => {
    const body = (await (await postText({ text: 'no vectors here' })).json()) as TextBody

    expect(body.vectors).toBeUndefined()
  })

  it('embeds a batch in order', async () => {
    const texts = ['A cat is sleeping on the sofa.', 'A kitten naps on the couch.', 'Stocks fell.']

    const response = await postText({ texts }, '?include=vectors')
    const body = (await response.json()) as { items: TextBody[] }

    expect(response.status).toBe(201)
    expect(body.items.map((item) => item.id)).toEqual(
      await Promise.all(texts.map((text) => textContentId(text))),
    )
    const [cat, kitten, stocks] = body.items.map((item) => item.vectors!.embedding)
    expect(cosineSimilarity(cat!, kitten!)).toBeGreaterThan(cosineSimilarity(cat!, stocks!))
  })

  it('keeps order in a mixed-length batch', async () => {
    const texts = [
      'The harbour hotel served fresh fish and warm bread to its guests every single morning.',
      'Rain.',
      'The train was late again, and nobody on the platform seemed surprised by it.',
      'Great food.',
      'I would not recommend this phone to anyone who needs a battery that lasts a day.',
      'A quiet street.',
      'The museum opened a new wing for modern sculpture last spring, and it is worth a visit.',
      'Too loud.',
      'Staff were kind.',
      'The film starts slowly but the last hour is wonderful.',
    ]
    const alone = await Promise.all(
      texts.map(async (text) => {
        const response = await postText({ text }, '?include=vectors', 'mixed-alone')
        return (await response.json()) as TextBody
      }),
    )

    const response = await postText({ texts }, '?include=vectors', 'mixed-batch')
    const body = (await response.json()) as { items: TextBody[] }

    expect(body.items).toHaveLength(texts.length)
    body.items.forEach((item, i) => {
      expect(item.id).toBe(alone[i]!.id)
      expect(item.tokens).toBe(alone[i]!.tokens)
      const single = alone[i]!.vectors!.embedding
      const difference = Math.max(
        ...item.vectors!.embedding.map((v, k) => Math.abs(v - single[k]!)),
      )
      expect(difference, texts[i]).toBeLessThan(1e-5)
    })
  })

  it('marks cached items in a mixed batch', async () => {
    await postText({ text: 'already embedded once' })

    const response = await postText({ texts: ['already embedded once', 'brand new text'] })
    const body = (await response.json()) as { items: TextBody[] }

    expect(response.status).toBe(201)
    expect(body.items.map((item) => item.cached)).toEqual([true, false])
  })

  it('embeds a duplicated text once with the same vector', async () => {
    const response = await postText({ texts: ['twice', 'twice'] }, '?include=vectors')
    const body = (await response.json()) as { items: TextBody[] }

    expect(body.items[0]!.id).toBe(body.items[1]!.id)
    expect(body.items[0]!.vectors).toEqual(body.items[1]!.vectors)
  })

  it('gives NFKC-equivalent texts the same content id', async () => {
    const composed = (await (await postText({ text: 'café' })).json()) as TextBody

    const decomposed = (await (await postText({ text: 'cafe\u0301' })).json()) as TextBody

    expect(decomposed.id).toBe(composed.id)
    expect(decomposed.cached).toBe(true)
  })

  it('truncates long text to 128 tokens', async () => {
    const text = 'The quick brown fox jumps over the lazy dog. '.repeat(30)

    const body = (await (await postText({ text })).json()) as TextBody

    expect(body.tokens).toBe(128)
    expect(body.truncated).toBe(true)
  })

  it('stores the vector under the tenant, model and content id', async () => {
    const body = (await (await postText({ text: 'tenant text' }, '', 'textco')).json()) as TextBody

    const { keys } = await env.FEATURES.list({ prefix: 'v1:textco:' })
    expect(keys.map((key) => key.name)).toEqual([`v1:textco:features:use-lite:${body.id}`])
  })
})

describe('POST /embed with invalid text', () => {
  const cases: [string, unknown, string][] = [
    ['empty text', { text: '' }, 'empty'],
    ['white space only', { text: ' \n\t ' }, 'empty'],
    ['zero-width spaces only', { text: '\u200b\u200b \u2060' }, 'empty'],
    ['a combining grapheme joiner only', { text: '\u034f' }, 'empty'],
    ['variation selectors only', { text: '\ufe0f\ufe0e' }, 'empty'],
    ['a Hangul filler only', { text: '\u3164' }, 'empty'],
    ['control characters only', { text: '\u0000\u0001' }, 'empty'],
    ['an unpaired surrogate', { text: 'a\ud800b' }, 'unpaired surrogate \\ud800 at index 1'],
    [
      'seven unknown fields',
      Object.fromEntries('abcdefg'.split('').map((k) => [k, 1])),
      'and 2 more',
    ],
    ['a number', { text: 42 }, 'must be a string'],
    ['null text', { text: null }, 'must be a string'],
    ['an empty batch', { texts: [] }, 'non-empty array'],
    ['a string as texts', { texts: 'one' }, 'non-empty array'],
    ['a number in a batch', { texts: ['fine', 7] }, 'texts[1]'],
    ['both fields', { text: 'a', texts: ['b'] }, '"text", "texts"'],
    ['an unknown field', { sentence: 'a' }, 'sentence'],
    ['an array body', ['a'], 'JSON object'],
  ]

  for (const [name, body, message] of cases) {
    it(`rejects ${name}`, async () => {
      const response = await postText(body)
      const error = (await response.json()) as ErrorBody

      expect(response.status).toBe(400)
      expect(error.error.code).toBe('invalid_request')
      expect(error.error.message).toContain(message)
    })
  }

  it('rejects a body that is not JSON', async () => {
    const response = await request('/embed', {
      method: 'POST',
      body: '{"text": ',
      headers: { 'Content-Type': 'application/json' },
    })
    const error = (await response.json()) as ErrorBody

    expect(response.status).toBe(400)
    expect(error.error.code).toBe('invalid_request')
  })

  it('rejects a text over the character limit', async () => {
    const response = await postText({ text: 'a'.repeat(MAX_TEXT_CHARACTERS + 1) })
    const error = (await response.json()) as ErrorBody

    expect(response.status).toBe(413)
    expect(error.error.code).toBe('payload_too_large')
  })

  it('counts the characters of a text after NFKC normalisation', async () => {
    // U+FDFA is one character that NFKC turns into 18.
    const fits = Math.floor(MAX_TEXT_CHARACTERS / 18)

    const accepted = await postText({ text: '\ufdfa'.repeat(fits) })
    const rejected = await postText({ text: '\ufdfa'.repeat(fits + 1) })
    const error = (await rejected.json()) as ErrorBody

    expect(accepted.status).toBe(201)
    expect(rejected.status).toBe(413)
    expect(error.error.message).toContain(`${(fits + 1) * 18} characters after Unicode NFKC`)
  })

  it('treats a Content-Type that only starts with application/json as no JSON', async () => {
    const response = await request('/embed', {
      method: 'POST',
      body: JSON.stringify({ text: 'looks like JSON' }),
      headers: { 'Content-Type': 'application/jsonx' },
    })

    expect(response.status).toBe(415)
    expect(((await response.json()) as ErrorBody).error.code).toBe('unsupported_format')
  })

  it('rejects a batch over the size limit', async () => {
    const texts = Array.from({ length: MAX_BATCH_TEXTS + 1 }, (_, i) => `text ${i}`)

    const response = await postText({ texts })
    const error = (await response.json()) as ErrorBody

    expect(response.status).toBe(413)
    expect(error.error.message).toContain(String(MAX_BATCH_TEXTS))
  })
})

describe('GET /embeddings/{id} for text', () => {
  it('returns the stored text vector', async () => {
    const posted = (await (
      await postText({ text: 'stored for later' }, '?include=vectors')
    ).json()) as TextBody

    const response = await request(`/embeddings/${posted.id}?model=use-lite`)
    const body = (await response.json()) as TextBody

    expect(response.status).toBe(200)
    expect(body.kind).toBe('text')
    expect(body.vectors).toEqual(posted.vectors)
  })

  it('finds a text vector without the model parameter', async () => {
    const posted = (await (await postText({ text: 'found by key' })).json()) as TextBody

    const body = (await (await request(`/embeddings/${posted.id}`)).json()) as TextBody

    expect(body.model).toBe('use-lite')
  })

  it('returns 404 for text under the image model', async () => {
    const posted = (await (await postText({ text: 'only a text' })).json()) as TextBody

    const response = await request(`/embeddings/${posted.id}?model=mobilenetv2-12-int8`)

    expect(response.status).toBe(404)
  })

  it('rejects an unknown model', async () => {
    const posted = (await (await postText({ text: 'any text' })).json()) as TextBody

    const response = await request(`/embeddings/${posted.id}?model=bert`)
    const error = (await response.json()) as ErrorBody

    expect(response.status).toBe(400)
    expect(error.error.message).toContain('use-lite')
  })
})
