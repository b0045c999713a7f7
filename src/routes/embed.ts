import { Hono, type Context } from 'hono'

import { IMAGE_MODEL_ID } from '../backbone/image-backbone'
import { topClasses } from '../backbone/imagenet'
import { TEXT_MODEL_ID } from '../backbone/text-encoder'
import { isContentId } from '../embedding/content-id'
import { embedImage, type StageTimings } from '../embedding/embed-image'
import { embedTexts, type TextEmbedding, type TextStageTimings } from '../embedding/embed-text'
import type { AppEnv } from '../env'
import { FeatureForestError } from '../errors'
import { excerpt } from '../http/excerpt'
import { isJsonRequest, readImageUpload } from '../http/image-body'
import { readJsonBody } from '../http/json-body'
import { methodNotAllowed } from '../http/method-not-allowed'
import { queryParameters } from '../http/query'
import { FeatureStore, type StoredImageFeatures } from '../storage/feature-store'
import { TextFeatureStore, type StoredTextFeatures } from '../storage/text-feature-store'
import { parseTextInput } from '../text/text-input'

const INCLUDE_VALUES = ['vectors'] as const

/** Reads the `include` query parameter: a comma-separated subset of INCLUDE_VALUES. */
function parseInclude(c: Context<AppEnv>): Set<string> {
  const values = (c.req.query('include') ?? '').split(',').filter((value) => value !== '')
  for (const value of values) {
    if (!(INCLUDE_VALUES as readonly string[]).includes(value)) {
      throw new FeatureForestError(
        'invalid_request',
        `include "${excerpt(value, 40)}" is not supported; use include=${INCLUDE_VALUES.join(',')}`,
      )
    }
  }
  return new Set(values)
}

function serverTiming(timings: StageTimings | TextStageTimings): string {
  return Object.entries(timings)
    .map(([stage, ms]) => `${stage};dur=${(ms as number).toFixed(1)}`)
    .join(', ')
}

/** Builds the JSON body shared by POST /embed and GET /embeddings/{id}. */
function featuresBody(
  contentId: string,
  features: StoredImageFeatures,
  include: Set<string>,
): Record<string, unknown> {
  return {
    id: contentId,
    model: IMAGE_MODEL_ID,
    image: features.source,
    dimensions: {
      probabilities: features.probabilities.length,
      embedding: features.embedding.length,
    },
    labels: topClasses(features.probabilities, 5),
    createdAt: features.createdAt,
    ...(include.has('vectors') && {
      vectors: {
        probabilities: Array.from(features.probabilities),
        embedding: Array.from(features.embedding),
      },
    }),
  }
}

/** Builds the JSON body of one text embedding, shared by POST /embed and GET /embeddings/{id}. */
function textFeaturesBody(
  contentId: string,
  features: StoredTextFeatures,
  include: Set<string>,
): Record<string, unknown> {
  return {
    id: contentId,
    model: TEXT_MODEL_ID,
    kind: 'text',
    dimensions: { embedding: features.embedding.length },
    tokens: features.tokens,
    truncated: features.truncated,
    createdAt: features.createdAt,
    ...(include.has('vectors') && { vectors: { embedding: Array.from(features.embedding) } }),
  }
}

/** Embeds the texts of a JSON body: `{ text }` returns one object, `{ texts }` `{ items }`. */
async function embedTextRequest(c: Context<AppEnv>, include: Set<string>): Promise<Response> {
  const input = parseTextInput(await readJsonBody(c))
  const store = new TextFeatureStore(c.env.FEATURES, c.get('tenant'))
  const { items, timings } = await embedTexts(input.texts, store)

  const itemBody = (item: TextEmbedding) => ({
    ...textFeaturesBody(item.contentId, item.features, include),
    cached: item.cached,
  })
  const status = items.every((item) => item.cached) ? 200 : 201
  c.header('Server-Timing', serverTiming(timings))
  if (!input.batch) return c.json(itemBody(items[0]!), status)
  return c.json({ items: items.map(itemBody) }, status)
}

/** Models whose stored vectors GET /embeddings/{id} can return, in lookup order. */
const STORED_MODELS = [IMAGE_MODEL_ID, TEXT_MODEL_ID]

/** Reads the optional `model` query parameter of GET /embeddings/{id}. */
function parseModelQuery(c: Context<AppEnv>): string[] {
  const model = c.req.query('model')
  if (model === undefined || model === '') return STORED_MODELS
  if (!STORED_MODELS.includes(model)) {
    throw new FeatureForestError(
      'invalid_request',
      `model "${excerpt(model, 80)}" is not known; use model=${STORED_MODELS.join(' or model=')}`,
    )
  }
  return [model]
}

/** Returns the body of the first stored vectors of `contentId` among `models`. */
async function findStoredFeatures(
  c: Context<AppEnv>,
  contentId: string,
  models: string[],
): Promise<Record<string, unknown> | undefined> {
  const include = new Set(['vectors'])
  const tenant = c.get('tenant')
  for (const model of models) {
    if (model === TEXT_MODEL_ID) {
      const features = await new TextFeatureStore(c.env.FEATURES, tenant).get(model, contentId)
      if (features) return textFeaturesBody(contentId, features, include)
    } else {
      const features = await new FeatureStore(c.env.FEATURES, tenant).get(model, contentId)
      if (features) return featuresBody(contentId, features, include)
    }
  }
  return undefined
}

/** Routes that turn images and texts into feature vectors and read stored vectors. */
export function embedRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>()

  routes.post('/embed', queryParameters('include'), async (c) => {
    const include = parseInclude(c)
    if (isJsonRequest(c)) return embedTextRequest(c, include)
    const bytes = (await readImageUpload(c)).bytes

    const store = new FeatureStore(c.env.FEATURES, c.get('tenant'))
    const embedding = await embedImage(bytes, store)

    c.header('Server-Timing', serverTiming(embedding.timings))
    return c.json(
      {
        ...featuresBody(embedding.contentId, embedding.features, include),
        cached: embedding.cached,
      },
      embedding.cached ? 200 : 201,
    )
  })

  routes.all('/embed', () => methodNotAllowed('POST'))

  routes.get('/embeddings/:id', queryParameters('model', 'include'), async (c) => {
    const contentId = c.req.param('id')
    const models = parseModelQuery(c)
    // The vectors are returned in any case. `include` is still checked, so that a query copied
    // from POST /embed works and a wrong value is reported.
    parseInclude(c)
    if (!isContentId(contentId)) {
      throw new FeatureForestError(
        'invalid_request',
        `"${excerpt(contentId, 80)}" is not a content id; use the 64 hex digits that POST /embed returns`,
      )
    }

    const body = await findStoredFeatures(c, contentId, models)

    if (!body) {
      throw new FeatureForestError(
        'not_found',
        `no vectors for content id ${contentId} under model ${models.join(' or ')}; embed the image or text with POST /embed first`,
      )
    }
    return c.json(body)
  })
  routes.all('/embeddings/:id', () => methodNotAllowed('GET'))

  return routes
}
