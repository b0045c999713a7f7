import type { Context } from 'hono'

import { FeatureForestError } from '../errors'

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

/** Reads an image from the multipart field IMAGE_FIELD, or the raw body. */
export async function readImageUpload(c: Context): Promise<ImageUpload> {
  const contentType = (c.req.header('Content-Type') ?? '').toLowerCase()
  const fields = new Map<string, string>()
  let bytes: Uint8Array
  if (contentType.startsWith('multipart/form-data')) {
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
    form.forEach((value, name) => {
      if (typeof value === 'string') fields.set(name, value)
    })
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
  if (bytes.length > MAX_IMAGE_BYTES) {
    throw new FeatureForestError(
      'payload_too_large',
      `image is larger than ${MAX_IMAGE_BYTES} bytes`,
    )
  }
  return { bytes, fields }
}
