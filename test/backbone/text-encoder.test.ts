import { describe, expect, it } from 'vitest'

import { getSentenceEncoder, TEXT_EMBEDDING_DIMENSIONS } from '../../src/backbone/text-encoder'
import { tokenizeForEncoder } from '../../src/text/use-lite-tokenizer'
import { cosineSimilarity } from '../support/api'
import reference from '../text/use-lite-reference.json'

/**
 * Tolerance against the TF.js float32 model. The served file has per-channel int8 weights and
 * integer products, which measured a max abs difference of 0.0129 and a min cosine of 0.99891
 * on these sentences.
 */
const MAX_ABS_DIFFERENCE = 0.02
const MIN_COSINE = 0.998

function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let max = 0
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!))
  return max
}

const norm = (vector: Float32Array) => Math.hypot(...vector)

describe('SentenceEncoder', () => {
  it('tokenizes the reference sentences to the reference ids', () => {
    for (const sentence of reference.sentences) {
      expect(tokenizeForEncoder(sentence.text).ids, sentence.text).toEqual(sentence.ids)
    }
  })

  it('matches the TF.js reference embeddings in one batch', async () => {
    const encoder = await getSentenceEncoder()

    const embeddings = await encoder.embed(reference.sentences.map((sentence) => sentence.ids))

    reference.sentences.forEach((sentence, i) => {
      const embedding = embeddings[i]!
      expect(embedding).toHaveLength(TEXT_EMBEDDING_DIMENSIONS)
      expect(maxAbsDifference(embedding, sentence.embedding), sentence.text).toBeLessThan(
        MAX_ABS_DIFFERENCE,
      )
      expect(cosineSimilarity(embedding, sentence.embedding), sentence.text).toBeGreaterThan(
        MIN_COSINE,
      )
    })
  })

  it('gives the same vector alone and padded in a batch', async () => {
    const encoder = await getSentenceEncoder()
    const short = reference.sentences[5]!.ids
    const long = reference.sentences[11]!.ids

    const [alone] = await encoder.embed([short])
    const [padded] = await encoder.embed([long, short]).then((vectors) => vectors.slice(1))

    expect(maxAbsDifference(alone!, padded!)).toBeLessThan(1e-5)
  })

  it('returns unit-length vectors', async () => {
    const encoder = await getSentenceEncoder()

    const embeddings = await encoder.embed(reference.sentences.map((sentence) => sentence.ids))

    for (const embedding of embeddings) expect(norm(embedding)).toBeCloseTo(1, 5)
  })

  it('places paraphrases closer than unrelated sentences', async () => {
    const encoder = await getSentenceEncoder()
    const texts = [
      'A cat is sleeping on the sofa.',
      'A kitten naps on the couch.',
      'The stock market fell sharply today.',
      'Shares dropped steeply on Wall Street this afternoon.',
    ]

    const [cat, kitten, market, shares] = await encoder.embed(
      texts.map((text) => tokenizeForEncoder(text).ids),
    )

    const paraphrases = [cosineSimilarity(cat!, kitten!), cosineSimilarity(market!, shares!)]
    const unrelated = [
      cosineSimilarity(cat!, market!),
      cosineSimilarity(cat!, shares!),
      cosineSimilarity(kitten!, market!),
      cosineSimilarity(kitten!, shares!),
    ]
    expect(Math.min(...paraphrases)).toBeGreaterThan(Math.max(...unrelated) + 0.2)
  })

  it('gives a repeated text the same vector within a batch', async () => {
    const encoder = await getSentenceEncoder()
    const ids = reference.sentences.map((sentence) => sentence.ids)

    const embeddings = await encoder.embed([...ids, ...ids])

    expect(embeddings).toHaveLength(2 * ids.length)
    expect(maxAbsDifference(embeddings[0]!, embeddings[ids.length]!)).toBeLessThan(1e-5)
  })

  it('returns mixed-length batches in input order', async () => {
    const encoder = await getSentenceEncoder()
    // In decreasing length, so that padding to the first list would change the vectors of the rest.
    const ids = reference.sentences.map((sentence) => sentence.ids).reverse()
    const alone = await Promise.all(ids.map(async (list) => (await encoder.embed([list]))[0]!))

    const embeddings = await encoder.embed(ids)

    expect(embeddings).toHaveLength(ids.length)
    ids.forEach((_, i) => {
      expect(maxAbsDifference(embeddings[i]!, alone[i]!), `list ${i}`).toBeLessThan(1e-5)
    })
  })

  it('gives the same vector padded to 128 tokens', async () => {
    const encoder = await getSentenceEncoder()
    const short = reference.sentences[5]!.ids
    const longest = reference.sentences[11]!.ids

    const [alone] = await encoder.embed([short])
    const [padded] = await encoder.embed([short, longest])

    expect(longest).toHaveLength(128)
    expect(maxAbsDifference(alone!, padded!)).toBeLessThan(1e-5)
  })

  it('rejects an empty id list', async () => {
    const encoder = await getSentenceEncoder()

    await expect(encoder.embed([[]])).rejects.toThrow(RangeError)
  })

  it('rejects more than 128 ids', async () => {
    const encoder = await getSentenceEncoder()

    await expect(encoder.embed([new Array<number>(129).fill(7)])).rejects.toThrow('1 to 128')
  })
})
