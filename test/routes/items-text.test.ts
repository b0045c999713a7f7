import { describe, expect, it } from 'vitest'

import { BULK_MAX_TEXTS } from '../../src/catalog/item-input'
import { textContentId } from '../../src/embedding/embed-text'
import { request, type ErrorBody } from '../support/api'
import {
  clusterFeatures,
  postJson,
  putFeatures,
  seedCatalog,
  send,
  TENANT_HEADER,
} from '../support/catalog'
import { seedTextCatalog, TOPIC_SENTENCES } from '../support/texts'

interface TextItem {
  id: string
  contentId: string
  modality: string
  backbone: string
  metadata: Record<string, unknown> | null
  concepts: unknown[]
}

interface AddedBody {
  item: TextItem
  created: boolean
  text?: { tokens: number; truncated: boolean }
}

interface CatalogBody {
  modality: string | null
  backbone: string | null
  dimensions: number | null
  itemCount: number
}

async function catalogOf(tenant: string): Promise<CatalogBody> {
  return (await (await send('/catalog', tenant)).json()) as CatalogBody
}

/** Sends POST /items/bulk with a text item and the image item `imageId` of `contentId`. */
function postMixedBulk(tenant: string, imageId: string, contentId: string): Promise<Response> {
  const items = [
    { id: 'note', text: 'A short note.' },
    { id: imageId, contentId },
  ]
  return postJson('/items/bulk', { items }, tenant)
}

describe('POST /items with text', () => {
  it('adds a text item and declares a text catalog', async () => {
    const text = TOPIC_SENTENCES.cooking[0]!

    const response = await postJson(
      '/items',
      { id: 'recipe-1', text, metadata: { title: 'Sauce' } },
      'text-items-a',
    )
    const body = (await response.json()) as AddedBody
    const fetched = (await (await send('/items/recipe-1', 'text-items-a')).json()) as {
      item: TextItem
    }
    const catalog = await catalogOf('text-items-a')

    expect(response.status).toBe(201)
    expect(body.created).toBe(true)
    expect(body.item.id).toBe('recipe-1')
    expect(body.item.contentId).toBe(await textContentId(text))
    expect(body.item.modality).toBe('text')
    expect(body.item.backbone).toBe('use-lite')
    expect(body.item.concepts).toEqual([])
    expect(body.item.metadata).toEqual({ title: 'Sauce' })
    expect(body.text?.truncated).toBe(false)
    expect(body.text?.tokens).toBeGreaterThan(10)
    expect(fetched.item).toMatchObject({ id: 'recipe-1', modality: 'text', backbone: 'use-lite' })
    expect(catalog).toEqual({
      modality: 'text',
      backbone: 'use-lite',
      dimensions: 512,
      itemCount: 1,
    })
  })

  it('adds a text embedded before by its content id', async () => {
    const text = TOPIC_SENTENCES.finance[1]!
    const embedded = (await (await postJson('/embed', { text }, 'text-items-b')).json()) as {
      id: string
    }

    const response = await postJson('/items', { contentId: embedded.id }, 'text-items-b')
    const body = (await response.json()) as AddedBody

    expect(response.status).toBe(201)
    expect(body.item.id).toBe(embedded.id)
    expect(body.item.modality).toBe('text')
    expect(body.text).toBeUndefined()
  })

  it('reports a text cut at the encoder limit as truncated', async () => {
    const text = Array.from({ length: 200 }, (_, i) => `word${i}`).join(' ')

    const body = (await (
      await postJson('/items', { id: 'long', text }, 'text-items-c')
    ).json()) as AddedBody

    expect(body.text).toEqual({ tokens: 128, truncated: true })
  })

  it('adds, lists, fetches and deletes text items in bulk', async () => {
    const seeded = await seedTextCatalog('text-items-bulk')

    const listed = (await (await send('/items?limit=100', 'text-items-bulk')).json()) as {
      items: TextItem[]
    }
    const fetched = (await (await send('/items/football-2', 'text-items-bulk')).json()) as {
      item: TextItem
    }
    const deleted = await send('/items/football-2', 'text-items-bulk', 'DELETE')
    const missing = await send('/items/football-2', 'text-items-bulk')
    const catalog = await catalogOf('text-items-bulk')

    expect(listed.items.map((item) => item.id)).toEqual(seeded.map((item) => item.id).sort())
    expect(listed.items.every((item) => item.modality === 'text')).toBe(true)
    expect(fetched.item.contentId).toBe(await textContentId(TOPIC_SENTENCES.football[2]!))
    expect(fetched.item.metadata).toEqual({ topic: 'football' })
    expect(deleted.status).toBe(204)
    expect(missing.status).toBe(404)
    expect(catalog.itemCount).toBe(seeded.length - 1)
  })

  it('rejects more texts than the bulk limit with 413', async () => {
    const items = Array.from({ length: BULK_MAX_TEXTS + 1 }, (_, i) => ({
      id: `t${i}`,
      text: `sentence number ${i}`,
    }))

    const response = await postJson('/items/bulk', { items }, 'text-items-d')
    const body = (await response.json()) as ErrorBody

    expect(response.status).toBe(413)
    expect(body.error.code).toBe('payload_too_large')
  })

  it.each([
    ['a blank text', { text: '   ' }],
    ['both text and content id', { text: 'a sentence', contentId: 'a'.repeat(64) }],
    ['a text that is not a string', { text: 42 }],
  ])('rejects %s with 400', async (_, body) => {
    const response = await postJson('/items', body, 'text-items-d')

    expect(response.status).toBe(400)
    expect(((await response.json()) as ErrorBody).error.code).toBe('invalid_request')
  })
})

async function declareCatalog(tenant: string, body: unknown): Promise<Response> {
  return request('/catalog', {
    method: 'PUT',
    body: JSON.stringify(body),
    headers: { 'Content-Type': 'application/json', [TENANT_HEADER]: tenant },
  })
}

describe('PUT /catalog', () => {
  it('declares the modality of an empty catalog', async () => {
    const response = await declareCatalog('declare-text', { modality: 'text' })
    const body = (await response.json()) as CatalogBody
    const image = await putFeatures('declare-text', 'photo', clusterFeatures(0, 1))
    const imageItem = await postJson('/items', { contentId: image }, 'declare-text')
    const textItem = await postJson('/items', { text: 'A short note.' }, 'declare-text')

    expect(response.status).toBe(200)
    expect(body).toEqual({ modality: 'text', backbone: 'use-lite', dimensions: null, itemCount: 0 })
    expect(imageItem.status).toBe(409)
    expect(((await imageItem.json()) as ErrorBody).error.code).toBe('modality_mismatch')
    expect(textItem.status).toBe(201)
  })

  it('accepts the declared modality again and rejects another', async () => {
    await seedCatalog('declare-image', 1)

    const same = await declareCatalog('declare-image', { modality: 'image' })
    const other = await declareCatalog('declare-image', { modality: 'text' })

    expect(same.status).toBe(200)
    expect(((await same.json()) as CatalogBody).itemCount).toBe(4)
    expect(other.status).toBe(409)
    expect(((await other.json()) as ErrorBody).error.code).toBe('modality_mismatch')
  })

  it.each([
    ['a missing modality', {}],
    ['an unknown modality', { modality: 'video' }],
    ['a body that is not an object', ['text']],
  ])('rejects %s with 400', async (_, body) => {
    const response = await declareCatalog('declare-bad', body)

    expect(response.status).toBe(400)
    expect(((await response.json()) as ErrorBody).error.code).toBe('invalid_request')
    expect((await catalogOf('declare-bad')).modality).toBeNull()
  })
})

describe('catalog modality', () => {
  it('rejects an image item in a text catalog with 409', async () => {
    await postJson('/items', { id: 'note', text: 'A short note.' }, 'text-mismatch-a')
    const image = await putFeatures('text-mismatch-a', 'photo', clusterFeatures(0, 1))

    const response = await postJson('/items', { contentId: image }, 'text-mismatch-a')
    const body = (await response.json()) as ErrorBody

    expect(response.status).toBe(409)
    expect(body.error.code).toBe('modality_mismatch')
    expect(body.error.message).toContain('text (use-lite)')
    expect(body.error.message).toContain('image (mobilenetv2-12-int8)')
    expect(body.error.message).toContain('another tenant')
    expect((await catalogOf('text-mismatch-a')).itemCount).toBe(1)
  })

  it('rejects an image upload to a text catalog before decoding it', async () => {
    await postJson('/items', { id: 'note', text: 'A short note.' }, 'text-mismatch-b')

    const response = await request('/items', {
      method: 'POST',
      body: new TextEncoder().encode('these bytes are no image'),
      headers: { 'Content-Type': 'image/jpeg', [TENANT_HEADER]: 'text-mismatch-b' },
    })

    expect(response.status).toBe(409)
    expect(((await response.json()) as ErrorBody).error.code).toBe('modality_mismatch')
  })

  it('rejects text items in an image catalog with 409', async () => {
    await seedCatalog('text-mismatch-c', 1)

    const one = await postJson('/items', { text: 'A short note.' }, 'text-mismatch-c')
    const textId = await textContentId('Embedded first.')
    await postJson('/embed', { text: 'Embedded first.' }, 'text-mismatch-c')
    const bulk = await postJson(
      '/items/bulk',
      { items: [{ id: 'embedded', contentId: textId }] },
      'text-mismatch-c',
    )
    const catalog = await catalogOf('text-mismatch-c')

    expect(one.status).toBe(409)
    expect(((await one.json()) as ErrorBody).error.code).toBe('modality_mismatch')
    expect(bulk.status).toBe(409)
    expect(((await bulk.json()) as ErrorBody).error.code).toBe('modality_mismatch')
    expect(catalog).toMatchObject({ modality: 'image', dimensions: 1280, itemCount: 4 })
  })

  it('rejects a bulk request mixing text and images with 400', async () => {
    const image = await putFeatures('text-mixed', 'photo', clusterFeatures(1, 1))

    const response = await postMixedBulk('text-mixed', 'photo', image)
    const body = (await response.json()) as ErrorBody

    expect(response.status).toBe(400)
    expect(body.error.code).toBe('mixed_modalities')
    expect(body.error.message).toContain('items[1]')
    expect(await catalogOf('text-mixed')).toEqual({
      modality: null,
      backbone: null,
      dimensions: null,
      itemCount: 0,
    })
  })

  it('rejects a mixed bulk request on an image catalog with 400', async () => {
    const image = await putFeatures('text-mixed-image', 'photo', clusterFeatures(1, 1))
    await postJson('/items', { id: 'photo', contentId: image }, 'text-mixed-image')

    const response = await postMixedBulk('text-mixed-image', 'photo-2', image)
    const body = (await response.json()) as ErrorBody

    expect(response.status).toBe(400)
    expect(body.error.code).toBe('mixed_modalities')
    expect(body.error.message).toContain('items[1]')
    expect((await catalogOf('text-mixed-image')).itemCount).toBe(1)
  })

  it('keeps the modality after every item is deleted', async () => {
    await postJson('/items', { id: 'note', text: 'A short note.' }, 'text-sticky')
    await send('/items/note', 'text-sticky', 'DELETE')
    const image = await putFeatures('text-sticky', 'photo', clusterFeatures(2, 1))

    const response = await postJson('/items', { contentId: image }, 'text-sticky')

    expect(response.status).toBe(409)
    expect((await catalogOf('text-sticky')).modality).toBe('text')
  })

  it('is declared per tenant', async () => {
    await postJson('/items', { id: 'note', text: 'A short note.' }, 'text-tenant-a')
    const image = await putFeatures('text-tenant-b', 'photo', clusterFeatures(3, 1))

    const imageItem = await postJson('/items', { id: 'photo', contentId: image }, 'text-tenant-b')
    const noteElsewhere = await send('/items/note', 'text-tenant-b')
    const textElsewhere = await postJson(
      '/items',
      { contentId: await textContentId('A short note.') },
      'text-tenant-c',
    )

    expect(imageItem.status).toBe(201)
    expect(noteElsewhere.status).toBe(404)
    expect(textElsewhere.status).toBe(404)
    expect((await catalogOf('text-tenant-a')).modality).toBe('text')
    expect((await catalogOf('text-tenant-b')).modality).toBe('image')
  })
})
