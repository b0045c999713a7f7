import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'

import { contentIdOf } from '../../src/embedding/content-id'
import { MAX_IMAGE_BYTES } from '../../src/http/image-body'
import { postImage, request, type EmbedBody, type ErrorBody } from '../support/api'
import { HAS_DATA, readFixture } from '../support/fixtures'

const CAT_PHOTO = 'cats_dogs_kaggle/cat/cat.1.jpg'
const CAT_CLASS_IDS = [281, 282, 283, 284, 285]

describe.skipIf(!HAS_DATA)('POST /embed', () => {
  it('returns the content id, model, dimensions and top-5 labels', async () => {
    const bytes = await readFixture(CAT_PHOTO)

    const response = await postImage(bytes)
    const body = (await response.json()) as EmbedBody

    expect(response.status).toBe(201)
    expect(body.id).toBe(await contentIdOf(bytes))
    expect(body.model).toBe('mobilenetv2-12-int8')
    expect(body.cached).toBe(false)
    expect(body.image.format).toBe('jpeg')
    expect(body.dimensions).toEqual({ probabilities: 1000, embedding: 1280 })
    expect(body.labels).toHaveLength(5)
    expect(CAT_CLASS_IDS).toContain(body.labels[0]!.id)
    expect(body.vectors).toBeUndefined()
  })

  it('answers a repeated upload from storage without inference', async () => {
    const bytes = await readFixture('cats_dogs_kaggle/cat/cat.10.jpg')
    const first = (await (await postImage(bytes)).json()) as EmbedBody

    const response = await postImage(bytes)
    const second = (await response.json()) as EmbedBody

    expect(response.status).toBe(200)
    expect(second.cached).toBe(true)
    expect(response.headers.get('Server-Timing')).not.toContain('inference')
    expect(second.labels).toEqual(first.labels)
  })

  it('accepts a multipart upload in the field "image"', async () => {
    const bytes = await readFixture(CAT_PHOTO)
    const form = new FormData()
    form.append('image', new File([bytes], 'upload.bin'))

    const response = await request('/embed', { method: 'POST', body: form })
    const body = (await response.json()) as EmbedBody

    expect(response.status).toBeLessThan(300)
    expect(body.id).toBe(await contentIdOf(bytes))
  })

  it('adds both vectors with include=vectors', async () => {
    const bytes = await readFixture(CAT_PHOTO)

    const body = (await (await postImage(bytes, '?include=vectors')).json()) as EmbedBody

    expect(body.vectors?.probabilities).toHaveLength(1000)
    expect(body.vectors?.embedding).toHaveLength(1280)
    const sum = body.vectors!.probabilities.reduce((total, p) => total + p, 0)
    expect(sum).toBeCloseTo(1, 4)
  })

  it('stores the vectors under the tenant, model and content id', async () => {
    const bytes = await readFixture(CAT_PHOTO)

    const body = (await (
      await postImage(bytes, '', { 'X-FeatureForest-Tenant': 'acme' })
    ).json()) as EmbedBody

    const { keys } = await env.FEATURES.list({ prefix: 'v1:acme:' })
    expect(keys.map((key) => key.name)).toEqual([`v1:acme:features:mobilenetv2-12-int8:${body.id}`])
  })

  it('rejects an empty body', async () => {
    const response = await postImage(new Uint8Array(0))
    const body = (await response.json()) as ErrorBody

    expect(response.status).toBe(400)
    expect(body.error.code).toBe('invalid_request')
  })

  it('rejects a multipart body without the image field', async () => {
    const form = new FormData()
    form.append('photo', new File([new Uint8Array([1, 2, 3])], 'a.jpg'))

    const response = await request('/embed', { method: 'POST', body: form })
    const body = (await response.json()) as ErrorBody

    expect(response.status).toBe(400)
    expect(body.error.message).toContain('"image"')
  })

  it('rejects a body over the size limit', async () => {
    const response = await postImage(new Uint8Array(MAX_IMAGE_BYTES + 1))
    const body = (await response.json()) as ErrorBody

    expect(response.status).toBe(413)
    expect(body.error.code).toBe('payload_too_large')
  })

  it('rejects bytes that are not an image', async () => {
    const response = await postImage(new TextEncoder().encode('{"text": "hello"}'))
    const body = (await response.json()) as ErrorBody

    expect(response.status).toBe(415)
    expect(body.error.code).toBe('unsupported_format')
    expect(body.error.message).toContain('Content-Type: application/json')
  })

  it('rejects a JPEG cut short inside its image data', async () => {
    const bytes = await readFixture('cats_dogs_kaggle/cat/cat.10.jpg')

    const response = await postImage(bytes.slice(0, 5000))
    const body = (await response.json()) as ErrorBody

    expect(response.status).toBe(422)
    expect(body.error.code).toBe('corrupt_image')
    expect(body.error.message).toContain('truncated')
  })

  it('accepts a JPEG with data after its end marker', async () => {
    const bytes = await readFixture('cats_dogs_kaggle/cat/cat.10.jpg')
    const padded = new Uint8Array(bytes.length + 1000)
    padded.set(bytes)
    padded.fill(0x5a, bytes.length)

    const response = await postImage(padded)

    expect(response.status).toBe(201)
  })

  it('rejects an unknown include value', async () => {
    const bytes = await readFixture(CAT_PHOTO)

    const response = await postImage(bytes, '?include=pixels')
    const body = (await response.json()) as ErrorBody

    expect(response.status).toBe(400)
    expect(body.error.message).toContain('pixels')
  })

  it('rejects an invalid tenant', async () => {
    const bytes = await readFixture(CAT_PHOTO)

    const response = await postImage(bytes, '', { 'X-FeatureForest-Tenant': 'Not A Tenant!' })
    const body = (await response.json()) as ErrorBody

    expect(response.status).toBe(400)
    expect(body.error.code).toBe('invalid_tenant')
  })

  it('answers GET with 405 in the error envelope', async () => {
    const response = await request('/embed')
    const body = (await response.json()) as ErrorBody

    expect(response.status).toBe(405)
    expect(body.error.code).toBe('method_not_allowed')
    expect(response.headers.get('Allow')).toBe('POST')
  })
})

describe.skipIf(!HAS_DATA)('GET /embeddings/{id}', () => {
  it('returns the stored vectors', async () => {
    const bytes = await readFixture(CAT_PHOTO)
    const embedded = (await (await postImage(bytes, '?include=vectors')).json()) as EmbedBody

    const response = await request(`/embeddings/${embedded.id}`)
    const body = (await response.json()) as EmbedBody

    expect(response.status).toBe(200)
    expect(body.vectors).toEqual(embedded.vectors)
    expect(body.labels).toEqual(embedded.labels)
  })

  it('keeps tenants apart', async () => {
    const bytes = await readFixture(CAT_PHOTO)
    const embedded = (await (
      await postImage(bytes, '', { 'X-FeatureForest-Tenant': 'tenant-a' })
    ).json()) as EmbedBody

    const response = await request(`/embeddings/${embedded.id}`, {
      headers: { 'X-FeatureForest-Tenant': 'tenant-b' },
    })

    expect(response.status).toBe(404)
  })

  it('returns 404 in the error envelope for an unknown id', async () => {
    const response = await request(`/embeddings/${'0'.repeat(64)}`)
    const body = (await response.json()) as ErrorBody

    expect(response.status).toBe(404)
    expect(body.error.code).toBe('not_found')
    expect(body.error.requestId).toBe(response.headers.get('X-Request-Id'))
  })

  it('accepts the include parameter of POST /embed', async () => {
    const bytes = await readFixture(CAT_PHOTO)
    const embedded = (await (await postImage(bytes)).json()) as EmbedBody

    const response = await request(`/embeddings/${embedded.id}?include=vectors`)
    const wrong = await request(`/embeddings/${embedded.id}?include=pixels`)
    const body = (await wrong.json()) as ErrorBody

    expect(response.status).toBe(200)
    expect(wrong.status).toBe(400)
    expect(body.error.message).toBe('include "pixels" is not supported; use include=vectors')
  })

  it('rejects an id that is not a content id', async () => {
    const response = await request('/embeddings/cat.jpg')
    const body = (await response.json()) as ErrorBody

    expect(response.status).toBe(400)
    expect(body.error.code).toBe('invalid_request')
  })
})

describe('unknown routes', () => {
  it('return 404 in the error envelope', async () => {
    const response = await request('/nowhere')
    const body = (await response.json()) as ErrorBody

    expect(response.status).toBe(404)
    expect(body.error.code).toBe('not_found')
  })
})
