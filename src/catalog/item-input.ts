import { isContentId } from '../embedding/content-id'
import { FeatureForestError } from '../errors'
import { requireId } from '../http/ids'

/** Most items one POST /items/bulk request may add; each costs one KV read of its vectors. */
export const BULK_MAX_ITEMS = 250

/** Largest accepted item metadata, as JSON, in bytes. */
export const MAX_METADATA_BYTES = 4096

/** An item to add by the content id of an image already embedded. */
export interface ItemInput {
  id?: string
  contentId: string
  metadata: Record<string, unknown> | null
}

/** Reads one item of a JSON body; `where` names it in error messages. */
export function parseItemInput(value: unknown, where = 'body'): ItemInput {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(
      `${where} must be a JSON object with "contentId", and optional "id" and "metadata"`,
    )
  }
  const { id, contentId, metadata } = value as Record<string, unknown>
  if (typeof contentId !== 'string' || !isContentId(contentId)) {
    throw invalid(
      `${where}.contentId ${JSON.stringify(contentId)?.slice(0, 80)} is not a content id; ` +
        'use the 64 hex digits that POST /embed returns',
    )
  }
  return {
    ...(id !== undefined && { id: requireId(id, `${where}.id`) }),
    contentId,
    metadata: parseMetadata(metadata, `${where}.metadata`),
  }
}

/** Reads item metadata: absent, null or a JSON object of at most MAX_METADATA_BYTES. */
export function parseMetadata(value: unknown, where: string): Record<string, unknown> | null {
  if (value === undefined || value === null) return null
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw invalid(`${where} must be a JSON object`)
  }
  const bytes = new TextEncoder().encode(JSON.stringify(value)).length
  if (bytes > MAX_METADATA_BYTES) {
    throw invalid(`${where} is ${bytes} bytes of JSON; the limit is ${MAX_METADATA_BYTES}`)
  }
  return value as Record<string, unknown>
}

/** Reads the body of POST /items/bulk: `{ items: [...] }` of 1 to BULK_MAX_ITEMS items. */
export function parseBulkInput(value: unknown): ItemInput[] {
  const items = (value as { items?: unknown } | null)?.items
  if (!Array.isArray(items) || items.length === 0 || items.length > BULK_MAX_ITEMS) {
    throw invalid(`body must be { "items": [...] } with 1 to ${BULK_MAX_ITEMS} items`)
  }
  const parsed = items.map((item, i) => parseItemInput(item, `items[${i}]`))
  const seen = new Set<string>()
  for (const item of parsed) {
    const id = item.id ?? item.contentId
    if (seen.has(id)) throw invalid(`item id ${id} appears twice in the request`)
    seen.add(id)
  }
  return parsed
}

function invalid(message: string): FeatureForestError {
  return new FeatureForestError('invalid_request', message)
}
