import { decodeVectors, encodeVectors } from './vector-codec'

/** Key schema version, shared with the image feature store. */
const KEY_VERSION = 'v1'

/** Facts stored with a text vector. The text itself is not stored. */
export interface TextSource {
  kind: 'text'
  /** Token ids the encoder read, at most the encoder's limit. */
  tokens: number
  /** True when the text had more tokens than the encoder reads. */
  truncated: boolean
}

/** The embedding of one text as stored, with where it came from. */
export interface StoredTextFeatures extends TextSource {
  embedding: Float32Array
  createdAt: string
}

interface TextMetadata extends TextSource {
  createdAt: string
}

/**
 * Text embeddings in Workers KV under the key schema of the image features:
 * `v1:{tenant}:features:{modelId}:{contentId}`. The value is the vector encoding of
 * vector-codec.ts holding [embedding]; token count and truncation are KV metadata.
 */
export class TextFeatureStore {
  constructor(
    private readonly kv: KVNamespace,
    private readonly tenant: string,
  ) {}

  private key(modelId: string, contentId: string): string {
    return `${KEY_VERSION}:${this.tenant}:features:${modelId}:${contentId}`
  }

  async get(modelId: string, contentId: string): Promise<StoredTextFeatures | undefined> {
    const { value, metadata } = await this.kv.getWithMetadata<TextMetadata>(
      this.key(modelId, contentId),
      'arrayBuffer',
    )
    if (!value || !metadata) return undefined
    if (metadata.kind !== 'text') {
      throw new Error(`stored features of ${contentId} under ${modelId} are not text features`)
    }
    const [embedding] = decodeVectors(value)
    if (!embedding) throw new Error(`stored features of ${contentId} hold no vector`)
    return { ...metadata, embedding }
  }

  async put(
    modelId: string,
    contentId: string,
    embedding: Float32Array,
    source: Omit<TextSource, 'kind'>,
  ): Promise<StoredTextFeatures> {
    const metadata: TextMetadata = {
      kind: 'text',
      tokens: source.tokens,
      truncated: source.truncated,
      createdAt: new Date().toISOString(),
    }
    await this.kv.put(this.key(modelId, contentId), encodeVectors([embedding]), { metadata })
    return { ...metadata, embedding }
  }
}
