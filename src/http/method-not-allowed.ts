import { FeatureForestError } from '../errors'

/**
 * Throws the 405 error for a known path requested with a method it does not serve, with the
 * `Allow` header that HTTP requires on a 405 (RFC 9110, section 15.5.6).
 */
export function methodNotAllowed(...allowed: string[]): never {
  throw new FeatureForestError(
    'method_not_allowed',
    `method not allowed on this path; use ${allowed.join(' or ')}`,
    { Allow: allowed.join(', ') },
  )
}
