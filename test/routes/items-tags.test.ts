import { describe, expect, it } from 'vitest'

import { MAX_TAG_LENGTH, MAX_TAGS } from '../../src/catalog/item-input'
import { request, type ErrorBody } from '../support/api'
import { clusterFeatures, postJson, putFeatures, send, TENANT_HEADER } from '../support/catalog'
import { HAS_DATA, readFixture } from '../support/fixtures'

interface ItemBody {
  item: { id: string; tags: string[]; metadata: Record<string, unknown> | null }
}

const TENANT = 'items-tags'

/** A UTF-16 surrogate without its other half. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

async function contentOf(name: string): Promise<string> {
  return putFeatures(TENANT, name, clusterFeatures(2, name.length))
}

async function storedTags(id: string): Promise<string[]> {
  return ((await (await send(`/items/${id}`, TENANT)).json()) as ItemBody).item.tags
}

describe('item tags', () => {
  it('are trimmed and deduplicated', async () => {
    const contentId = await contentOf('trimmed')

    const response = await postJson(
      '/items',
      { id: 'film', contentId, tags: [' Drama', 'Comedy ', 'Drama', 'drama'] },
      TENANT,
    )
    const body = (await response.json()) as ItemBody
    const page = (await (await send('/items?limit=1000', TENANT)).json()) as {
      items: { id: string; tags: string[] }[]
    }

    expect(response.status).toBe(201)
    expect(body.item.tags).toEqual(['Drama', 'Comedy', 'drama'])
    expect(await storedTags('film')).toEqual(['Drama', 'Comedy', 'drama'])
    expect(page.items.find((item) => item.id === 'film')?.tags).toEqual([
      'Drama',
      'Comedy',
      'drama',
    ])
  })

  it('default to none', async () => {
    const contentId = await contentOf('untagged')

    const body = (await (
      await postJson('/items', { id: 'plain', contentId }, TENANT)
    ).json()) as ItemBody

    expect(body.item.tags).toEqual([])
  })

  it('follow the latest repeat that sends them', async () => {
    const contentId = await contentOf('replaced')
    await postJson('/items', { id: 'again', contentId, tags: ['old'] }, TENANT)

    const replaced = (await (
      await postJson('/items', { id: 'again', contentId, tags: ['new'] }, TENANT)
    ).json()) as ItemBody
    const afterReplace = await storedTags('again')
    const withoutTags = (await (
      await postJson('/items', { id: 'again', contentId, metadata: { n: 1 } }, TENANT)
    ).json()) as ItemBody
    const cleared = (await (
      await postJson('/items', { id: 'again', contentId, tags: [] }, TENANT)
    ).json()) as ItemBody

    expect(replaced.item.tags).toEqual(['new'])
    expect(afterReplace).toEqual(['new'])
    expect(withoutTags.item).toMatchObject({ tags: ['new'], metadata: { n: 1 } })
    expect(cleared.item.tags).toEqual([])
    expect(await storedTags('again')).toEqual([])
  })

  it('are accepted in a bulk request', async () => {
    const items = [
      { id: 'bulk-a', contentId: await contentOf('bulk-a'), tags: ['a'] },
      { id: 'bulk-b', contentId: await contentOf('bulk-b') },
    ]

    const response = await postJson('/items/bulk', { items }, TENANT)
    const body = (await response.json()) as { items: ItemBody[] }

    expect(response.status).toBe(201)
    expect(body.items.map((entry) => entry.item.tags)).toEqual([['a'], []])
  })

  it.each([
    ['a string', 'Drama', 'body.tags must be an array'],
    ['a number among strings', ['Drama', 7], 'body.tags[1] 7 is not a string'],
    ['an empty tag', [''], 'body.tags[0] "" has no visible character'],
    ['a blank tag', ['Drama', ' \t '], 'body.tags[1] " \\t " has no visible character'],
    ['a zero-width space', ['\u200b'], 'body.tags[0] "\u200b" has no visible character'],
    ['a control character', ['a\nb'], 'body.tags[0] contains a control character'],
    [
      'an unpaired surrogate',
      ['\ud800'],
      'body.tags[0] contains a control character or an unpaired',
    ],
    ['a nested array', [['Drama']], 'body.tags[0] ["Drama"] is not a string'],
    [
      'a tag too long',
      ['x'.repeat(MAX_TAG_LENGTH + 1)],
      `body.tags[0] has ${MAX_TAG_LENGTH + 1} characters; the limit is ${MAX_TAG_LENGTH}`,
    ],
    ['too many tags', Array.from({ length: MAX_TAGS + 1 }, (_, i) => `t${i}`), 'at most 32'],
  ])('reject %s with 400', async (_, tags, message) => {
    const contentId = await contentOf('rejected')

    const response = await postJson('/items', { id: 'rejected', contentId, tags }, TENANT)
    const body = (await response.json()) as ErrorBody

    expect(response.status).toBe(400)
    expect(body.error.code).toBe('invalid_request')
    expect(body.error.message).toContain(message)
    expect((await send('/items/rejected', TENANT)).status).toBe(404)
  })

  it('count an emoji as one character', async () => {
    const contentId = await contentOf('emoji')
    const long = '😀'.repeat(MAX_TAG_LENGTH + 1)
    // Its JSON, '["a' and then emoji of two code units each, runs past the 40 code units a
    // message quotes, and the 40th is the first half of the 19th emoji.
    const nested = ['a' + '😀'.repeat(30)]

    const tooLong = await postJson('/items', { id: 'emoji', contentId, tags: [long] }, TENANT)
    const notString = await postJson('/items', { id: 'emoji', contentId, tags: [nested] }, TENANT)
    const messages = [
      ((await tooLong.json()) as ErrorBody).error.message,
      ((await notString.json()) as ErrorBody).error.message,
    ]

    // Checked as a boolean first, because vitest's WebSocket to workerd rejects a failure
    // message that quotes a lone surrogate as invalid UTF-8.
    expect(messages.map((message) => LONE_SURROGATE.test(message))).toEqual([false, false])
    expect([tooLong.status, notString.status]).toEqual([400, 400])
    expect(messages[0]).toBe(`body.tags[0] has ${MAX_TAG_LENGTH + 1} characters; the limit is 64`)
    expect(messages[1]).toContain(`body.tags[0] ["a${'😀'.repeat(18)} is not a string`)
  })

  it('are normalised to NFC', async () => {
    const contentId = await contentOf('nfc')
    // 'e' followed by a combining acute accent is 'é' in NFC: one character, not two.
    const decomposed = 'e\u0301'

    const response = await postJson(
      '/items',
      { id: 'nfc', contentId, tags: ['\u00e9', decomposed, decomposed.repeat(MAX_TAG_LENGTH)] },
      TENANT,
    )
    const body = (await response.json()) as ItemBody

    expect(response.status).toBe(201)
    expect(body.item.tags).toEqual(['\u00e9', '\u00e9'.repeat(MAX_TAG_LENGTH)])
  })

  it('accept the maximum length', async () => {
    const contentId = await contentOf('longest')
    const tag = '猫'.repeat(MAX_TAG_LENGTH)

    const response = await postJson('/items', { id: 'longest', contentId, tags: [tag] }, TENANT)

    expect(response.status).toBe(201)
    expect(await storedTags('longest')).toEqual([tag])
  })

  it('are rejected in the query of a JSON request', async () => {
    const contentId = await contentOf('query')

    const response = await postJson('/items?tags=%5B%5D', { id: 'query', contentId }, TENANT)
    const body = (await response.json()) as ErrorBody

    expect(response.status).toBe(400)
    expect(body.error.message).toBe(
      'query parameter tags applies to image uploads; put it in the JSON body instead',
    )
  })

  it('name every misplaced upload parameter', async () => {
    const contentId = await contentOf('three')

    const response = await postJson(
      '/items?id=x&metadata=%7B%7D&tags=%5B%5D',
      { contentId },
      TENANT,
    )
    const body = (await response.json()) as ErrorBody

    expect(body.error.message).toBe(
      'query parameters id, metadata and tags apply to image uploads; put them in the JSON body instead',
    )
  })
})

describe.skipIf(!HAS_DATA)('item tags of an image upload', () => {
  const CAT = 'cats_dogs_kaggle/cat/cat.1.jpg'

  it('come from the query of a raw upload', async () => {
    const response = await request(
      `/items?id=cat-tagged&tags=${encodeURIComponent('["pet","cat"]')}`,
      {
        method: 'POST',
        body: await readFixture(CAT),
        headers: { 'Content-Type': 'image/jpeg', [TENANT_HEADER]: TENANT },
      },
    )
    const body = (await response.json()) as ItemBody

    expect(response.status).toBe(201)
    expect(body.item.tags).toEqual(['pet', 'cat'])
  })

  it('come from a multipart field', async () => {
    const form = new FormData()
    form.append('image', new File([await readFixture(CAT)], 'cat.jpg'))
    form.append('id', 'cat-form')
    form.append('tags', JSON.stringify(['pet']))

    const response = await request('/items', {
      method: 'POST',
      body: form,
      headers: { [TENANT_HEADER]: TENANT },
    })
    const body = (await response.json()) as ItemBody

    expect(response.status).toBe(201)
    expect(body.item.tags).toEqual(['pet'])
  })

  it.each([
    ['not JSON', 'pet', 'tags is not valid JSON'],
    ['not an array', '{"pet":1}', 'tags must be an array'],
  ])('are rejected when the field is %s', async (_, tags, message) => {
    const response = await request(`/items?id=cat-bad-tags&tags=${encodeURIComponent(tags)}`, {
      method: 'POST',
      body: await readFixture(CAT),
      headers: { 'Content-Type': 'image/jpeg', [TENANT_HEADER]: TENANT },
    })
    const body = (await response.json()) as ErrorBody

    expect(response.status).toBe(400)
    expect(body.error.message).toContain(message)
    expect((await send('/items/cat-bad-tags', TENANT)).status).toBe(404)
  })
})
