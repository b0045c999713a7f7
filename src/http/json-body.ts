import type { Context } from 'hono'

import { FeatureForestError } from '../errors'
import { excerpt } from './excerpt'
import { headerParameter } from './header-parameter'
import { readBodyBytes } from './request-body'
import { decodeUtf8 } from './utf8'

/**
 * Formats a JSON value for an error message, in at most 40 UTF-16 code units, with no surrogate
 * pair cut in two. Numbers are written as JavaScript writes them, because JSON.parse reads 1e400
 * as Infinity, which JSON.stringify would show as null. Other values are written as JSON, so an
 * array is not taken for a string.
 */
export function showJsonValue(value: unknown): string {
  if (typeof value === 'number') return String(value)
  try {
    return excerpt(JSON.stringify(value) ?? String(value), 40)
  } catch {
    // JSON.stringify overflows the stack on values nested thousands of levels deep.
    return Array.isArray(value) ? 'a nested array' : 'a nested object'
  }
}

/** Largest accepted JSON body, in bytes. */
export const MAX_JSON_BYTES = 1024 * 1024

/** Charset labels whose bytes decode as UTF-8, since US-ASCII is a subset of UTF-8. */
const UTF8_CHARSETS = new Set(['utf-8', 'utf8', 'us-ascii', 'ascii'])

/**
 * Parses the request body as JSON, which must be UTF-8. Throws unsupported_media_type for
 * another declared charset, payload_too_large over MAX_JSON_BYTES, and invalid_request for
 * bytes that are not UTF-8 or not JSON.
 */
export async function readJsonBody(c: Context): Promise<unknown> {
  const charset = headerParameter(c.req.header('Content-Type') ?? '', 'charset')?.toLowerCase()
  if (charset !== undefined && charset !== '' && !UTF8_CHARSETS.has(charset)) {
    throw new FeatureForestError(
      'unsupported_media_type',
      `JSON bodies are UTF-8, and the request declares charset=${excerpt(charset, 40)}; ` +
        'send UTF-8 with Content-Type: application/json',
    )
  }
  const bytes = await readBodyBytes(c)
  if (bytes.length > MAX_JSON_BYTES) {
    throw new FeatureForestError(
      'payload_too_large',
      `JSON body is larger than ${MAX_JSON_BYTES} bytes`,
    )
  }
  const text = decodeUtf8(bytes)
  if (text === undefined) {
    throw new FeatureForestError(
      'invalid_request',
      'body is not valid UTF-8; send JSON encoded as UTF-8',
    )
  }
  try {
    return JSON.parse(text) as unknown
  } catch {
    throw new FeatureForestError(
      'invalid_request',
      'body is not valid JSON; send a JSON object with Content-Type: application/json',
    )
  }
}

/**
 * Throws invalid_request naming the first field of `value` that is not in `allowed`, so that a
 * misspelt or unsupported field is reported instead of ignored. `where` names the object.
 */
export function rejectUnknownFields(
  value: object,
  allowed: readonly string[],
  where: string,
): void {
  const unknown = Object.keys(value).find((key) => !allowed.includes(key))
  if (unknown === undefined) return
  throw new FeatureForestError(
    'invalid_request',
    `${where} has an unknown field ${JSON.stringify(excerpt(unknown, 40))}; ` +
      `it takes ${allowed.map((key) => `"${key}"`).join(', ')}`,
  )
}

/** Reads an optional integer query parameter within [min, max]; throws invalid_request. */
export function integerQuery(
  value: string | undefined,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  if (value === undefined || value === '') return fallback
  // Number() alone would also take '1e2', '0x10' and ' 5 '; only plain decimal digits are valid.
  const parsed = /^-?\d{1,16}$/.test(value) ? Number(value) : Number.NaN
  if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
    throw new FeatureForestError(
      'invalid_request',
      `${name} "${excerpt(value, 40)}" is invalid; use an integer from ${min} to ${max}`,
    )
  }
  return parsed
}
