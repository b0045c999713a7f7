import { FeatureForestError } from '../errors'
import { headerParameter } from './header-parameter'
import { decodeUtf8 } from './utf8'

/** Maximum number of parts in a form. The API reads up to three fields and ignores the others. */
export const MAX_FORM_PARTS = 100

/** Maximum size of one part's header block, in bytes. A Content-Disposition line needs far less. */
const MAX_PART_HEADER_BYTES = 16 * 1024

/** One part of a multipart/form-data body. */
export interface FormPart {
  name: string
  /** Present when the part is a file upload. */
  filename?: string
  /** The part's content: a view into the body, not a copy. */
  bytes: Uint8Array
}

const CR = 0x0d
const LF = 0x0a
const DASH = 0x2d
const SPACE = 0x20
const TAB = 0x09

function malformed(reason: string): FeatureForestError {
  return new FeatureForestError('invalid_request', `multipart body could not be parsed: ${reason}`)
}

/** Returns the first index of `needle` in `bytes` at or after `from`, or -1. */
function indexOfBytes(bytes: Uint8Array, needle: Uint8Array, from: number): number {
  const first = needle[0]!
  for (let i = bytes.indexOf(first, from); i !== -1; i = bytes.indexOf(first, i + 1)) {
    if (i + needle.length > bytes.length) return -1
    let j = 1
    while (j < needle.length && bytes[i + j] === needle[j]) j++
    if (j === needle.length) return i
  }
  return -1
}

/** Returns the index after the line break that ends a boundary line, allowing trailing blanks. */
function afterBoundaryLine(body: Uint8Array, position: number): number {
  while (body[position] === SPACE || body[position] === TAB) position++
  if (body[position] === CR) position++
  if (body[position] !== LF) throw malformed('a boundary is not followed by a line break')
  return position + 1
}

/** Reads a part's header lines up to the blank line. Returns them and where the content starts. */
function readHeaders(body: Uint8Array, start: number): { headers: string[]; end: number } {
  const headers: string[] = []
  let position = start
  for (;;) {
    const lineEnd = body.indexOf(LF, position)
    if (lineEnd === -1 || lineEnd - start > MAX_PART_HEADER_BYTES) {
      throw malformed('a part has no blank line after its headers')
    }
    const end = lineEnd > position && body[lineEnd - 1] === CR ? lineEnd - 1 : lineEnd
    const line = body.subarray(position, end)
    position = lineEnd + 1
    if (line.length === 0) return { headers, end: position }
    const text = decodeUtf8(line)
    if (text === undefined) throw malformed('a part header is not valid UTF-8')
    headers.push(text)
  }
}

/** Reads the field name and file name from a part's Content-Disposition header. */
function disposition(headers: string[]): { name: string; filename?: string } {
  const header = headers.find((line) => /^content-disposition\s*:/i.test(line))
  if (header === undefined) throw malformed('a part has no Content-Disposition header')
  const value = header.slice(header.indexOf(':') + 1)
  if (value.split(';')[0]!.trim().toLowerCase() !== 'form-data') {
    throw malformed('a part has a Content-Disposition other than form-data')
  }
  const name = headerParameter(value, 'name')
  if (name === undefined) throw malformed('a part has no field name')
  const filename = headerParameter(value, 'filename')
  return filename === undefined ? { name } : { name, filename }
}

/**
 * Splits a multipart/form-data body (RFC 7578) into its parts without decoding them. The
 * runtime's formData() is not used because it decodes text fields leniently: bytes that are not
 * UTF-8 become U+FFFD and can no longer be distinguished from a U+FFFD the client sent. Lines
 * may end in CRLF or in LF alone, as in the runtime's parser.
 */
export function parseMultipart(body: Uint8Array, contentType: string): FormPart[] {
  const boundary = headerParameter(contentType, 'boundary')
  if (!boundary) throw malformed('the Content-Type header has no boundary parameter')
  const delimiter = new TextEncoder().encode(`\n--${boundary}`)
  // The first boundary may open the body, where no line break comes before it.
  const opening = delimiter.subarray(1)
  let position: number
  if (body.length >= opening.length && opening.every((byte, i) => body[i] === byte)) {
    position = opening.length
  } else {
    const first = indexOfBytes(body, delimiter, 0)
    if (first === -1) throw malformed('the body has no boundary')
    position = first + delimiter.length
  }

  const parts: FormPart[] = []
  for (;;) {
    if (body[position] === DASH && body[position + 1] === DASH) return parts
    if (parts.length === MAX_FORM_PARTS) {
      throw new FeatureForestError(
        'invalid_request',
        `multipart body has more than ${MAX_FORM_PARTS} parts; send only the fields the endpoint takes`,
      )
    }
    const { headers, end } = readHeaders(body, afterBoundaryLine(body, position))
    const next = indexOfBytes(body, delimiter, end)
    if (next === -1) throw malformed('the closing boundary is missing')
    const contentEnd = next > end && body[next - 1] === CR ? next - 1 : next
    parts.push({ ...disposition(headers), bytes: body.subarray(end, contentEnd) })
    position = next + delimiter.length
  }
}

/** Decodes a text field. Throws invalid_request, as for a JSON body, when it is not UTF-8. */
export function textField(part: FormPart): string {
  const text = decodeUtf8(part.bytes)
  if (text === undefined) {
    throw new FeatureForestError(
      'invalid_request',
      `multipart field ${JSON.stringify(part.name.slice(0, 40))} is not valid UTF-8; ` +
        'send text fields encoded as UTF-8',
    )
  }
  return text
}
