import type { Context } from 'hono'

import { FeatureForestError } from '../errors'
import { excerpt } from './excerpt'
import { parseMultipart, textField } from './multipart'
import { readBodyBytes } from './request-body'

/** Multipart form field that carries an uploaded image. */
export const IMAGE_FIELD = 'image'

/** Largest accepted image upload, in bytes. */
export const MAX_IMAGE_BYTES = 16 * 1024 * 1024

/** An uploaded image and the other text fields of its multipart form. */
export interface ImageUpload {
  bytes: Uint8Array
  fields: Map<string, string>
}

/** Tells whether a request carries JSON rather than an image: its media type is application/json. */
export function isJsonRequest(c: Context): boolean {
  const mediaType = (c.req.header('Content-Type') ?? '').split(';')[0]!
  return mediaType.trim().toLowerCase() === 'application/json'
}

/** Room for the boundaries and text fields of a multipart body around its image. */
const MULTIPART_OVERHEAD_BYTES = 64 * 1024

/** Largest request body of any route: an image upload in a multipart form. */
export const MAX_BODY_BYTES = MAX_IMAGE_BYTES + MULTIPART_OVERHEAD_BYTES

/**
 * Reads an image from the multipart field IMAGE_FIELD, or the raw body. The other fields of a
 * form must be UTF-8 text, and a field name given twice is an error, as a repeated query
 * parameter is.
 */
export async function readImageUpload(c: Context): Promise<ImageUpload> {
  const contentType = c.req.header('Content-Type') ?? ''
  const fields = new Map<string, string>()
  let bytes: Uint8Array
  if (contentType.toLowerCase().startsWith('multipart/form-data')) {
    const parts = parseMultipart(await readBodyBytes(c), contentType)
    const names = new Set<string>()
    for (const { name } of parts) {
      if (names.has(name)) {
        throw new FeatureForestError(
          'invalid_request',
          `multipart field ${JSON.stringify(excerpt(name, 40))} is repeated; give each field once`,
        )
      }
      names.add(name)
    }
    const image = parts.find((part) => part.name === IMAGE_FIELD)
    if (!image?.isFile) {
      throw new FeatureForestError(
        'invalid_request',
        `multipart body has no file field "${IMAGE_FIELD}"; send the image in a field named "${IMAGE_FIELD}"`,
      )
    }
    for (const part of parts) {
      if (!part.isFile) fields.set(part.name, textField(part))
      else if (part.name !== IMAGE_FIELD) {
        throw new FeatureForestError(
          'invalid_request',
          `multipart field ${JSON.stringify(excerpt(part.name, 40))} is a file; only ` +
            `"${IMAGE_FIELD}" may be, so send it as a text field`,
        )
      }
    }
    bytes = image.bytes
  } else {
    bytes = await readBodyBytes(c)
  }
  if (bytes.length === 0) {
    throw new FeatureForestError(
      'invalid_request',
      `request body is empty; send the image bytes, or a multipart field "${IMAGE_FIELD}"`,
    )
  }
  if (bytes.length > MAX_IMAGE_BYTES) {
    throw new FeatureForestError(
      'payload_too_large',
      `image is larger than ${MAX_IMAGE_BYTES} bytes`,
    )
  }
  return { bytes, fields }
}
