/** A `; name=value` parameter of a header value, whose value may be a quoted string. */
const PARAMETER = /;\s*([^\s;=]+)\s*=\s*("(?:[^"\\]|\\.)*"|[^;]*)/g

/**
 * Returns the parameter `name` of a header value such as `Content-Type` or
 * `Content-Disposition`, unquoted and trimmed. Parameter names ignore case, so `name` is given in
 * lower case.
 */
export function headerParameter(value: string, name: string): string | undefined {
  for (const [, key, raw] of value.matchAll(PARAMETER)) {
    if (key!.toLowerCase() !== name) continue
    const unquoted = raw!.startsWith('"') ? raw!.slice(1, -1).replace(/\\(.)/g, '$1') : raw!
    return unquoted.trim()
  }
  return undefined
}
