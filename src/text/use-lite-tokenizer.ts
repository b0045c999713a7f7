import VOCABULARY from '../../models/installed/use-lite-vocab.json'
import MANIFEST from '../../models/use-lite.json'
import { SentencePieceTokenizer, type Vocabulary } from './sentencepiece'

/** Most token ids the encoder reads per text; longer texts keep their first MAX_TOKENS ids. */
export const MAX_TOKENS = MANIFEST.maxTokens

/** Token ids of one text, ready for the encoder. */
export interface TokenizedText {
  /** The first MAX_TOKENS ids at most. */
  ids: number[]
  /** True when the text had more than MAX_TOKENS ids and the rest was dropped. */
  truncated: boolean
}

/** Throws unless the installed vocabulary has the size and shape that the manifest states. */
function checkVocabulary(vocabulary: unknown): Vocabulary {
  const expected = MANIFEST.vocabulary.size
  const valid =
    Array.isArray(vocabulary) &&
    vocabulary.length === expected &&
    vocabulary.every(
      (entry) =>
        Array.isArray(entry) &&
        typeof entry[0] === 'string' &&
        (typeof entry[1] === 'number' || entry[1] === null),
    )
  if (!valid) {
    throw new Error(
      `${MANIFEST.vocabulary.file} is not a list of ${expected} [piece, score] pairs; ` +
        'run "npm run setup" to reinstall it',
    )
  }
  return vocabulary as Vocabulary
}

let tokenizer: SentencePieceTokenizer | undefined

/** Returns this isolate's tokenizer for the text encoder, built on first use. */
export function getUseLiteTokenizer(): SentencePieceTokenizer {
  tokenizer ??= new SentencePieceTokenizer(checkVocabulary(VOCABULARY))
  return tokenizer
}

/** Tokenizes a text for the encoder, keeping the first MAX_TOKENS ids. */
export function tokenizeForEncoder(text: string): TokenizedText {
  const ids = getUseLiteTokenizer().encode(text)
  return { ids: ids.slice(0, MAX_TOKENS), truncated: ids.length > MAX_TOKENS }
}
