import type { ForestStore } from '../storage/forest-store'

/** A serialised forest at a model version; null bytes mean the user has no forest. */
export interface ForestSnapshot {
  version: number
  bytes: Uint8Array | null
}

/**
 * Copies a user's latest forest to R2 in the background, one write at a time. Snapshots that
 * arrive while a write runs replace each other, so a burst of ratings costs one write per
 * in-flight write rather than one per rating, and R2 never goes back to an older version.
 */
export class ForestPublisher {
  private latest: ForestSnapshot | null = null
  private publishedVersion = -1
  private running: Promise<void> | null = null

  constructor(
    private readonly store: ForestStore,
    private readonly user: string,
  ) {}

  /** The newest snapshot handed to `publish`, written to R2 or not. */
  get snapshot(): ForestSnapshot | null {
    return this.latest
  }

  /** Queues a snapshot for R2 and returns without waiting for the write. */
  publish(snapshot: ForestSnapshot): void {
    this.latest = snapshot
    this.running ??= this.drain().finally(() => {
      this.running = null
    })
  }

  /** Waits until the newest snapshot is in R2 (or its write failed). Returns its version. */
  async flush(): Promise<number> {
    while (this.running) await this.running
    return this.publishedVersion
  }

  private async drain(): Promise<void> {
    while (this.latest && this.latest.version > this.publishedVersion) {
      const snapshot = this.latest
      try {
        if (snapshot.bytes) await this.store.put(this.user, snapshot.version, snapshot.bytes)
        else await this.store.delete(this.user)
        this.publishedVersion = snapshot.version
      } catch (error) {
        // The ratings stay in SQLite, and readers that find an older version in R2 ask the
        // Durable Object for its forest, so a failed copy is logged and left to the next one.
        console.error(
          JSON.stringify({
            level: 'error',
            message: 'failed to copy a forest to R2',
            version: snapshot.version,
            error: String(error),
          }),
        )
        return
      }
    }
  }
}
