import type { ImageFeatures } from '../backbone/image-backbone'
import { decodeVectors, encodeVectors } from './vector-codec'

/** Key schema version: a change of layout or encoding gets a new prefix. */
const KEY_VERSION = 'v1'

/** Source image facts stored with its vectors. */
export interface ImageSource {
  format: string
  width: number
  height: number
}

/** Feature vectors of one image as stored, with where they came from. */
export interface StoredImageFeatures extends ImageFeatures {
  source: ImageSource
  createdAt: string
}

interface FeatureMetadata extends ImageSource {
  createdAt: string
}

/**
 * Feature vectors in Workers KV, one value per tenant, model and content id:
 * `v1:{tenant}:features:{modelId}:{contentId}`. The value is the vector encoding of
 * vector-codec.ts holding [probabilities, embedding]; the image source is KV metadata.
 */
export class FeatureStore {
  constructor(
    private readonly kv: KVNamespace,
    private readonly tenant: string,
  ) {}

  private key(modelId: string, contentId: string): string {
    return `${KEY_VERSION}:${this.tenant}:features:${modelId}:${contentId}`
  }

  async get(modelId: string, contentId: string): Promise<StoredImageFeatures | undefined> {
    const { value, metadata } = await this.kv.getWithMetadata<FeatureMetadata>(
      this.key(modelId, contentId),
      'arrayBuffer',
    )
    if (!value || !metadata) return undefined
    const [probabilities, embedding] = decodeVectors(value)
    if (!probabilities || !embedding) {
      throw new Error(`stored features of ${contentId} hold fewer than two vectors`)
    }
    const { createdAt, ...source } = metadata
    return { probabilities, embedding, source, createdAt }
  }

  async put(
    modelId: string,
    contentId: string,
    features: ImageFeatures,
    source: ImageSource,
  ): Promise<StoredImageFeatures> {
    const createdAt = new Date().toISOString()
    const metadata: FeatureMetadata = { ...source, createdAt }
    await this.kv.put(
      this.key(modelId, contentId),
      encodeVectors([features.probabilities, features.embedding]),
      { metadata },
    )
    return { ...features, source, createdAt }
  }
}
