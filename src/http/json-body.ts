import type { Context } from 'hono'

import { FeatureForestError } from '../errors'

/** Largest accepted JSON body, in bytes. */
export const MAX_JSON_BYTES = 1024 * 1024

/** Parses the request body as JSON; throws invalid_request or payload_too_large. */
export async function readJsonBody(c: Context): Promise<unknown> {
  const text = await c.req.text()
  if (new TextEncoder().encode(text).length > MAX_JSON_BYTES) {
    throw new FeatureForestError(
      'payload_too_large',
      `JSON body is larger than ${MAX_JSON_BYTES} bytes`,
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
    `${where} has an unknown field ${JSON.stringify(unknown.slice(0, 40))}; ` +
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
      `${name} "${value.slice(0, 40)}" is invalid; use an integer from ${min} to ${max}`,
    )
  }
  return parsed
}
