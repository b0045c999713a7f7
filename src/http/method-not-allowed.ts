import { FeatureForestError } from '../errors'

/** Throws the 405 error for a known path requested with a method it does not serve. */
export function methodNotAllowed(...allowed: string[]): never {
  throw new FeatureForestError(
    'method_not_allowed',
    `method not allowed on this path; use ${allowed.join(' or ')}`,
  )
}
