import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'

import { IMAGE_MODEL_ID } from '../../src/backbone/image-backbone'
import { textContentId } from '../../src/embedding/embed-text'
import type { Prediction } from '../../src/learning/classifier-service'
import { buildTrainer, CLASSIFIER_OPTIONS, encodeForest } from '../../src/learning/forest-adapter'
import { MAX_TRAIN_TEXTS } from '../../src/routes/models'
import { ClassifierStore } from '../../src/storage/classifier-store'
import { request, type ErrorBody } from '../support/api'
import {
  clusterFeatures,
  postJson,
  putFeatures,
  seededRandom,
  send,
  TENANT_HEADER,
} from '../support/catalog'
import { HAS_DATA, parseCsv, readFixture } from '../support/fixtures'
import { seedTextCatalog, TOPIC_SENTENCES } from '../support/texts'

interface ModelBody {
  name: string
  modality: string
  backbone: string
  featureKind: string
  classes: string[]
  candidates?: { featureKind: string }[]
}

/** Body of a POST /models/{name}/predict response. */
type PredictBody = Prediction

/** Examples of the first `count` sentences of each topic, given as inline texts. */
function topicExamples(count: number) {
  return Object.entries(TOPIC_SENTENCES).flatMap(([topic, sentences]) =>
    sentences.slice(0, count).map((text) => ({ text, label: topic })),
  )
}

async function predict(tenant: string, name: string, body: unknown): Promise<Response> {
  return postJson(`/models/${name}/predict`, body, tenant)
}

/** Embeds texts through POST /embed in batches of 32 and returns their content ids in order. */
async function embedAll(tenant: string, texts: string[]): Promise<string[]> {
  const ids: string[] = []
  for (let start = 0; start < texts.length; start += 32) {
    const response = await postJson('/embed', { texts: texts.slice(start, start + 32) }, tenant)
    const body = (await response.json()) as { items: { id: string }[] }
    ids.push(...body.items.map((item) => item.id))
  }
  return ids
}

describe('text classifiers', () => {
  it('train on inline texts and predict held-out texts', async () => {
    const response = await postJson(
      '/train',
      { model: 'topics', examples: topicExamples(3) },
      'text-models-a',
    )
    const trained = (await response.json()) as ModelBody
    const cooking = await predict('text-models-a', 'topics', { text: TOPIC_SENTENCES.cooking[5] })
    const finance = await predict('text-models-a', 'topics', { text: TOPIC_SENTENCES.finance[3] })
    const cookingBody = (await cooking.json()) as PredictBody
    const financeBody = (await finance.json()) as PredictBody
    const listed = (await (await send('/models', 'text-models-a')).json()) as {
      models: ModelBody[]
    }

    expect(response.status).toBe(201)
    expect(trained.modality).toBe('text')
    expect(trained.backbone).toBe('use-lite')
    expect(trained.featureKind).toBe('embedding')
    expect(trained.candidates).toEqual([expect.objectContaining({ featureKind: 'embedding' })])
    expect(trained.classes).toEqual(['cooking', 'finance', 'football'])
    expect(cooking.status).toBe(200)
    expect(cookingBody).toMatchObject({ modality: 'text', backbone: 'use-lite', label: 'cooking' })
    expect(cookingBody.probabilities.cooking).toBeGreaterThan(0.5)
    expect(financeBody.label).toBe('finance')
    expect(listed.models).toEqual([
      expect.objectContaining({ name: 'topics', modality: 'text', backbone: 'use-lite' }),
    ])
  })

  it('train on text catalog items and predict by content id', async () => {
    await seedTextCatalog('text-models-items')
    const examples = [0, 1, 2].flatMap((n) => [
      { item: `cooking-${n}`, label: 'food' },
      { item: `football-${n}`, label: 'sport' },
    ])
    const heldOut = TOPIC_SENTENCES.football[3]!
    await postJson('/embed', { text: heldOut }, 'text-models-items')

    const trained = await postJson('/train', { model: 'kinds', examples }, 'text-models-items')
    const response = await predict('text-models-items', 'kinds', {
      contentId: await textContentId(heldOut),
    })
    const body = (await response.json()) as PredictBody

    expect(trained.status).toBe(201)
    expect(((await trained.json()) as ModelBody).modality).toBe('text')
    expect(response.status).toBe(200)
    expect(body.label).toBe('sport')
  })

  it('reject a training set mixing texts and images with 400', async () => {
    const image = await putFeatures('text-models-mixed', 'photo', clusterFeatures(0, 1))
    const examples = [...topicExamples(1), { contentId: image, label: 'photo' }]

    const response = await postJson('/train', { model: 'mixed', examples }, 'text-models-mixed')
    const body = (await response.json()) as ErrorBody
    const stored = await send('/models/mixed', 'text-models-mixed')

    expect(response.status).toBe(400)
    expect(body.error.code).toBe('mixed_modalities')
    expect(body.error.message).toContain('examples[3]')
    expect(body.error.message).toContain('image (mobilenetv2-12-int8)')
    expect(body.error.message).toContain('send examples of one modality per request')
    expect(stored.status).toBe(404)
  })

  it('reject probability features for texts with 400', async () => {
    const response = await postJson(
      '/train',
      { model: 'probs', examples: topicExamples(1), features: 'probabilities' },
      'text-models-b',
    )

    expect(response.status).toBe(400)
    expect(((await response.json()) as ErrorBody).error.code).toBe('invalid_request')
  })

  it('reject more inline texts than the limit with 413', async () => {
    const examples = Array.from({ length: MAX_TRAIN_TEXTS + 1 }, (_, i) => ({
      text: `sentence number ${i}`,
      label: i % 2 === 0 ? 'even' : 'odd',
    }))

    const response = await postJson('/train', { model: 'many', examples }, 'text-models-b')

    expect(response.status).toBe(413)
    expect(((await response.json()) as ErrorBody).error.code).toBe('payload_too_large')
  })

  it('reject images sent to a text model with 409', async () => {
    await postJson('/train', { model: 'topics', examples: topicExamples(2) }, 'text-models-c')
    const image = await putFeatures('text-models-c', 'photo', clusterFeatures(1, 1))

    const byContentId = await predict('text-models-c', 'topics', { contentId: image })
    // The modality is checked before decoding, so the JPEG signature alone stands for an image.
    const upload = await request('/models/topics/predict', {
      method: 'POST',
      body: new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0, 16, 74, 70, 73, 70]),
      headers: { 'Content-Type': 'image/jpeg', [TENANT_HEADER]: 'text-models-c' },
    })
    const error = (await byContentId.json()) as ErrorBody

    expect(byContentId.status).toBe(409)
    expect(error.error.code).toBe('modality_mismatch')
    expect(error.error.message).toContain('text (use-lite)')
    expect(upload.status).toBe(409)
    expect(((await upload.json()) as ErrorBody).error.code).toBe('modality_mismatch')
  })

  it('reject JSON sent without its Content-Type with 415, not as an image', async () => {
    await postJson('/train', { model: 'topics', examples: topicExamples(2) }, 'text-models-h')

    const response = await request('/models/topics/predict', {
      method: 'POST',
      body: JSON.stringify({ text: TOPIC_SENTENCES.cooking[4] }),
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        [TENANT_HEADER]: 'text-models-h',
      },
    })
    const error = (await response.json()) as ErrorBody

    expect(response.status).toBe(415)
    expect(error.error.code).toBe('unsupported_format')
    expect(error.error.message).toContain('Content-Type: application/json')
  })

  it('reject two examples with the same content', async () => {
    const [contentId] = await embedAll('text-models-g', ['fine day'])
    const pairs = [
      ['a ligature and its letters', { text: '\ufb01ne day' }, { text: 'fine day' }],
      ['NFC and NFD forms', { text: 'caf\u00e9 ok' }, { text: 'cafe\u0301 ok' }],
      ['a text and its content id', { text: 'fine day' }, { contentId }],
    ] as const

    for (const [name, first, second] of pairs) {
      const response = await postJson(
        '/train',
        {
          model: 'repeats',
          examples: [
            { ...first, label: 'a' },
            { ...second, label: 'b' },
            { text: 'other words', label: 'a' },
          ],
        },
        'text-models-g',
      )
      const error = (await response.json()) as ErrorBody

      expect(response.status, name).toBe(400)
      expect(error.error.message, name).toContain('examples[1] has the same content as examples[0]')
    }
  })

  it('reject texts sent to an image model with 409', async () => {
    const examples = []
    for (const cluster of [0, 1]) {
      for (let n = 0; n < 4; n++) {
        const contentId = await putFeatures(
          'text-models-d',
          `${cluster}/${n}`,
          clusterFeatures(cluster, n),
        )
        examples.push({ contentId, label: `cluster-${cluster}` })
      }
    }
    const trained = (await (
      await postJson('/train', { model: 'clusters', examples }, 'text-models-d')
    ).json()) as ModelBody
    await postJson('/embed', { text: 'A short note.' }, 'text-models-d')

    const byText = await predict('text-models-d', 'clusters', { text: 'A short note.' })
    const byContentId = await predict('text-models-d', 'clusters', {
      contentId: await textContentId('A short note.'),
    })

    expect(trained.modality).toBe('image')
    expect(trained.backbone).toBe('mobilenetv2-12-int8')
    expect(byText.status).toBe(409)
    expect(((await byText.json()) as ErrorBody).error.code).toBe('modality_mismatch')
    expect(byContentId.status).toBe(409)
    expect(((await byContentId.json()) as ErrorBody).error.code).toBe('modality_mismatch')
  })

  it('reject a forest header of another backbone with 409', async () => {
    const random = seededRandom(5)
    const features = Array.from({ length: 8 }, () => Float32Array.from({ length: 512 }, random))
    const labels = features.map((_, i) => (i % 2 === 0 ? 'even' : 'odd'))
    const trainer = buildTrainer(
      { features, labels },
      CLASSIFIER_OPTIONS,
      IMAGE_MODEL_ID,
      'embedding',
    )
    // The summary claims text vectors, but the forest header names the image backbone.
    await new ClassifierStore(env.MODELS, 'text-models-header').put(
      {
        name: 'relabelled',
        modality: 'text',
        backbone: 'use-lite',
        featureKind: 'embedding',
        classes: ['even', 'odd'],
        counts: { even: 4, odd: 4 },
        outOfBagAccuracy: null,
        trainedAt: new Date().toISOString(),
      },
      encodeForest(trainer.forest),
    )

    const response = await predict('text-models-header', 'relabelled', { text: 'A short note.' })
    const body = (await response.json()) as ErrorBody

    expect(response.status).toBe(409)
    expect(body.error.code).toBe('modality_mismatch')
    expect(body.error.message).toContain(`backbone ${IMAGE_MODEL_ID}`)
  })

  it('stay with their tenant', async () => {
    await postJson('/train', { model: 'topics', examples: topicExamples(2) }, 'text-models-e')

    const other = await predict('text-models-f', 'topics', { text: 'Bake the bread.' })

    expect(other.status).toBe(404)
  })
})

describe.skipIf(!HAS_DATA)('text classifiers on labelled sentences', () => {
  it('tell positive from negative reviews they did not see', async () => {
    const rows = parseCsv(
      new TextDecoder().decode(await readFixture('text_sentiment/sentences.csv')),
    ).filter((row) => row.domain === 'yelp')
    const byLabel = (label: string) => rows.filter((row) => row.label === label)
    const train = [...byLabel('positive').slice(0, 60), ...byLabel('negative').slice(0, 60)]
    const test = [...byLabel('positive').slice(60, 80), ...byLabel('negative').slice(60, 80)]
    const trainIds = await embedAll(
      'text-sentiment',
      train.map((row) => row.text!),
    )
    const testIds = await embedAll(
      'text-sentiment',
      test.map((row) => row.text!),
    )

    const trained = await postJson(
      '/train',
      {
        model: 'sentiment',
        examples: trainIds.map((contentId, i) => ({ contentId, label: train[i]!.label })),
      },
      'text-sentiment',
    )
    let correct = 0
    for (const [i, contentId] of testIds.entries()) {
      const body = (await (
        await predict('text-sentiment', 'sentiment', { contentId })
      ).json()) as PredictBody
      if (body.label === test[i]!.label) correct++
    }

    expect(trained.status).toBe(201)
    expect(((await trained.json()) as ModelBody).modality).toBe('text')
    // Chance is 0.5 on the 40 held-out sentences, balanced by label.
    expect(correct / testIds.length).toBeGreaterThanOrEqual(0.7)
  })
})
