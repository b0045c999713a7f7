import { Hono } from 'hono'

import { tenantDeps } from '../deps'
import { isContentId } from '../embedding/content-id'
import type { AppEnv } from '../env'
import { FeatureForestError } from '../errors'
import { requireId } from '../http/ids'
import { isJsonRequest, readImageUpload } from '../http/image-body'
import { integerQuery, readJsonBody, rejectUnknownFields, showJsonValue } from '../http/json-body'
import { issuePageCursor, readCursor, type Listing } from '../http/list-cursor'
import { methodNotAllowed } from '../http/method-not-allowed'
import { queryParameters } from '../http/query'
import {
  deleteClassifier,
  getClassifier,
  predictWithClassifier,
  trainClassifier,
  type ExampleSource,
  type TrainRequest,
} from '../learning/classifier-service'
import { FEATURE_KINDS, type FeatureKind } from '../learning/classifier-training'
import { countCodePoints, isBlank, MAX_BATCH_TEXTS, parseText } from '../text/text-input'

/**
 * Limits of POST /train. Each example costs one KV read, so 500 stay within the 1,000 KV
 * operations of a request. The class and label limits keep the model summary, stored as R2
 * custom metadata, inside R2's 8,192-byte limit unless many labels use long UTF-8 sequences or
 * JSON escapes; checkSummarySize rejects those before training.
 */
export const MAX_TRAIN_EXAMPLES = 500
export const MAX_CLASSES = 32
export const MAX_LABEL_LENGTH = 32

/**
 * Maximum number of examples given as text in one POST /train request: the batch limit of POST /embed,
 * because each new text runs the encoder inside the request.
 */
export const MAX_TRAIN_TEXTS = MAX_BATCH_TEXTS

/** The listing of GET /models, whose storage cursors are R2 list cursors: base64 or base64url. */
const MODEL_LISTING: Listing = { name: 'models', storageCursor: /^[A-Za-z0-9+/=_-]{1,2048}$/ }

/** Characters a label may not hold: C0 and C1 controls and unpaired UTF-16 surrogates. */
const LABEL_FORBIDDEN = /[\p{Cc}\p{Cs}]/u

function invalid(message: string): FeatureForestError {
  return new FeatureForestError('invalid_request', message)
}

/**
 * Returns `value` when it is a valid class label: 1 to MAX_LABEL_LENGTH characters, at least one
 * of them visible. `where` names it in messages.
 */
function parseLabel(value: unknown, where: string): string {
  if (typeof value !== 'string' || isBlank(value)) {
    throw invalid(`${where} must be a string with a visible character; send a class name`)
  }
  // Control characters and unpaired surrogates are escaped as 6 bytes each in the stored
  // summary, which could then exceed the size of R2 custom metadata.
  if (LABEL_FORBIDDEN.test(value)) {
    throw invalid(
      `${where} contains a control character or an unpaired surrogate; use printable text`,
    )
  }
  const characters = countCodePoints(value)
  if (characters > MAX_LABEL_LENGTH) {
    throw invalid(`${where} has ${characters} characters; the limit is ${MAX_LABEL_LENGTH}`)
  }
  return value
}

/**
 * Reads `{ contentId }`, `{ item }` or `{ text }`; `where` names the value in error messages.
 * A text follows the rules of POST /embed: 1 to 10,000 characters, not only white space.
 */
function parseSource(value: Record<string, unknown>, where: string): ExampleSource {
  const given = ['contentId', 'item', 'text'].filter((key) => value[key] !== undefined)
  if (given.length > 1) {
    throw invalid(`${where} has ${given.join(' and ')}; send one of "contentId", "item", "text"`)
  }
  if (value.text !== undefined) return { text: parseText(value.text, `${where}.text`) }
  if (value.contentId !== undefined) {
    if (typeof value.contentId !== 'string' || !isContentId(value.contentId)) {
      throw invalid(`${where}.contentId is not a content id; use the 64 hex digits of POST /embed`)
    }
    return { contentId: value.contentId }
  }
  if (value.item !== undefined) return { item: requireId(value.item, `${where}.item`) }
  throw invalid(`${where} needs "contentId", "item" or "text"`)
}

function parseTrainRequest(body: unknown): TrainRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalid('body must be a JSON object { "model", "examples", "features" }')
  }
  rejectUnknownFields(body, ['model', 'examples', 'features'], 'body')
  const { model, examples, features } = body as Record<string, unknown>
  const name = requireId(model, 'model')
  if (features !== undefined && !FEATURE_KINDS.includes(features as FeatureKind)) {
    throw invalid(`features ${showJsonValue(features)} is invalid; use ${FEATURE_KINDS.join(', ')}`)
  }
  if (!Array.isArray(examples) || examples.length < 2 || examples.length > MAX_TRAIN_EXAMPLES) {
    throw invalid(`examples must be a list of 2 to ${MAX_TRAIN_EXAMPLES} labelled examples`)
  }
  const parsed = examples.map((example: unknown, i) => {
    const where = `examples[${i}]`
    if (typeof example !== 'object' || example === null || Array.isArray(example)) {
      throw invalid(`${where} must be an object`)
    }
    rejectUnknownFields(example, ['contentId', 'item', 'text', 'label'], where)
    const label = parseLabel((example as Record<string, unknown>).label, `${where}.label`)
    return { source: parseSource(example as Record<string, unknown>, where), label }
  })
  const texts = parsed.filter(({ source }) => 'text' in source).length
  if (texts > MAX_TRAIN_TEXTS) {
    throw new FeatureForestError(
      'payload_too_large',
      `examples hold ${texts} texts; the limit is ${MAX_TRAIN_TEXTS} per request, so embed ` +
        'them with POST /embed first and send their content ids',
    )
  }
  const firstIndex = new Map<string, number>()
  parsed.forEach(({ source }, i) => {
    const key = Object.entries(source)[0]!.join(':')
    const earlier = firstIndex.get(key)
    if (earlier !== undefined) {
      throw invalid(
        `examples[${i}] repeats the example of examples[${earlier}]; give each once, with one label`,
      )
    }
    firstIndex.set(key, i)
  })
  const classes = new Set(parsed.map((example) => example.label))
  if (classes.size < 2 || classes.size > MAX_CLASSES) {
    throw invalid(`examples have ${classes.size} labels; a classifier needs 2 to ${MAX_CLASSES}`)
  }
  return {
    name,
    examples: parsed,
    ...(features !== undefined && { features: features as FeatureKind }),
  }
}

/** Routes that train named classifiers and predict with them. */
export function modelRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>()

  routes.post('/train', queryParameters(), async (c) => {
    const request = parseTrainRequest(await readJsonBody(c))
    const result = await trainClassifier(tenantDeps(c.env, c.get('tenant')), request)
    return c.json(result, 201)
  })
  routes.all('/train', () => methodNotAllowed('POST'))

  routes.get('/models', queryParameters('limit', 'cursor'), async (c) => {
    const limit = integerQuery(c.req.query('limit'), 'limit', 100, 1, 1000)
    const tenant = c.get('tenant')
    const cursor = await readCursor(MODEL_LISTING, tenant, c.req.query('cursor'))
    const { classifiers } = tenantDeps(c.env, tenant)
    return c.json(
      await issuePageCursor(MODEL_LISTING, tenant, await classifiers.list(cursor, limit)),
    )
  })
  routes.all('/models', () => methodNotAllowed('GET'))

  routes.post('/models/:name/predict', queryParameters(), async (c) => {
    const name = requireId(c.req.param('name'), 'model')
    const deps = tenantDeps(c.env, c.get('tenant'))
    if (isJsonRequest(c)) {
      const body = await readJsonBody(c)
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        throw invalid('body must be a JSON object { "text" }, { "contentId" } or { "item" }')
      }
      rejectUnknownFields(body, ['contentId', 'item', 'text'], 'body')
      const source = parseSource(body as Record<string, unknown>, 'body')
      return c.json(await predictWithClassifier(deps, name, source))
    }
    const { bytes } = await readImageUpload(c)
    return c.json(await predictWithClassifier(deps, name, { bytes }))
  })
  routes.all('/models/:name/predict', () => methodNotAllowed('POST'))

  routes.get('/models/:name', queryParameters(), async (c) => {
    const name = requireId(c.req.param('name'), 'model')
    return c.json(await getClassifier(tenantDeps(c.env, c.get('tenant')), name))
  })

  routes.delete('/models/:name', queryParameters(), async (c) => {
    const name = requireId(c.req.param('name'), 'model')
    await deleteClassifier(tenantDeps(c.env, c.get('tenant')), name)
    return c.body(null, 204)
  })
  routes.all('/models/:name', () => methodNotAllowed('GET', 'DELETE'))

  return routes
}
