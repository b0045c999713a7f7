import {
  MaxHeaderSizeExceededError,
  MaxPartsExceededError,
  MultipartParseError,
  parseMultipart as parseMultipartParts,
  type MultipartPart,
} from '@remix-run/multipart-parser'

import { FeatureForestError } from '../errors'
import { excerpt } from './excerpt'
import { headerParameter } from './header-parameter'
import { decodeUtf8 } from './utf8'

/** Maximum number of parts in a form. The API reads up to three fields and ignores the others. */
export const MAX_FORM_PARTS = 100

/** Maximum size of one part's header block, in bytes. A Content-Disposition line needs far less. */
const MAX_PART_HEADER_BYTES = 16 * 1024

/** One part of a multipart/form-data body. */
export interface FormPart {
  name: string
  /** True when the part is a file upload: its Content-Disposition has a file name, even "". */
  isFile: boolean
  /** The part's content: a view into the body, not a copy. */
  bytes: Uint8Array
}

function malformed(reason: string): FeatureForestError {
  return new FeatureForestError('invalid_request', `multipart body could not be parsed: ${reason}`)
}

/** Converts the parser's errors to invalid_request errors and returns any other error unchanged. */
function parseFailure(error: unknown): unknown {
  if (error instanceof MaxPartsExceededError) {
    return new FeatureForestError(
      'invalid_request',
      `multipart body has more than ${MAX_FORM_PARTS} parts; send only the fields the endpoint takes`,
    )
  }
  if (error instanceof MaxHeaderSizeExceededError) {
    return malformed(
      `a part has more than ${MAX_PART_HEADER_BYTES} bytes of headers; ` +
        'send only Content-Disposition and Content-Type',
    )
  }
  if (error instanceof MultipartParseError) {
    return malformed(
      `${error.message} (send a body that starts with the boundary, has CRLF line breaks and ` +
        'ends with the closing boundary)',
    )
  }
  return error
}

/** Reads the field name and content of a part the library has split off, and whether it is a file. */
function formPart(part: MultipartPart): FormPart {
  let disposition: string | undefined
  try {
    disposition = part.headers['content-disposition']
  } catch {
    // The library decodes header bytes as strict UTF-8 and throws a TypeError otherwise.
    throw malformed('a part header is not valid UTF-8')
  }

  if (disposition === undefined) throw malformed('a part has no Content-Disposition header')
  if (disposition.split(';')[0]!.trim().toLowerCase() !== 'form-data') {
    throw malformed('a part has a Content-Disposition other than form-data')
  }

  // Parameter names ignore case, but the library's part.name reads only a lower-case `name=`.
  const name = headerParameter(disposition, 'name')
  if (name === undefined) throw malformed('a part has no field name')

  // A body given in one piece leaves each part's content in at most one chunk, a view into it.
  const bytes = part.content.length === 1 ? part.content[0]! : part.bytes
  // The file name itself is not read: the library would decode it, and log a warning for an
  // unknown charset in `filename*`.
  const isFile =
    headerParameter(disposition, 'filename') !== undefined ||
    headerParameter(disposition, 'filename*') !== undefined
  return { name, isFile, bytes }
}

/** Returns the offset of the first line, at the start or after a CRLF, that begins with `prefix`. */
function findLineStart(body: Uint8Array, prefix: string): number {
  const bytes = new TextEncoder().encode(prefix)
  const startsWith = (at: number) => bytes.every((byte, i) => body[at + i] === byte)
  if (startsWith(0)) return 0
  for (let at = body.indexOf(0x0a); at !== -1; at = body.indexOf(0x0a, at + 1)) {
    if (body[at - 1] === 0x0d && startsWith(at + 1)) return at + 1
  }
  return -1
}

/** Tells whether any line of the form, even in content, is a boundary line and then a blank line. */
function hasPartWithoutHeaders(form: Uint8Array, boundary: string): boolean {
  return findLineStart(form, `--${boundary}\r\n\r\n`) !== -1
}

/**
 * Returns the body from its first boundary line on. RFC 2046 lets a preamble come before it,
 * which senders must not use for data and the library does not skip.
 */
function withoutPreamble(body: Uint8Array, boundary: string): Uint8Array {
  const start = findLineStart(body, `--${boundary}`)
  return start > 0 ? body.subarray(start) : body
}

/**
 * Splits a multipart/form-data body (RFC 7578) into its parts with @remix-run/multipart-parser,
 * without decoding their content. The runtime's formData() is not used because it decodes text
 * fields leniently: bytes that are not UTF-8 become U+FFFD and can no longer be distinguished
 * from a U+FFFD the client sent. The library accepts only CRLF line breaks.
 *
 * NOTE: the library does not check what follows a boundary, so content that contains CRLF, two
 * dashes and the boundary (which the sender must avoid) is split there.
 */
export function parseMultipart(body: Uint8Array, contentType: string): FormPart[] {
  const boundary = headerParameter(contentType, 'boundary')
  if (!boundary) throw malformed('the Content-Type header has no boundary parameter')

  const form = withoutPreamble(body, boundary)
  // A first boundary line that ends in LF alone is named here, because the library would report
  // a part with too many bytes of headers.
  const firstLineEnd = form.indexOf(0x0a)
  if (firstLineEnd > 0 && form[firstLineEnd - 1] !== 0x0d) {
    throw malformed('its lines end in LF alone; end every line in CRLF')
  }

  const parts: FormPart[] = []
  try {
    for (const part of parseMultipartParts(form, {
      boundary,
      maxHeaderSize: MAX_PART_HEADER_BYTES,
      maxParts: MAX_FORM_PARTS,
      // The caller limits the body and checks the image size, so no part limit is needed here.
      maxFileSize: body.length,
      maxTotalSize: body.length,
    })) {
      parts.push(formPart(part))
    }
  } catch (error) {
    // The library reads the lines after a part's boundary as its headers even when the first one
    // is blank, and then fails with another fault. The scan runs only after such a failure,
    // because content may start with the boundary line and the epilogue may contain it.
    if (error instanceof MultipartParseError && hasPartWithoutHeaders(form, boundary)) {
      throw malformed('a part has no headers; give every part a Content-Disposition header')
    }
    throw parseFailure(error)
  }
  return parts
}

/** Decodes a text field. Throws invalid_request, as for a JSON body, when it is not UTF-8. */
export function textField(part: FormPart): string {
  const text = decodeUtf8(part.bytes)
  if (text === undefined) {
    throw new FeatureForestError(
      'invalid_request',
      `multipart field ${JSON.stringify(excerpt(part.name, 40))} is not valid UTF-8; ` +
        'send text fields encoded as UTF-8',
    )
  }
  return text
}
