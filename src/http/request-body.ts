import type { Context, MiddlewareHandler } from 'hono'

import type { AppEnv } from '../env'
import { FeatureForestError } from '../errors'
import { excerpt } from './excerpt'

/**
 * Builds the error for a body whose stream failed before its end, as when a client closes the
 * connection in the middle of an upload. It is the client's fault, so it is not logged as an
 * internal error.
 */
function unreadableBody(error: unknown): FeatureForestError {
  const reason = error instanceof Error ? error.message : String(error)
  return new FeatureForestError(
    'invalid_request',
    `request body could not be read to its end (${excerpt(reason, 80)}); send the whole body again`,
  )
}

/**
 * Reads the whole request body. A body that breaks off is invalid_request, while reading a body
 * twice is a programming error and stays an internal one.
 */
export async function readBodyBytes(c: Context): Promise<Uint8Array> {
  if (c.req.raw.bodyUsed) throw new Error('the request body was read before')
  try {
    return new Uint8Array(await c.req.arrayBuffer())
  } catch (error) {
    if (error instanceof FeatureForestError) throw error
    throw unreadableBody(error)
  }
}

/**
 * Wraps a middleware that reads the body, such as hono's bodyLimit for a body without
 * Content-Length, so that a body that breaks off is invalid_request. Errors of later handlers
 * do not pass through here, because hono hands them to the error handler where they occur.
 */
export function withBodyReadErrors(
  middleware: MiddlewareHandler<AppEnv>,
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    try {
      return await middleware(c, next)
    } catch (error) {
      if (error instanceof FeatureForestError) throw error
      throw unreadableBody(error)
    }
  }
}
