import { describe, expect, it } from 'vitest'

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

interface TrainBody {
  name: string
  featureKind: string
  classes: string[]
  counts: Record<string, number>
  outOfBagAccuracy: number | null
  examples: number
  candidates: { featureKind: string; outOfBagAccuracy: number | null }[]
  trainingMs: number
}

interface PredictBody {
  model: string
  label: string
  probabilities: Record<string, number>
}

/** Stores `perCluster` synthetic vectors of each cluster and returns them as labelled examples. */
async function clusterExamples(tenant: string, clusters: number[], perCluster = 8) {
  const examples: { contentId: string; label: string }[] = []
  for (const cluster of clusters) {
    for (let n = 0; n < perCluster; n++) {
      const contentId = await putFeatures(tenant, `${cluster}/${n}`, clusterFeatures(cluster, n))
      examples.push({ contentId, label: `cluster-${cluster}` })
    }
  }
  return examples
}

describe('POST /train', () => {
  it('trains both feature kinds and keeps the better one', async () => {
    const examples = await clusterExamples('train-a', [0, 1, 2])

    const response = await postJson('/train', { model: 'clusters', examples }, 'train-a')
    const body = (await response.json()) as TrainBody

    expect(response.status).toBe(201)
    expect(body.name).toBe('clusters')
    expect(body.classes).toEqual(['cluster-0', 'cluster-1', 'cluster-2'])
    expect(body.counts).toEqual({ 'cluster-0': 8, 'cluster-1': 8, 'cluster-2': 8 })
    expect(body.examples).toBe(24)
    expect(body.candidates.map((c) => c.featureKind).sort()).toEqual(['embedding', 'probabilities'])
    expect(body.featureKind).toBe(body.candidates[0]!.featureKind)
    expect(body.outOfBagAccuracy).toBe(body.candidates[0]!.outOfBagAccuracy)
    expect(body.outOfBagAccuracy).toBeGreaterThanOrEqual(body.candidates[1]!.outOfBagAccuracy ?? 0)
    expect(body.outOfBagAccuracy).toBeGreaterThan(0.9)
    expect(body.trainingMs).toBeGreaterThanOrEqual(0)
  })

  it('trains only the requested feature kind', async () => {
    const examples = await clusterExamples('train-b', [0, 3], 4)

    const body = (await (
      await postJson('/train', { model: 'both-kinds', examples, features: 'both' }, 'train-b')
    ).json()) as TrainBody

    expect(body.featureKind).toBe('both')
    expect(body.candidates).toHaveLength(1)
  })

  it('accepts catalog item ids as examples', async () => {
    await seedCatalog('train-items', 4, [1, 2])
    const examples = [0, 1, 2, 3].flatMap((n) => [
      { item: `c1-${n}`, label: 'one' },
      { item: `c2-${n}`, label: 'two' },
    ])

    const response = await postJson('/train', { model: 'by-item', examples }, 'train-items')

    expect(response.status).toBe(201)
  })

  it.each([
    [
      'a single label',
      {
        model: 'm',
        examples: [
          { contentId: 'a'.repeat(64), label: 'x' },
          { contentId: 'b'.repeat(64), label: 'x' },
        ],
      },
    ],
    ['no examples', { model: 'm', examples: [] }],
    ['an invalid model name', { model: 'a b', examples: [] }],
    ['an unknown feature kind', { model: 'm', features: 'pixels', examples: [] }],
    ['an example without a source', { model: 'm', examples: [{ label: 'a' }, { label: 'b' }] }],
    [
      'a label that is not a string',
      {
        model: 'm',
        examples: [
          { item: 'a', label: 1 },
          { item: 'b', label: 2 },
        ],
      },
    ],
  ])('rejects %s with 400', async (_, body) => {
    const response = await postJson('/train', body, 'train-bad')
    const error = (await response.json()) as ErrorBody

    expect(response.status).toBe(400)
    expect(error.error.code).toBe('invalid_request')
  })

  it('rejects an example without stored vectors with 404', async () => {
    const examples = [
      { contentId: 'a'.repeat(64), label: 'x' },
      { contentId: 'b'.repeat(64), label: 'y' },
    ]

    const response = await postJson('/train', { model: 'm', examples }, 'train-bad')

    expect(response.status).toBe(404)
  })

  it('counts labels named like object properties', async () => {
    const [first, second] = await clusterExamples('train-proto', [0, 1], 1)
    const examples = [
      { contentId: first!.contentId, label: '__proto__' },
      { contentId: second!.contentId, label: 'constructor' },
    ]

    const response = await postJson('/train', { model: 'proto', examples }, 'train-proto')
    const body = (await response.json()) as TrainBody

    expect(response.status).toBe(201)
    expect(Object.entries(body.counts).sort()).toEqual([
      ['__proto__', 1],
      ['constructor', 1],
    ])
  })

  it('rejects the same image given twice', async () => {
    const examples = await clusterExamples('train-twice', [0, 1], 1)
    examples.push({ contentId: examples[0]!.contentId, label: 'cluster-1' })

    const response = await postJson('/train', { model: 'twice', examples }, 'train-twice')
    const body = (await response.json()) as ErrorBody

    expect(response.status).toBe(400)
    expect(body.error.message).toContain('examples[2] repeats the example of examples[0]')
  })
})

describe('POST /models/{name}/predict', () => {
  it('predicts the class of stored vectors', async () => {
    const examples = await clusterExamples('predict-a', [0, 1, 2])
    await postJson('/train', { model: 'clusters', examples }, 'predict-a')
    const probe = await putFeatures('predict-a', 'probe', clusterFeatures(2, 99))

    const response = await postJson('/models/clusters/predict', { contentId: probe }, 'predict-a')
    const body = (await response.json()) as PredictBody

    expect(response.status).toBe(200)
    expect(body.label).toBe('cluster-2')
    expect(Object.keys(body.probabilities).sort()).toEqual(['cluster-0', 'cluster-1', 'cluster-2'])
    const total = Object.values(body.probabilities).reduce((sum, p) => sum + p, 0)
    expect(total).toBeCloseTo(1, 6)
  })

  it('returns 404 for an unknown model', async () => {
    const response = await postJson('/models/missing/predict', { contentId: 'a'.repeat(64) })
    const body = (await response.json()) as ErrorBody

    expect(response.status).toBe(404)
    expect(body.error.code).toBe('not_found')
  })
})

describe('GET and DELETE /models', () => {
  it('lists, reads and deletes trained models', async () => {
    const examples = await clusterExamples('models-crud', [0, 1], 3)
    await postJson('/train', { model: 'first', examples, features: 'embedding' }, 'models-crud')
    await postJson('/train', { model: 'second', examples, features: 'embedding' }, 'models-crud')

    const listing = (await (await send('/models', 'models-crud')).json()) as {
      models: { name: string }[]
    }
    const one = await send('/models/first', 'models-crud')
    const deleted = await send('/models/first', 'models-crud', 'DELETE')
    const gone = await send('/models/first', 'models-crud')
    const otherTenant = await send('/models/second', 'models-other')

    expect(listing.models.map((model) => model.name)).toEqual(['first', 'second'])
    expect(((await one.json()) as { featureKind: string }).featureKind).toBe('embedding')
    expect(deleted.status).toBe(204)
    expect(gone.status).toBe(404)
    expect(otherTenant.status).toBe(404)
  })

  it('pages through models with the returned cursor', async () => {
    const examples = await clusterExamples('models-paging', [0, 1], 3)
    for (const name of ['m1', 'm2', 'm3']) {
      await postJson('/train', { model: name, examples, features: 'embedding' }, 'models-paging')
    }

    const first = (await (await send('/models?limit=2', 'models-paging')).json()) as {
      models: { name: string }[]
      cursor?: string
    }
    const second = (await (
      await send(`/models?limit=2&cursor=${encodeURIComponent(first.cursor!)}`, 'models-paging')
    ).json()) as { models: { name: string }[]; cursor?: string }

    expect(first.models.map((model) => model.name)).toEqual(['m1', 'm2'])
    expect(second.models.map((model) => model.name)).toEqual(['m3'])
    expect(second.cursor).toBeUndefined()
  })

  it('rejects cursors it did not issue', async () => {
    const examples = await clusterExamples('models-cursors', [0, 1], 3)
    for (const name of ['m1', 'm2']) {
      await postJson('/train', { model: name, examples, features: 'embedding' }, 'models-cursors')
    }
    await seedCatalog('models-cursors', 1)
    const cursorOf = async (path: string, tenant: string) =>
      ((await (await send(path, tenant)).json()) as { cursor: string }).cursor
    const cursor = await cursorOf('/models?limit=1', 'models-cursors')
    const changed = (cursor.startsWith('A') ? 'B' : 'A') + cursor.slice(1)
    // A storage cursor in the form local R2 gives, a changed cursor, one of another listing
    // and one of another tenant.
    const rejected: [string, string][] = [
      ['models-cursors', btoa('v1:models-cursors:classifiers:m1')],
      ['models-cursors', changed],
      ['models-cursors', await cursorOf('/items?limit=1', 'models-cursors')],
      ['models-cursors-other', cursor],
    ]

    for (const [tenant, other] of rejected) {
      const response = await send(`/models?cursor=${encodeURIComponent(other)}`, tenant)
      const body = (await response.json()) as ErrorBody

      expect(response.status).toBe(400)
      expect(body.error.message).toContain('cursor is invalid')
    }
  })

  it.each(['!!', 'a b', 'x'.repeat(2049)])('rejects cursor %s with 400', async (cursor) => {
    const response = await send(`/models?cursor=${encodeURIComponent(cursor)}`)
    const body = (await response.json()) as ErrorBody

    expect(response.status).toBe(400)
    expect(body.error.code).toBe('invalid_request')
  })
})

describe.skipIf(!HAS_DATA)('classifiers on photos', () => {
  it('tell a cat from a dog in an uploaded image', async () => {
    const tenant = 'photos-classifier'
    const examples: { contentId: string; label: string }[] = []
    for (const [label, ids] of [
      ['cat', [1, 10, 100]],
      ['dog', [1, 10, 100]],
    ] as const) {
      for (const id of ids) {
        const bytes = await readFixture(`cats_dogs_kaggle/${label}/${label}.${id}.jpg`)
        const embedded = await request('/embed', {
          method: 'POST',
          body: bytes,
          headers: { [TENANT_HEADER]: tenant },
        })
        examples.push({ contentId: ((await embedded.json()) as { id: string }).id, label })
      }
    }
    await postJson('/train', { model: 'pets', examples }, tenant)

    const response = await request('/models/pets/predict', {
      method: 'POST',
      body: await readFixture('cats_dogs_kaggle/cat/cat.1004.jpg'),
      headers: { 'Content-Type': 'image/jpeg', [TENANT_HEADER]: tenant },
    })
    const body = (await response.json()) as PredictBody

    expect(response.status).toBe(200)
    expect(body.label).toBe('cat')
  })
})
