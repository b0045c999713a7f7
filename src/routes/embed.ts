import { Hono, type Context } from 'hono'
import { bodyLimit } from 'hono/body-limit'

import { IMAGE_MODEL_ID } from '../backbone/image-backbone'
import { topClasses } from '../backbone/imagenet'
import { isContentId } from '../embedding/content-id'
import { embedImage, type StageTimings } from '../embedding/embed-image'
import type { AppEnv } from '../env'
import { FeatureForestError } from '../errors'
import { methodNotAllowed } from '../http/method-not-allowed'
import { FeatureStore, type StoredImageFeatures } from '../storage/feature-store'

/** Largest accepted request body, in bytes. */
export const MAX_UPLOAD_BYTES = 16 * 1024 * 1024

/** Multipart form field that carries the image. */
const IMAGE_FIELD = 'image'

const INCLUDE_VALUES = ['vectors'] as const

/** Reads the `include` query parameter: a comma-separated subset of INCLUDE_VALUES. */
function parseInclude(c: Context<AppEnv>): Set<string> {
  const values = (c.req.query('include') ?? '').split(',').filter((value) => value !== '')
  for (const value of values) {
    if (!(INCLUDE_VALUES as readonly string[]).includes(value)) {
      throw new FeatureForestError(
        'invalid_request',
        `include "${value}" is not supported; use include=${INCLUDE_VALUES.join(',')}`,
      )
    }
  }
  return new Set(values)
}

/** Returns the uploaded image bytes: a multipart field `image`, or the raw request body. */
async function readImageBytes(c: Context<AppEnv>): Promise<Uint8Array> {
  const contentType = c.req.header('Content-Type') ?? ''
  let bytes: Uint8Array
  if (contentType.toLowerCase().startsWith('multipart/form-data')) {
    const form = await c.req.formData().catch(() => {
      throw new FeatureForestError('invalid_request', 'multipart body could not be parsed')
    })
    const file = form.get(IMAGE_FIELD)
    if (!(file instanceof File)) {
      throw new FeatureForestError(
        'invalid_request',
        `multipart body has no file field "${IMAGE_FIELD}"; send the image in a field named "${IMAGE_FIELD}"`,
      )
    }
    bytes = new Uint8Array(await file.arrayBuffer())
  } else {
    bytes = new Uint8Array(await c.req.arrayBuffer())
  }
  if (bytes.length === 0) {
    throw new FeatureForestError(
      'invalid_request',
      `request body is empty; send the image bytes, or a multipart field "${IMAGE_FIELD}"`,
    )
  }
  return bytes
}

function serverTiming(timings: StageTimings): string {
  return Object.entries(timings)
    .map(([stage, ms]) => `${stage};dur=${(ms as number).toFixed(1)}`)
    .join(', ')
}

/** The JSON shape shared by POST /embed and GET /embeddings/{id}. */
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

/** Routes that turn images into feature vectors and read stored vectors. */
export function embedRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>()

  routes.post(
    '/embed',
    bodyLimit({
      maxSize: MAX_UPLOAD_BYTES,
      onError: () => {
        throw new FeatureForestError(
          'payload_too_large',
          `request body is larger than ${MAX_UPLOAD_BYTES} bytes`,
        )
      },
    }),
    async (c) => {
      const include = parseInclude(c)
      const bytes = await readImageBytes(c)

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
    },
  )

  routes.all('/embed', () => methodNotAllowed('POST'))

  routes.get('/embeddings/:id', async (c) => {
    const contentId = c.req.param('id')
    const include = new Set(['vectors'])
    if (!isContentId(contentId)) {
      throw new FeatureForestError(
        'invalid_request',
        `"${contentId.slice(0, 80)}" is not a content id; use the 64 hex digits that POST /embed returns`,
      )
    }

    const store = new FeatureStore(c.env.FEATURES, c.get('tenant'))
    const features = await store.get(IMAGE_MODEL_ID, contentId)

    if (!features) {
      throw new FeatureForestError(
        'not_found',
        `no vectors for content id ${contentId} under model ${IMAGE_MODEL_ID}; embed the image with POST /embed first`,
      )
    }
    return c.json(featuresBody(contentId, features, include))
  })
  routes.all('/embeddings/:id', () => methodNotAllowed('GET'))

  return routes
}
