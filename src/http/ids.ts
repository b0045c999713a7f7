import { FeatureForestError } from '../errors'
import { excerpt } from './excerpt'
import { showJsonValue } from './json-body'

/** Shape of item, user and model ids. */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,127}$/

/** Rule for item, user and model ids, quoted in error messages. */
export const ID_RULE =
  '1 to 128 letters, digits, ".", "_", "@" or "-", starting with a letter or digit'

/** Returns `value` when it is a valid id; otherwise throws invalid_request naming `field`. */
export function requireId(value: unknown, field: string): string {
  if (typeof value === 'string' && ID_PATTERN.test(value)) return value
  if (value === undefined || value === null) {
    throw new FeatureForestError('invalid_request', `${field} is missing; use ${ID_RULE}`)
  }
  const quoted = typeof value === 'string' ? `"${excerpt(value, 80)}"` : showJsonValue(value)
  throw new FeatureForestError('invalid_request', `${field} ${quoted} is invalid; use ${ID_RULE}`)
}
