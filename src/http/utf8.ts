/**
 * Decodes UTF-8 bytes, dropping a leading byte order mark. Returns undefined for bytes that are
 * not valid UTF-8, where a lenient decoder would put U+FFFD in place of them without a trace.
 */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes)
  } catch {
    return undefined
  }
}
