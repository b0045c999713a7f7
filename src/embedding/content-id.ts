/** Returns the content id of a byte string: its SHA-256 as 64 lowercase hex digits. */
export async function contentIdOf(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', bytes)
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('')
}

const CONTENT_ID_PATTERN = /^[0-9a-f]{64}$/

/** Tells whether a string has the shape of a content id. */
export function isContentId(value: string): boolean {
  return CONTENT_ID_PATTERN.test(value)
}
