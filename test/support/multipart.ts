/** One part of a hand-built multipart/form-data body. */
export interface TestPart {
  name: string
  /** File name, whose presence makes the part a file upload. */
  filename?: string
  /** The part's content: text is encoded as UTF-8, bytes are sent unchanged. */
  content: string | Uint8Array
}

/**
 * Builds a multipart/form-data body byte by byte. FormData cannot send a text field whose
 * bytes are not UTF-8, since its values are JavaScript strings.
 */
export function multipartBody(
  parts: TestPart[],
  boundary = 'test-boundary',
): { body: Uint8Array; contentType: string } {
  const encoder = new TextEncoder()
  const chunks: Uint8Array[] = []
  for (const part of parts) {
    const filename = part.filename === undefined ? '' : `; filename="${part.filename}"`
    chunks.push(
      encoder.encode(
        `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"${filename}\r\n\r\n`,
      ),
      typeof part.content === 'string' ? encoder.encode(part.content) : part.content,
      encoder.encode('\r\n'),
    )
  }
  chunks.push(encoder.encode(`--${boundary}--\r\n`))
  const body = new Uint8Array(chunks.reduce((size, chunk) => size + chunk.length, 0))
  let offset = 0
  for (const chunk of chunks) {
    body.set(chunk, offset)
    offset += chunk.length
  }
  return { body, contentType: `multipart/form-data; boundary=${boundary}` }
}

/** Encodes text as Latin-1, whose bytes above 0x7f are not valid UTF-8 on their own. */
export function latin1(text: string): Uint8Array {
  return Uint8Array.from(text, (char) => char.charCodeAt(0))
}
