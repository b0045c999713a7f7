import { FeatureForestError } from '../errors'
import { excerpt } from '../http/excerpt'

/** Most characters (Unicode code points) per text. The encoder reads only the first 128 tokens. */
export const MAX_TEXT_CHARACTERS = 10_000

/** Maximum number of texts in one `texts` request. */
export const MAX_BATCH_TEXTS = 32

/** Texts of a POST /embed JSON body, and which of the two body shapes carried them. */
export interface TextInput {
  texts: string[]
  /** True for `{ "texts": [...] }`, false for `{ "text": "..." }`. */
  batch: boolean
}

const BODY_SHAPE = 'send {"text": "..."} or {"texts": ["...", ...]}'

function invalid(message: string): FeatureForestError {
  return new FeatureForestError('invalid_request', message)
}

/** Lists up to 5 field names, then the count of the rest. */
function fieldList(keys: readonly string[]): string {
  const names = keys.slice(0, 5).map((key) => JSON.stringify(excerpt(key, 40)))
  return keys.length > 5 ? `${names.join(', ')} and ${keys.length - 5} more` : names.join(', ')
}

/** Returns the number of Unicode code points of a string; a surrogate pair counts once. */
export function countCodePoints(text: string): number {
  let count = 0
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    // A high surrogate followed by a low one is a single code point.
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1)
      if (next >= 0xdc00 && next <= 0xdfff) i++
    }
    count++
  }
  return count
}

/**
 * Characters that show nothing on their own: white space, control characters, format characters
 * such as U+200B ZERO WIDTH SPACE, and default-ignorable ones such as variation selectors.
 */
const INVISIBLE = /[\p{White_Space}\p{Cc}\p{Cf}\p{Default_Ignorable_Code_Point}]/gu

/** Tells whether a string shows nothing: it is empty or only invisible characters. */
export function isBlank(value: string): boolean {
  return value.replace(INVISIBLE, '') === ''
}

/** A UTF-16 surrogate without its pair, which JSON can carry as a "\ud800" escape. */
const LONE_SURROGATE = /\p{Cs}/u

/**
 * Returns `value` when it is a string of well-formed Unicode that is not blank and has at
 * most MAX_TEXT_CHARACTERS after NFKC normalisation, the form the tokenizer reads (a single
 * ligature such as U+FDFA becomes 18 characters). `where` names the value in messages.
 */
export function parseText(value: unknown, where: string): string {
  if (typeof value !== 'string') {
    throw invalid(`${where} must be a string, got ${value === null ? 'null' : typeof value}`)
  }
  const surrogate = LONE_SURROGATE.exec(value)
  if (surrogate) {
    const code = surrogate[0].charCodeAt(0).toString(16).padStart(4, '0')
    throw invalid(
      `${where} contains an unpaired surrogate \\u${code} at index ${surrogate.index}, which is ` +
        'not a Unicode character; send well-formed text',
    )
  }
  if (isBlank(value)) {
    throw invalid(
      `${where} is empty or only white space and invisible characters; send text with at ` +
        'least one word',
    )
  }
  const characters = countCodePoints(value.normalize('NFKC'))
  if (characters > MAX_TEXT_CHARACTERS) {
    throw new FeatureForestError(
      'payload_too_large',
      `${where} has ${characters} characters after Unicode NFKC normalisation; the limit is ` +
        `${MAX_TEXT_CHARACTERS}`,
    )
  }
  return value
}

/**
 * Reads the JSON body of a text embedding request: `{ "text": string }` or
 * `{ "texts": string[] }` with 1 to MAX_BATCH_TEXTS texts. Throws invalid_request for a wrong
 * shape or a blank text, and payload_too_large for a text or batch over its limit.
 */
export function parseTextInput(body: unknown): TextInput {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalid(`body must be a JSON object; ${BODY_SHAPE}`)
  }
  const keys = Object.keys(body)
  if (keys.length !== 1 || (keys[0] !== 'text' && keys[0] !== 'texts')) {
    throw invalid(`body has the fields [${fieldList(keys)}]; ${BODY_SHAPE}`)
  }
  const { text, texts } = body as Record<string, unknown>
  if (keys[0] === 'text') return { texts: [parseText(text, 'text')], batch: false }

  if (!Array.isArray(texts) || texts.length === 0) {
    throw invalid(`texts must be a non-empty array of strings; ${BODY_SHAPE}`)
  }
  if (texts.length > MAX_BATCH_TEXTS) {
    throw new FeatureForestError(
      'payload_too_large',
      `texts holds ${texts.length} texts; the limit is ${MAX_BATCH_TEXTS} per request`,
    )
  }
  return { texts: texts.map((value, i) => parseText(value, `texts[${i}]`)), batch: true }
}
