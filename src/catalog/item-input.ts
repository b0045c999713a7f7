import { isContentId } from '../embedding/content-id'
import { FeatureForestError } from '../errors'
import { excerpt } from '../http/excerpt'
import { requireId } from '../http/ids'
import { rejectUnknownFields, showJsonValue } from '../http/json-body'
import { MAX_BATCH_TEXTS, parseText } from '../text/text-input'

/** Most items one POST /items/bulk request may add; each costs one KV read of its vectors. */
export const BULK_MAX_ITEMS = 250

/**
 * Maximum number of items given as text in one POST /items/bulk request: the batch limit of POST /embed,
 * because each new text runs the encoder inside the request.
 */
export const BULK_MAX_TEXTS = MAX_BATCH_TEXTS

/** Largest accepted item metadata, as JSON, in bytes. */
export const MAX_METADATA_BYTES = 4096

/** Maximum number of tags on one item. */
export const MAX_TAGS = 32

/** Maximum length of a tag, in characters (code points). */
export const MAX_TAG_LENGTH = 64

/**
 * An item to add: by the content id of an image or text embedded before, or by its text. `tags`
 * is null when the request gave none, which keeps the tags of an item added before.
 */
export type ItemInput = {
  id?: string
  metadata: Record<string, unknown> | null
  tags: string[] | null
} & ({ contentId: string } | { text: string })

const ITEM_SHAPE =
  'a JSON object with "contentId" or "text", and optional "id", "metadata" and "tags"'

/** Reads one item of a JSON body; `where` names it in error messages. */
export function parseItemInput(value: unknown, where = 'body'): ItemInput {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(`${where} must be ${ITEM_SHAPE}`)
  }
  rejectUnknownFields(value, ['id', 'contentId', 'text', 'metadata', 'tags'], where)
  const { id, contentId, text, metadata, tags } = value as Record<string, unknown>
  const common = {
    ...(id !== undefined && { id: requireId(id, `${where}.id`) }),
    metadata: parseMetadata(metadata, `${where}.metadata`),
    tags: parseTags(tags, `${where}.tags`),
  }
  if (text !== undefined && contentId !== undefined) {
    throw invalid(`${where} has both "contentId" and "text"; send one of them`)
  }
  if (text !== undefined) return { ...common, text: parseText(text, `${where}.text`) }
  if (contentId === undefined) {
    throw invalid(`${where} needs "contentId" or "text"; it must be ${ITEM_SHAPE}`)
  }
  if (typeof contentId !== 'string' || !isContentId(contentId)) {
    throw invalid(
      `${where}.contentId ${showJsonValue(contentId)} is not a content id; ` +
        `use the 64 hex digits that POST /embed returns, or send "text"`,
    )
  }
  return { ...common, contentId }
}

/** Deepest nesting of objects and arrays accepted in item metadata. */
export const MAX_METADATA_DEPTH = 32

/**
 * Walks a parsed JSON value without recursion and throws invalid_request when it nests deeper
 * than MAX_METADATA_DEPTH or contains a number out of range: JSON.parse reads 1e400 as Infinity,
 * which JSON.stringify would store as null.
 */
function checkMetadataValues(value: object, where: string): void {
  const pending: { value: unknown; depth: number; key: string }[] = [{ value, depth: 1, key: '' }]
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (typeof next.value === 'number' && !Number.isFinite(next.value)) {
      throw invalid(
        `${where} has a number out of range in field ${JSON.stringify(excerpt(next.key, 40))}; ` +
          'numbers must be finite',
      )
    }
    if (typeof next.value !== 'object' || next.value === null) continue
    if (next.depth > MAX_METADATA_DEPTH) {
      throw invalid(`${where} nests objects and arrays deeper than ${MAX_METADATA_DEPTH} levels`)
    }
    for (const [key, field] of Object.entries(next.value)) {
      pending.push({ value: field, depth: next.depth + 1, key })
    }
  }
}

/** Reads item metadata: absent, null or a JSON object of at most MAX_METADATA_BYTES. */
export function parseMetadata(value: unknown, where: string): Record<string, unknown> | null {
  if (value === undefined || value === null) return null
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw invalid(`${where} must be a JSON object`)
  }
  checkMetadataValues(value, where)
  const bytes = new TextEncoder().encode(JSON.stringify(value)).length
  if (bytes > MAX_METADATA_BYTES) {
    throw invalid(`${where} is ${bytes} bytes of JSON; the limit is ${MAX_METADATA_BYTES}`)
  }
  return value as Record<string, unknown>
}

/** Control characters and unpaired surrogates, which no tag may contain. */
const FORBIDDEN_IN_TAG = /\p{Cc}|\p{Cs}/u

/** A character that shows: not whitespace, a format character (such as U+200B) or a mark. */
const VISIBLE = /[^\p{White_Space}\p{Cf}\p{M}]/u

/**
 * Reads item tags: absent or null (none given), or an array of at most MAX_TAGS strings. Each
 * tag is normalised to NFC and trimmed of whitespace at either end, and must then have 1 to
 * MAX_TAG_LENGTH characters (code points), at least one of them visible, and no control
 * character. A repeated tag is kept once.
 */
export function parseTags(value: unknown, where: string): string[] | null {
  if (value === undefined || value === null) return null
  const shape = `an array of at most ${MAX_TAGS} strings of 1 to ${MAX_TAG_LENGTH} characters`
  if (!Array.isArray(value) || value.length > MAX_TAGS) throw invalid(`${where} must be ${shape}`)
  const tags = value.map((tag, i) => {
    const name = `${where}[${i}]`
    if (typeof tag !== 'string') {
      throw invalid(`${name} ${showJsonValue(tag)} is not a string; ${where} must be ${shape}`)
    }
    const normalised = tag.normalize('NFC').trim()
    if (FORBIDDEN_IN_TAG.test(normalised)) {
      throw invalid(`${name} contains a control character or an unpaired surrogate`)
    }
    if (!VISIBLE.test(normalised)) {
      throw invalid(`${name} ${showJsonValue(tag)} has no visible character`)
    }
    const length = [...normalised].length
    if (length > MAX_TAG_LENGTH) {
      throw invalid(`${name} has ${length} characters; the limit is ${MAX_TAG_LENGTH}`)
    }
    return normalised
  })
  return [...new Set(tags)]
}

/**
 * Reads the body of POST /items/bulk: `{ items: [...] }` of 1 to BULK_MAX_ITEMS items, at most
 * BULK_MAX_TEXTS of them given as text. A text item without an id gets the content id of its
 * text, so the service checks those ids for repeats once the texts are embedded.
 */
export function parseBulkInput(value: unknown): ItemInput[] {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    rejectUnknownFields(value, ['items'], 'body')
  }
  const items = (value as { items?: unknown } | null)?.items
  if (!Array.isArray(items) || items.length === 0 || items.length > BULK_MAX_ITEMS) {
    throw invalid(`body must be { "items": [...] } with 1 to ${BULK_MAX_ITEMS} items`)
  }
  const parsed = items.map((item, i) => parseItemInput(item, `items[${i}]`))
  const texts = parsed.filter((item) => 'text' in item).length
  if (texts > BULK_MAX_TEXTS) {
    throw new FeatureForestError(
      'payload_too_large',
      `items holds ${texts} texts; the limit is ${BULK_MAX_TEXTS} per request, so send ` +
        'more in several requests or embed them with POST /embed and add them by content id',
    )
  }
  const seen = new Set<string>()
  for (const item of parsed) {
    const id = item.id ?? ('contentId' in item ? item.contentId : undefined)
    if (id === undefined) continue
    if (seen.has(id)) throw invalid(`item id ${id} appears twice in the request`)
    seen.add(id)
  }
  return parsed
}

function invalid(message: string): FeatureForestError {
  return new FeatureForestError('invalid_request', message)
}
