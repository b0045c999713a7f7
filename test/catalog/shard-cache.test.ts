import { describe, expect, it } from 'vitest'

import { readShards, ShardCache } from '../../src/catalog/shard-cache'
import type { CatalogShard } from '../../src/catalog/shard-codec'
import type { CatalogManifest } from '../../src/catalog/types'
import type { CatalogStore } from '../../src/storage/catalog-store'

const DIMENSIONS = 4
const SLOTS = 10
/** Bytes one test shard counts against the cache budget: codes plus 12 bytes per slot. */
const SHARD_BYTES = DIMENSIONS * SLOTS + 12 * SLOTS

function shardOf(index: number): CatalogShard {
  return {
    dimensions: DIMENSIONS,
    ids: Array.from({ length: SLOTS }, (_, slot) => `item-${index}-${slot}`),
    offsets: new Float32Array(SLOTS),
    steps: new Float32Array(SLOTS).fill(1),
    codes: new Uint8Array(DIMENSIONS * SLOTS).fill(index + 1),
  }
}

/** Builds an in-memory shard store that records the shards it reads. */
function countingStore(shardCount: number) {
  const reads: number[] = []
  const store = {
    getShard: async (shard: number) => {
      reads.push(shard)
      return shard < shardCount ? { version: 1, shard: shardOf(shard) } : undefined
    },
  } as unknown as CatalogStore
  return { store, reads }
}

function manifestOf(shardCount: number): CatalogManifest {
  return {
    space: null,
    dimensions: DIMENSIONS,
    itemCount: shardCount * SLOTS,
    shards: Array.from({ length: shardCount }, (_, shard) => ({ shard, version: 1, slots: SLOTS })),
  }
}

async function scan(
  manifest: CatalogManifest,
  store: CatalogStore,
  cache: ShardCache,
): Promise<number[]> {
  const seen: number[] = []
  for await (const shard of readShards('tenant', manifest, store, cache)) seen.push(shard.shard)
  return seen
}

describe('readShards', () => {
  it('serves a catalog that fits from the cache', async () => {
    const { store, reads } = countingStore(3)
    const cache = new ShardCache(3 * SHARD_BYTES)

    await scan(manifestOf(3), store, cache)
    const second = await scan(manifestOf(3), store, cache)

    expect(second).toEqual([0, 1, 2])
    expect(reads).toEqual([0, 1, 2])
  })

  it('keeps the first shards of a larger catalog cached', async () => {
    const { store, reads } = countingStore(5)
    const cache = new ShardCache(2 * SHARD_BYTES)

    await scan(manifestOf(5), store, cache)
    reads.length = 0
    const second = await scan(manifestOf(5), store, cache)

    expect(second).toEqual([0, 1, 2, 3, 4])
    expect(reads).toEqual([2, 3, 4])
  })

  it('subtracts reserved bytes from the budget', async () => {
    const { store, reads } = countingStore(3)
    let reserved = 2 * SHARD_BYTES
    const cache = new ShardCache(3 * SHARD_BYTES, () => reserved)

    await scan(manifestOf(3), store, cache)
    await scan(manifestOf(3), store, cache)
    const readsWithReservation = reads.length
    reserved = 3 * SHARD_BYTES
    reads.length = 0
    await scan(manifestOf(3), store, cache)
    await scan(manifestOf(3), store, cache)

    expect(cache.maxBytes).toBe(0)
    expect(readsWithReservation).toBe(5)
    expect(reads).toEqual([0, 1, 2, 0, 1, 2])
  })

  it('reads a shard again after its version changes', async () => {
    const { store, reads } = countingStore(2)
    const cache = new ShardCache(2 * SHARD_BYTES)
    await scan(manifestOf(2), store, cache)
    reads.length = 0

    const changed = manifestOf(2)
    changed.shards[1] = { shard: 1, version: 2, slots: SLOTS }
    await scan(changed, store, cache)

    expect(reads).toEqual([1])
  })
})
