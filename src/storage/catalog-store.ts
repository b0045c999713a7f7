import { decodeShard, encodeShard, type CatalogShard } from '../catalog/shard-codec'

/** Key schema version: a change of layout or encoding gets a new prefix. */
const KEY_VERSION = 'v1'

/** A shard as read from R2, with the version the catalog index gave it. */
export interface StoredShard {
  version: number
  shard: CatalogShard
}

/**
 * Catalog vector shards in R2, one object per tenant and shard number:
 * `v1:{tenant}:catalog:shards:{shard}`. The object is the encoding of shard-codec.ts and its
 * custom metadata `version` is the shard version in the catalog index's manifest.
 */
export class CatalogStore {
  constructor(
    private readonly bucket: R2Bucket,
    private readonly tenant: string,
  ) {}

  private key(shard: number): string {
    return `${KEY_VERSION}:${this.tenant}:catalog:shards:${shard}`
  }

  async putShard(shard: number, version: number, content: CatalogShard): Promise<void> {
    await this.bucket.put(this.key(shard), encodeShard(content), {
      customMetadata: { version: String(version) },
    })
  }

  async getShard(shard: number): Promise<StoredShard | undefined> {
    const object = await this.bucket.get(this.key(shard))
    if (!object) return undefined
    const version = Number(object.customMetadata?.version ?? 0)
    return { version, shard: decodeShard(await object.arrayBuffer()) }
  }

  async deleteShard(shard: number): Promise<void> {
    await this.bucket.delete(this.key(shard))
  }
}
