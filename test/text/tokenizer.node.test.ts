import { readFileSync } from 'node:fs'
import { join } from 'node:path'

import { describe, expect, it } from 'vitest'

import {
  encodeWithReferenceTokenizer,
  readVocabulary,
} from '../../scripts/reference/reference-tokenizer.mjs'
import { normalizeText, SentencePieceTokenizer } from '../../src/text/sentencepiece'

const tokenizer = new SentencePieceTokenizer(readVocabulary())

/** Strings that exercise normalisation, unknown symbols and segmentation ties. */
const AWKWARD_TEXTS = [
  '',
  ' ',
  '   ',
  '\t\n',
  'a',
  'Héllo wörld — naïve café crème brûlée',
  'e\u0301 combining acute vs é precomposed',
  'ＡＢＣ full-width letters and ①②③ circled digits',
  'ﬁ ligature, ½ fraction, ™ sign, x² superscript',
  '東京タワーに行きました。',
  '我爱自然语言处理',
  '한국어 텍스트',
  'Привет, как дела?',
  'مرحبا بالعالم',
  'emoji 🐈🐕 test 👍🏽 family 👨‍👩‍👧 flag 🇫🇷',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𝕞𝕒𝕥𝕙 letters',
  'https://example.com/path?q=1&lang=en#frag',
  'mailto:someone@example.org :) :( :-) ://',
  'UPPER lower MiXeD 12345 3.14159 1,000,000',
  'tab\there, newline\nthere, carriage\rreturn',
  'double  spaces   and trailing ',
  '\u00a0non-breaking\u2003em space\u200bzero width',
  'z̷̢a̸l̶g̴o̵ text',
  '"quotes" ‘single’ “double” «guillemets»',
  '\ud800 lone surrogate',
  '____----====',
  'The quick brown fox jumps over the lazy dog. '.repeat(40),
]

/** Returns lines of README files from installed packages: real prose, code and URLs. */
function readmeLines(): string[] {
  const files = [
    'node_modules/hono/README.md',
    'node_modules/onnxruntime-web/README.md',
    'node_modules/@tensorflow/tfjs-core/README.md',
    'node_modules/typescript/README.md',
    'node_modules/protobufjs/README.md',
    'node_modules/wrangler/README.md',
    'node_modules/eslint/README.md',
  ]
  return files.flatMap((file) => readFileSync(join(process.cwd(), file), 'utf8').split('\n'))
}

/** Returns the first texts of the sentiment data set when FEATUREFOREST_DATA is set. */
function datasetTexts(count: number): string[] {
  const folder = process.env.FEATUREFOREST_DATA
  if (!folder) return []
  const lines = readFileSync(join(folder, 'text_sentiment', 'sentences.csv'), 'utf8').split('\n')
  return lines.slice(1, count + 1)
}

describe('SentencePieceTokenizer', () => {
  it('matches the reference tokenizer on awkward text', () => {
    const expected = encodeWithReferenceTokenizer(AWKWARD_TEXTS)

    AWKWARD_TEXTS.forEach((text, i) => {
      expect(tokenizer.encode(text), JSON.stringify(text.slice(0, 60))).toEqual(expected[i])
    })
  })

  it('matches the reference tokenizer on README lines', () => {
    const texts = readmeLines()
    const expected = encodeWithReferenceTokenizer(texts)

    expect(texts.length).toBeGreaterThan(300)
    const mismatches = texts.filter((text, i) => {
      return JSON.stringify(tokenizer.encode(text)) !== JSON.stringify(expected[i])
    })
    expect(mismatches).toEqual([])
  })

  it.skipIf(!process.env.FEATUREFOREST_DATA)('matches the reference on data set rows', () => {
    const texts = datasetTexts(500)
    const expected = encodeWithReferenceTokenizer(texts)

    const mismatches = texts.filter((text, i) => {
      return JSON.stringify(tokenizer.encode(text)) !== JSON.stringify(expected[i])
    })
    expect(mismatches).toEqual([])
  })

  it('returns no ids for empty text', () => {
    expect(tokenizer.encode('')).toEqual([])
  })

  it('merges consecutive unknown symbols into one id', () => {
    const ids = tokenizer.encode('東京タワー')

    expect(ids.filter((id) => id === 0)).toHaveLength(1)
  })

  it('scores null-score pieces as 0', () => {
    const vocabulary = readVocabulary()
    const colon = vocabulary.findIndex(([piece]) => piece === '://')

    expect(vocabulary[colon]![1]).toBeNull()
    expect(tokenizer.encode('http://a')).toContain(colon)
  })
})

describe('normalizeText', () => {
  it('applies NFKC and marks word starts', () => {
    expect(normalizeText('ﬁne ＡＢ')).toBe('\u2581fine\u2581AB')
  })

  it('leaves tabs and line breaks unchanged', () => {
    expect(normalizeText('a\tb\nc')).toBe('\u2581a\tb\nc')
  })

  it('returns empty text unchanged', () => {
    expect(normalizeText('')).toBe('')
  })
})
