import { getImageBackbone, IMAGE_MODEL_ID } from '../backbone/image-backbone'
import { decodeImage, toModelInput } from '../image'
import type { FeatureStore, StoredImageFeatures } from '../storage/feature-store'
import { contentIdOf } from './content-id'

/** Milliseconds spent in each stage of one embedding. */
export interface StageTimings {
  decode?: number
  preprocess?: number
  inference?: number
  storage: number
}

/** Feature vectors of one uploaded image. */
export interface ImageEmbedding {
  contentId: string
  modelId: string
  /** True when the vectors came from storage without running the model. */
  cached: boolean
  features: StoredImageFeatures
  timings: StageTimings
}

/**
 * Returns the feature vectors of an image, from storage when the same bytes were embedded
 * before, otherwise by decoding, preprocessing and running the backbone, then storing them.
 */
// NOTE: in production Workers the clock advances only on I/O, so the CPU stages of
// `timings` read as 0 there; they are meaningful under local workerd.
export async function embedImage(bytes: Uint8Array, store: FeatureStore): Promise<ImageEmbedding> {
  const contentId = await contentIdOf(bytes)
  let started = performance.now()
  const stored = await store.get(IMAGE_MODEL_ID, contentId)
  const lookup = performance.now() - started
  if (stored) {
    return {
      contentId,
      modelId: IMAGE_MODEL_ID,
      cached: true,
      features: stored,
      timings: { storage: lookup },
    }
  }

  started = performance.now()
  const decoded = await decodeImage(bytes)
  const decode = performance.now() - started

  started = performance.now()
  const input = await toModelInput(decoded.image)
  const preprocess = performance.now() - started

  started = performance.now()
  const backbone = await getImageBackbone()
  const features = await backbone.infer(input)
  const inference = performance.now() - started

  started = performance.now()
  const source = {
    format: decoded.format,
    width: decoded.image.width,
    height: decoded.image.height,
  }
  const saved = await store.put(IMAGE_MODEL_ID, contentId, features, source)
  const storage = lookup + performance.now() - started

  return {
    contentId,
    modelId: IMAGE_MODEL_ID,
    cached: false,
    features: saved,
    timings: { decode, preprocess, inference, storage },
  }
}
