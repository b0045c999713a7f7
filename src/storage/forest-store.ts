/** Key schema version: a change of layout or encoding gets a new prefix. */
const KEY_VERSION = 'v1'

/** A user's serialised forest with the model version it was saved at. */
export interface StoredForest {
  version: number
  bytes: ArrayBuffer
}

/**
 * Per-user forests in R2, one object per tenant and user: `v1:{tenant}:forests:{user}`. The
 * object is the forest engine's binary serialisation; custom metadata `version` is the user's
 * model version, which grows by one with every rating change.
 */
export class ForestStore {
  constructor(
    private readonly bucket: R2Bucket,
    private readonly tenant: string,
  ) {}

  private key(user: string): string {
    return `${KEY_VERSION}:${this.tenant}:forests:${user}`
  }

  async put(user: string, version: number, bytes: ArrayBuffer | Uint8Array): Promise<void> {
    await this.bucket.put(this.key(user), bytes, {
      customMetadata: { version: String(version) },
    })
  }

  /** Returns the version of the stored forest without reading it, or undefined when none. */
  async version(user: string): Promise<number | undefined> {
    const head = await this.bucket.head(this.key(user))
    return head ? Number(head.customMetadata?.version ?? 0) : undefined
  }

  async get(user: string): Promise<StoredForest | undefined> {
    const object = await this.bucket.get(this.key(user))
    if (!object) return undefined
    return {
      version: Number(object.customMetadata?.version ?? 0),
      bytes: await object.arrayBuffer(),
    }
  }

  async delete(user: string): Promise<void> {
    await this.bucket.delete(this.key(user))
  }
}
