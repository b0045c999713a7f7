import type { ForestStore } from '../storage/forest-store'
import { decodeForest, type RandomForest } from './forest-adapter'

/** Number of user forests an isolate keeps decoded between requests. */
const MAX_CACHED_FORESTS = 256

/**
 * Decoded user forests of this isolate, keyed by tenant and user, least recently used first.
 * An entry is used only while its version is the user's current model version. A user's
 * versions never repeat, not even after DELETE /users/{user}, so an entry is never taken for
 * the forest of later ratings.
 */
const cache = new Map<string, { version: number; forest: RandomForest }>()

/**
 * Returns the user's forest at model version `version` or later: from this isolate's cache, else
 * from R2. While the copy of the newest version to R2 is still running (or failed), the forest
 * comes from `fetchSnapshot`, which requests it from the user's Durable Object. Undefined means
 * the user has no forest.
 */
export async function loadUserForest(
  store: ForestStore,
  tenant: string,
  user: string,
  version: number,
  fetchSnapshot: () => Promise<{ version: number; bytes: Uint8Array | null }>,
): Promise<RandomForest | undefined> {
  const key = `${tenant}:${user}`
  const cached = cache.get(key)
  if (cached && cached.version === version) {
    cache.delete(key)
    cache.set(key, cached)
    return cached.forest
  }
  let stored: { version: number; bytes: ArrayBuffer | Uint8Array | null } | undefined =
    await store.get(user)
  if (!stored || stored.version < version) stored = await fetchSnapshot()
  if (!stored.bytes) return undefined
  const forest = decodeForest(stored.bytes)
  cache.delete(key)
  cache.set(key, { version: stored.version, forest })
  if (cache.size > MAX_CACHED_FORESTS) cache.delete(cache.keys().next().value!)
  return forest
}

/** Forgets every decoded forest, as a new isolate starts without them. */
export function clearForestCache(): void {
  cache.clear()
}
