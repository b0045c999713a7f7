import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'

import { BULK_MAX_ITEMS } from '../../src/catalog/item-input'
import { contentIdOf } from '../../src/embedding/content-id'
import { request, type ErrorBody } from '../support/api'
import {
  clusterFeatures,
  postJson,
  putFeatures,
  seedCatalog,
  send,
  TENANT_HEADER,
} from '../support/catalog'
import { HAS_DATA, readFixture } from '../support/fixtures'
import { latin1, multipartBody } from '../support/multipart'

interface ItemBody {
  item: {
    id: string
    contentId: string
    metadata: Record<string, unknown> | null
    concepts: { id: number; probability: number }[]
  }
  created: boolean
}

describe('POST /items by content id', () => {
  it('adds an item with its metadata and concepts', async () => {
    const contentId = await putFeatures('items-a', 'one', clusterFeatures(1, 1))

    const response = await postJson(
      '/items',
      { id: 'poster-1', contentId, metadata: { title: 'One' } },
      'items-a',
    )
    const body = (await response.json()) as ItemBody

    expect(response.status).toBe(201)
    expect(body.created).toBe(true)
    expect(body.item.id).toBe('poster-1')
    expect(body.item.contentId).toBe(contentId)
    expect(body.item.metadata).toEqual({ title: 'One' })
    expect(body.item.concepts[0]).toEqual({ id: 100, probability: 0.5 })
  })

  it('replaces metadata sent again with the item', async () => {
    const contentId = await putFeatures('items-meta', 'one', clusterFeatures(1, 1))
    await postJson('/items', { id: 'm', contentId, metadata: { title: 'Old' } }, 'items-meta')

    const replaced = await postJson(
      '/items',
      { id: 'm', contentId, metadata: { title: 'New' } },
      'items-meta',
    )
    const replacedBody = (await replaced.json()) as ItemBody
    const repeated = (await (
      await postJson('/items', { id: 'm', contentId }, 'items-meta')
    ).json()) as ItemBody
    const stored = (await (await send('/items/m', 'items-meta')).json()) as ItemBody

    expect(replaced.status).toBe(200)
    expect(replacedBody.created).toBe(false)
    expect(replacedBody.item.metadata).toEqual({ title: 'New' })
    expect(repeated.item.metadata).toEqual({ title: 'New' })
    expect(stored.item.metadata).toEqual({ title: 'New' })
  })

  it('uses the content id as the item id by default', async () => {
    const contentId = await putFeatures('items-a', 'two', clusterFeatures(2, 1))

    const body = (await (await postJson('/items', { contentId }, 'items-a')).json()) as ItemBody

    expect(body.item.id).toBe(contentId)
  })

  it('returns the existing item when added again', async () => {
    const contentId = await putFeatures('items-a', 'three', clusterFeatures(3, 1))
    await postJson('/items', { id: 'again', contentId }, 'items-a')

    const response = await postJson('/items', { id: 'again', contentId }, 'items-a')
    const body = (await response.json()) as ItemBody

    expect(response.status).toBe(200)
    expect(body.created).toBe(false)
  })

  it('rejects an id used by another content id with 409', async () => {
    const first = await putFeatures('items-a', 'four', clusterFeatures(0, 4))
    const second = await putFeatures('items-a', 'five', clusterFeatures(0, 5))
    await postJson('/items', { id: 'taken', contentId: first }, 'items-a')

    const response = await postJson('/items', { id: 'taken', contentId: second }, 'items-a')
    const body = (await response.json()) as ErrorBody

    expect(response.status).toBe(409)
    expect(body.error.code).toBe('conflict')
  })

  it('rejects a content id without stored vectors with 404', async () => {
    const response = await postJson('/items', { contentId: 'a'.repeat(64) }, 'items-a')
    const body = (await response.json()) as ErrorBody

    expect(response.status).toBe(404)
    expect(body.error.code).toBe('not_found')
    expect(body.error.message).toContain('a'.repeat(64))
  })

  it.each([
    ['a malformed content id', { contentId: 'xyz' }],
    ['an invalid item id', { id: 'has space', contentId: 'b'.repeat(64) }],
    ['metadata that is not an object', { contentId: 'b'.repeat(64), metadata: [1] }],
    ['a body that is not an object', [1, 2]],
  ])('rejects %s with 400', async (_, body) => {
    const response = await postJson('/items', body, 'items-a')
    const error = (await response.json()) as ErrorBody

    expect(response.status).toBe(400)
    expect(error.error.code).toBe('invalid_request')
  })

  it('rejects the upload query parameters on a JSON request', async () => {
    const contentId = await putFeatures('items-a', 'query-id', clusterFeatures(0, 9))

    const response = await postJson(`/items?id=named&metadata=%7B%7D`, { contentId }, 'items-a')
    const body = (await response.json()) as ErrorBody
    const missing = await send('/items/named', 'items-a')

    expect(response.status).toBe(400)
    expect(body.error.message).toBe(
      'query parameters id and metadata apply to image uploads; put them in the JSON body instead',
    )
    expect(missing.status).toBe(404)
  })

  it('names the missing contentId or text', async () => {
    const response = await postJson('/items', { id: 'x' })
    const body = (await response.json()) as ErrorBody

    expect(response.status).toBe(400)
    expect(body.error.message).toMatch(/^body needs "contentId" or "text"/)
  })

  it('rejects malformed JSON with 400', async () => {
    const response = await request('/items', {
      method: 'POST',
      body: '{"contentId": ',
      headers: { 'Content-Type': 'application/json' },
    })

    expect(response.status).toBe(400)
  })
})

describe('POST /items/bulk', () => {
  it('adds every item of the request', async () => {
    const items = await seedCatalog('items-bulk', 3)

    const page = (await (await send('/items?limit=1000', 'items-bulk')).json()) as {
      items: { id: string }[]
    }

    expect(page.items.map((item) => item.id).sort()).toEqual(items.map((item) => item.id).sort())
  })

  it('rejects more than the maximum count', async () => {
    const items = Array.from({ length: BULK_MAX_ITEMS + 1 }, (_, i) => ({
      id: `x${i}`,
      contentId: 'c'.repeat(64),
    }))

    const response = await postJson('/items/bulk', { items }, 'items-bulk')

    expect(response.status).toBe(400)
  })

  it('rejects a duplicate id in one request', async () => {
    const contentId = 'd'.repeat(64)

    const response = await postJson(
      '/items/bulk',
      { items: [{ contentId }, { contentId }] },
      'items-bulk',
    )

    expect(response.status).toBe(400)
  })

  it('adds nothing when one content id is unknown', async () => {
    const known = await putFeatures('items-partial', 'known', clusterFeatures(0, 1))

    const response = await postJson(
      '/items/bulk',
      { items: [{ contentId: known }, { contentId: 'e'.repeat(64) }] },
      'items-partial',
    )
    const listing = (await (await send('/items', 'items-partial')).json()) as { items: unknown[] }

    expect(response.status).toBe(404)
    expect(listing.items).toHaveLength(0)
  })
})

describe('catalog writes', () => {
  it('keep every item of concurrent requests', async () => {
    const contentIds = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        putFeatures('items-race', `race-${i}`, clusterFeatures(i % 4, i)),
      ),
    )

    const responses = await Promise.all(
      contentIds.map((contentId, i) =>
        postJson('/items', { id: `race-${i}`, contentId }, 'items-race'),
      ),
    )
    const page = (await (await send('/items?limit=100', 'items-race')).json()) as {
      items: { id: string }[]
    }

    expect(responses.map((response) => response.status)).toEqual(contentIds.map(() => 201))
    expect(page.items).toHaveLength(40)
  })

  it('store the vectors in a versioned R2 shard of the tenant', async () => {
    await seedCatalog('items-shard', 1)

    const listed = await env.MODELS.list({ prefix: 'v1:items-shard:catalog:' })

    expect(listed.objects.map((object) => object.key)).toEqual(['v1:items-shard:catalog:shards:0'])
  })
})

describe('GET /items', () => {
  it('pages through the catalog in id order', async () => {
    await seedCatalog('items-pages', 2)
    const seen: string[] = []
    let cursor: string | undefined
    for (let page = 0; page < 10; page++) {
      const query = `/items?limit=3${cursor ? `&cursor=${cursor}` : ''}`
      const body = (await (await send(query, 'items-pages')).json()) as {
        items: { id: string }[]
        cursor?: string
      }
      seen.push(...body.items.map((item) => item.id))
      cursor = body.cursor
      if (!cursor) break
    }

    expect(seen).toEqual([...seen].sort())
    expect(seen).toHaveLength(8)
  })

  it('rejects cursors it did not issue', async () => {
    await seedCatalog('items-cursors', 1)
    await seedCatalog('items-cursors-other', 1)
    const cursorOf = async (tenant: string) =>
      ((await (await send('/items?limit=1', tenant)).json()) as { cursor: string }).cursor
    const cursor = await cursorOf('items-cursors')
    const changed = (cursor.startsWith('A') ? 'B' : 'A') + cursor.slice(1)

    for (const rejected of ['c1-0', changed, await cursorOf('items-cursors-other')]) {
      const response = await send(`/items?cursor=${encodeURIComponent(rejected)}`, 'items-cursors')
      const body = (await response.json()) as ErrorBody

      expect(response.status).toBe(400)
      expect(body.error.code).toBe('invalid_request')
      expect(body.error.message).toContain('cursor is invalid')
    }
  })

  it.each(['0', '1001', 'ten', '1e2', '0x10', '%2010'])('rejects limit=%s', async (limit) => {
    const response = await send(`/items?limit=${limit}`)

    expect(response.status).toBe(400)
  })
})

describe('GET and DELETE /items/{id}', () => {
  it('returns, deletes and then misses an item', async () => {
    await seedCatalog('items-delete', 1)

    const found = await send('/items/c0-0', 'items-delete')
    const deleted = await send('/items/c0-0', 'items-delete', 'DELETE')
    const missing = await send('/items/c0-0', 'items-delete')
    const deletedAgain = await send('/items/c0-0', 'items-delete', 'DELETE')

    expect(found.status).toBe(200)
    expect(deleted.status).toBe(204)
    expect(missing.status).toBe(404)
    expect(((await missing.json()) as ErrorBody).error.code).toBe('not_found')
    expect(deletedAgain.status).toBe(404)
  })

  it('keeps tenants apart', async () => {
    await seedCatalog('items-tenant-a', 1)

    const response = await send('/items/c0-0', 'items-tenant-b')

    expect(response.status).toBe(404)
  })
})

describe.skipIf(!HAS_DATA)('POST /items with an image', () => {
  const CAT = 'cats_dogs_kaggle/cat/cat.10002.jpg'

  it('embeds a raw upload and adds it', async () => {
    const bytes = await readFixture('cats_dogs_kaggle/cat/cat.1.jpg')

    const response = await request('/items?id=cat-1&metadata=%7B%22kind%22%3A%22cat%22%7D', {
      method: 'POST',
      body: bytes,
      headers: { 'Content-Type': 'image/jpeg', [TENANT_HEADER]: 'items-photos' },
    })
    const body = (await response.json()) as ItemBody

    expect(response.status).toBe(201)
    expect(body.item.id).toBe('cat-1')
    expect(body.item.contentId).toBe(await contentIdOf(bytes))
    expect(body.item.metadata).toEqual({ kind: 'cat' })
    expect([281, 282, 283, 284, 285]).toContain(body.item.concepts[0]!.id)
  })

  it('accepts a multipart upload with id and metadata fields', async () => {
    const bytes = await readFixture('cats_dogs_kaggle/dog/dog.1.jpg')
    const form = new FormData()
    form.append('image', new File([bytes], 'dog.jpg'))
    form.append('id', 'dog-1')
    form.append('metadata', JSON.stringify({ kind: 'dog' }))

    const response = await request('/items', {
      method: 'POST',
      body: form,
      headers: { [TENANT_HEADER]: 'items-photos' },
    })
    const body = (await response.json()) as ItemBody

    expect(response.status).toBe(201)
    expect(body.item.id).toBe('dog-1')
    expect(body.item.metadata).toEqual({ kind: 'dog' })
  })

  /** Posts a hand-built multipart form to POST /items as the tenant items-multipart. */
  function postForm(form: { body: Uint8Array; contentType: string }): Promise<Response> {
    return request('/items', {
      method: 'POST',
      body: form.body,
      headers: { 'Content-Type': form.contentType, [TENANT_HEADER]: 'items-multipart' },
    })
  }

  it('keeps UTF-8 multipart fields intact', async () => {
    const metadata = { title: 'Café \ufffd 猫' }
    const form = multipartBody([
      { name: 'image', filename: 'cat.jpg', content: await readFixture(CAT) },
      { name: 'id', content: 'cat-utf8' },
      { name: 'metadata', content: JSON.stringify(metadata) },
    ])

    const response = await postForm(form)
    const body = (await response.json()) as ItemBody

    expect(response.status).toBe(201)
    expect(body.item.metadata).toEqual(metadata)
  })

  it('rejects a non-UTF-8 multipart field', async () => {
    const form = multipartBody([
      { name: 'image', filename: 'cat.jpg', content: await readFixture(CAT) },
      { name: 'id', content: 'cat-latin1' },
      { name: 'metadata', content: latin1('{"title": "Café"}') },
    ])

    const response = await postForm(form)
    const body = (await response.json()) as ErrorBody

    expect(response.status).toBe(400)
    expect(body.error.message).toContain('multipart field "metadata" is not valid UTF-8')
    expect((await send('/items/cat-latin1', 'items-multipart')).status).toBe(404)
  })

  it('rejects bytes that are not an image', async () => {
    const response = await request('/items', {
      method: 'POST',
      body: new TextEncoder().encode('not an image'),
      headers: { 'Content-Type': 'application/octet-stream' },
    })

    expect(response.status).toBe(415)
  })
})
