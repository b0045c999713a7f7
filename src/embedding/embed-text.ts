import { getSentenceEncoder, TEXT_MODEL_ID } from '../backbone/text-encoder'
import type { StoredTextFeatures, TextFeatureStore } from '../storage/text-feature-store'
import { tokenizeForEncoder } from '../text/use-lite-tokenizer'
import { contentIdOf } from './content-id'

/** Milliseconds spent in each stage of one request, summed over its texts. */
export interface TextStageTimings {
  tokenize?: number
  inference?: number
  storage: number
}

/** Embedding of one text. */
export interface TextEmbedding {
  contentId: string
  /** True when the vector came from storage without running the model. */
  cached: boolean
  features: StoredTextFeatures
}

/**
 * Returns the content id of a text: the SHA-256 of its UTF-8 bytes after Unicode NFKC
 * normalisation. Texts with the same NFKC form get the same token ids, hence the same vector.
 */
export async function textContentId(text: string): Promise<string> {
  return contentIdOf(new TextEncoder().encode(text.normalize('NFKC')))
}

/**
 * Returns the embeddings of texts, in order: from storage for texts embedded before,
 * otherwise by tokenizing and running the encoder once over all new texts, then storing them.
 * A text that occurs twice in `texts` is embedded once.
 */
// NOTE: in production Workers the clock advances only on I/O, so the CPU stages of
// `timings` read as 0 there; they are meaningful under local workerd.
export async function embedTexts(
  texts: readonly string[],
  store: TextFeatureStore,
): Promise<{ items: TextEmbedding[]; timings: TextStageTimings }> {
  const contentIds = await Promise.all(texts.map(textContentId))
  let started = performance.now()
  const stored = await Promise.all(contentIds.map((id) => store.get(TEXT_MODEL_ID, id)))
  const lookup = performance.now() - started

  const missing = new Map<string, string>()
  contentIds.forEach((id, i) => {
    if (!stored[i]) missing.set(id, texts[i]!)
  })
  if (missing.size === 0) {
    const items = contentIds.map((contentId, i) => ({
      contentId,
      cached: true,
      features: stored[i]!,
    }))
    return { items, timings: { storage: lookup } }
  }

  started = performance.now()
  const tokenized = [...missing.values()].map(tokenizeForEncoder)
  const tokenize = performance.now() - started

  started = performance.now()
  const encoder = await getSentenceEncoder()
  const embeddings = await encoder.embed(tokenized.map((text) => text.ids))
  const inference = performance.now() - started

  started = performance.now()
  const saved = new Map<string, StoredTextFeatures>()
  await Promise.all(
    [...missing.keys()].map(async (contentId, i) => {
      const { ids, truncated } = tokenized[i]!
      const source = { tokens: ids.length, truncated }
      saved.set(contentId, await store.put(TEXT_MODEL_ID, contentId, embeddings[i]!, source))
    }),
  )
  const storage = lookup + performance.now() - started

  const items = contentIds.map((contentId, i) => ({
    contentId,
    cached: stored[i] !== undefined,
    features: stored[i] ?? saved.get(contentId)!,
  }))
  return { items, timings: { tokenize, inference, storage } }
}
