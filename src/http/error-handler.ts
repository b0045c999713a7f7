import type { Context } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { ContentfulStatusCode } from 'hono/utils/http-status'

import { ERROR_STATUS, FeatureForestError, type ErrorCode } from '../errors'

/** The body of every non-2xx response. */
export interface ErrorEnvelope {
  error: {
    code: ErrorCode
    message: string
    requestId: string
  }
}

/** Writes the error envelope with the status that belongs to its code. */
export function errorResponse(
  c: Context,
  code: ErrorCode,
  message: string,
  headers: Readonly<Record<string, string>> = {},
): Response {
  const body: ErrorEnvelope = {
    error: { code, message, requestId: c.get('requestId') ?? 'unknown' },
  }
  return c.json(body, ERROR_STATUS[code] as ContentfulStatusCode, headers)
}

/** Maps an exception to the error envelope; logs unexpected errors once with their stack. */
export function handleError(error: Error, c: Context): Response {
  if (error instanceof FeatureForestError) {
    return errorResponse(c, error.code, error.message, error.headers)
  }
  if (error instanceof HTTPException && error.status < 500) {
    return errorResponse(c, 'invalid_request', error.message || 'invalid request')
  }
  console.error(
    JSON.stringify({
      level: 'error',
      requestId: c.get('requestId'),
      method: c.req.method,
      path: c.req.path,
      error: error.stack ?? String(error),
    }),
  )
  return errorResponse(c, 'internal_error', 'internal error; the request id identifies it in logs')
}
