import { ortHeapBytes } from '../backbone/ort-workerd'
import type { CatalogStore } from '../storage/catalog-store'
import type { CatalogShard } from './shard-codec'
import type { CatalogManifest } from './types'

/** A decoded shard with the norm of each dequantised vector, as scoring reads it. */
export interface ScoringShard {
  shard: number
  version: number
  content: CatalogShard
  norms: Float32Array
}

/**
 * Byte budget of the shards an isolate keeps between requests while it runs no model. 48 MB fits
 * 18 shards (about 37,000 items of 1,280 dimensions).
 */
export const SHARD_CACHE_BYTES = 48 * 1024 * 1024

/**
 * Least-recently-used cache of decoded shards, keyed by tenant and shard number. Its budget is
 * `budgetBytes` minus what `reservedBytes` returns on each read and insertion, never below 0.
 */
export class ShardCache {
  private readonly entries = new Map<string, ScoringShard>()
  private bytes = 0

  constructor(
    private readonly budgetBytes: number,
    private readonly reservedBytes: () => number = () => 0,
  ) {}

  /** Bytes the cache may hold now. */
  get maxBytes(): number {
    return Math.max(0, this.budgetBytes - this.reservedBytes())
  }

  get(tenant: string, shard: number, version: number): ScoringShard | undefined {
    this.evictOverBudget()
    const key = `${tenant}:${shard}`
    const entry = this.entries.get(key)
    if (!entry || entry.version !== version) return undefined
    this.entries.delete(key)
    this.entries.set(key, entry)
    return entry
  }

  set(tenant: string, entry: ScoringShard): void {
    const key = `${tenant}:${entry.shard}`
    const previous = this.entries.get(key)
    if (previous) {
      this.entries.delete(key)
      this.bytes -= sizeOf(previous)
    }
    this.entries.set(key, entry)
    this.bytes += sizeOf(entry)
    this.evictOverBudget()
  }

  /** Evicts the least recently used entries until the cache fits its current budget. */
  private evictOverBudget(): void {
    const maxBytes = this.maxBytes
    for (const [oldest, value] of this.entries) {
      if (this.bytes <= maxBytes) break
      this.entries.delete(oldest)
      this.bytes -= sizeOf(value)
    }
  }

  clear(): void {
    this.entries.clear()
    this.bytes = 0
  }
}

/**
 * Shard cache of this isolate. The onnxruntime heap of the backbones is reserved from its budget:
 * with the image session (58.5 MB) or the text session it caches nothing, so that the isolate
 * stays within its 128 MB while it also decodes images.
 */
// NOTE: an isolate that has embedded anything streams every shard from R2 on each request.
export const ISOLATE_SHARD_CACHE = new ShardCache(SHARD_CACHE_BYTES, ortHeapBytes)

/**
 * Yields every shard of the manifest, from the cache when its version matches, else from R2.
 * The next shard is fetched while the caller scores the current one. A shard read from R2 is
 * cached only while the shards of this scan fit in the budget together, so the first shards of
 * a larger catalog stay cached and the rest are streamed. Caching every shard would evict each
 * one before the next scan reaches it again, the worst case of least-recently-used caching.
 */
// NOTE: a catalog larger than the cache budget (about 37,000 items) is partly streamed from R2
// on every request: of 100,000 items, 31 of 49 shards of 2.6 MB are read again each time.
export async function* readShards(
  tenant: string,
  manifest: CatalogManifest,
  store: CatalogStore,
  cache: ShardCache = ISOLATE_SHARD_CACHE,
): AsyncGenerator<ScoringShard> {
  let scanBytes = 0
  const load = async (index: number): Promise<ScoringShard | undefined> => {
    const entry = manifest.shards[index]
    if (!entry) return undefined
    const cached = cache.get(tenant, entry.shard, entry.version)
    if (cached) {
      scanBytes += sizeOf(cached)
      return cached
    }
    const stored = await store.getShard(entry.shard)
    if (!stored) return undefined
    const scoring = {
      shard: entry.shard,
      version: stored.version,
      content: stored.shard,
      norms: vectorNorms(stored.shard),
    }
    if (scanBytes + sizeOf(scoring) <= cache.maxBytes) {
      scanBytes += sizeOf(scoring)
      cache.set(tenant, scoring)
    }
    return scoring
  }
  let next = load(0)
  for (let index = 0; index < manifest.shards.length; index++) {
    const current = await next
    next = load(index + 1)
    if (current) yield current
  }
}

/** Returns the Euclidean norm of every dequantised vector of a shard. */
function vectorNorms(shard: CatalogShard): Float32Array {
  const { dimensions, codes, offsets, steps } = shard
  const norms = new Float32Array(shard.ids.length)
  for (let slot = 0; slot < norms.length; slot++) {
    const offset = offsets[slot]!
    const step = steps[slot]!
    let sum = 0
    for (let i = slot * dimensions; i < (slot + 1) * dimensions; i++) {
      const value = offset + codes[i]! * step
      sum += value * value
    }
    norms[slot] = Math.sqrt(sum)
  }
  return norms
}

function sizeOf(entry: ScoringShard): number {
  return entry.content.codes.byteLength + 12 * entry.content.ids.length
}
