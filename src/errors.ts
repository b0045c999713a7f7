/**
 * Stable machine codes of every error the API returns, with the HTTP status each maps to.
 * Domain code throws `FeatureForestError` with one of these codes; only the HTTP error handler
 * turns the code into a status.
 */
export const ERROR_STATUS = {
  invalid_request: 400,
  invalid_tenant: 400,
  mixed_modalities: 400,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  modality_mismatch: 409,
  payload_too_large: 413,
  image_too_large: 413,
  unsupported_media_type: 415,
  unsupported_format: 415,
  corrupt_image: 422,
  internal_error: 500,
} as const

export type ErrorCode = keyof typeof ERROR_STATUS

/** An error whose code and message are safe to return to the client. */
export class FeatureForestError extends Error {
  override readonly name = 'FeatureForestError'

  constructor(
    readonly code: ErrorCode,
    message: string,
    /** Response headers that belong to the error, such as `Allow` on a 405. */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message)
  }
}
