import { Hono, type Context } from 'hono'

import {
  addItemInputs,
  addUploadedItem,
  declareCatalogSpace,
  deleteItem,
  getItem,
} from '../catalog/catalog-service'
import type { CatalogManifest } from '../catalog/types'
import { IMAGE_SPACE, TEXT_SPACE } from '../catalog/vector-space'
import { parseBulkInput, parseItemInput, parseMetadata, parseTags } from '../catalog/item-input'
import { tenantDeps } from '../deps'
import type { AppEnv } from '../env'
import { FeatureForestError } from '../errors'
import { ID_PATTERN, requireId } from '../http/ids'
import { isJsonRequest, readImageUpload } from '../http/image-body'
import { integerQuery, readJsonBody, rejectUnknownFields, showJsonValue } from '../http/json-body'
import { issuePageCursor, readCursor, type Listing } from '../http/list-cursor'
import { methodNotAllowed } from '../http/method-not-allowed'
import { queryParameters } from '../http/query'

/** Default and maximum page size of GET /items. */
const DEFAULT_PAGE_SIZE = 100
const MAX_PAGE_SIZE = 1000

/** The listing of GET /items, whose storage cursors are the id of the last item of a page. */
const ITEM_LISTING: Listing = { name: 'items', storageCursor: ID_PATTERN }

/** Query parameters and form fields of an image upload besides the image. */
const UPLOAD_PARAMETERS = ['id', 'metadata', 'tags']

/**
 * Parses a JSON field of an image upload (a form field or query parameter) with `parse`. Absent
 * text gives null.
 */
function uploadJson<T>(
  text: string | undefined,
  name: string,
  parse: (value: unknown, where: string) => T | null,
): T | null {
  if (text === undefined) return null
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    throw new FeatureForestError('invalid_request', `${name} is not valid JSON`)
  }
  return parse(value, name)
}

/** Rejects the upload's query parameters on a JSON request, whose body carries them. */
function rejectUploadQuery(c: Context<AppEnv>): void {
  const present = UPLOAD_PARAMETERS.filter((name) => c.req.query(name) !== undefined)
  if (present.length === 0) return
  if (present.length === 1) {
    throw new FeatureForestError(
      'invalid_request',
      `query parameter ${present[0]} applies to image uploads; put it in the JSON body instead`,
    )
  }
  const names = `${present.slice(0, -1).join(', ')} and ${present[present.length - 1]}`
  throw new FeatureForestError(
    'invalid_request',
    `query parameters ${names} apply to image uploads; put them in the JSON body instead`,
  )
}

/** Routes of the catalog: items that recommendations are drawn from. */
export function itemRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>()

  routes.post('/items', queryParameters(...UPLOAD_PARAMETERS), async (c) => {
    const deps = tenantDeps(c.env, c.get('tenant'))
    if (isJsonRequest(c)) {
      rejectUploadQuery(c)
      const input = parseItemInput(await readJsonBody(c))
      const [added] = await addItemInputs(deps, [input])
      return c.json(added!, added!.created ? 201 : 200)
    }
    const upload = await readImageUpload(c)
    const id = upload.fields.get('id') ?? c.req.query('id')
    const field = (name: string) => upload.fields.get(name) ?? c.req.query(name)
    const added = await addUploadedItem(deps, upload.bytes, {
      ...(id !== undefined && { id: requireId(id, 'id') }),
      metadata: uploadJson(field('metadata'), 'metadata', parseMetadata),
      tags: uploadJson(field('tags'), 'tags', parseTags),
    })
    return c.json(added, added.created ? 201 : 200)
  })

  routes.get('/items', queryParameters('limit', 'cursor'), async (c) => {
    const limit = integerQuery(c.req.query('limit'), 'limit', DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE)
    const tenant = c.get('tenant')
    const cursor = await readCursor(ITEM_LISTING, tenant, c.req.query('cursor'))
    const { index } = tenantDeps(c.env, tenant)
    return c.json(await issuePageCursor(ITEM_LISTING, tenant, await index.listItems(cursor, limit)))
  })
  routes.all('/items', () => methodNotAllowed('GET', 'POST'))

  routes.post('/items/bulk', queryParameters(), async (c) => {
    const inputs = parseBulkInput(await readJsonBody(c))
    const added = await addItemInputs(tenantDeps(c.env, c.get('tenant')), inputs)
    const created = added.filter((entry) => entry.created).length
    return c.json({ items: added, created }, created > 0 ? 201 : 200)
  })
  routes.all('/items/bulk', () => methodNotAllowed('POST'))

  routes.get('/items/:id', queryParameters(), async (c) => {
    const id = requireId(c.req.param('id'), 'item id')
    return c.json({ item: await getItem(tenantDeps(c.env, c.get('tenant')), id) })
  })

  routes.delete('/items/:id', queryParameters(), async (c) => {
    const id = requireId(c.req.param('id'), 'item id')
    await deleteItem(tenantDeps(c.env, c.get('tenant')), id)
    return c.body(null, 204)
  })
  routes.all('/items/:id', () => methodNotAllowed('GET', 'DELETE'))

  routes.get('/catalog', queryParameters(), async (c) => {
    const { index, tenant } = tenantDeps(c.env, c.get('tenant'))
    return c.json(catalogSummary((await index.getManifest(tenant)) as CatalogManifest))
  })
  routes.put('/catalog', queryParameters(), async (c) => {
    const body = await readJsonBody(c)
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new FeatureForestError(
        'invalid_request',
        'body must be a JSON object { "modality": "image" } or { "modality": "text" }',
      )
    }
    rejectUnknownFields(body, ['modality'], 'body')
    const { modality } = body as { modality?: unknown }
    if (modality !== 'image' && modality !== 'text') {
      const problem =
        modality === undefined ? 'is missing' : `${showJsonValue(modality)} is invalid`
      throw new FeatureForestError(
        'invalid_request',
        `modality ${problem}; send { "modality": "image" } or { "modality": "text" }`,
      )
    }
    const deps = tenantDeps(c.env, c.get('tenant'))
    await declareCatalogSpace(deps, modality === 'image' ? IMAGE_SPACE : TEXT_SPACE)
    return c.json(catalogSummary((await deps.index.getManifest(deps.tenant)) as CatalogManifest))
  })
  routes.all('/catalog', () => methodNotAllowed('GET', 'PUT'))

  return routes
}

/** The catalog as GET /catalog returns it: its space and size, null fields before a declaration. */
function catalogSummary(manifest: CatalogManifest) {
  return {
    modality: manifest.space?.modality ?? null,
    backbone: manifest.space?.backbone ?? null,
    dimensions: manifest.space && manifest.dimensions > 0 ? manifest.dimensions : null,
    itemCount: manifest.itemCount,
  }
}
