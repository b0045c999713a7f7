import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

import { REPO_ROOT } from './worker-server'

/** Tenant of every request the recommendation benchmark sends. */
export const TENANT = 'bench'

const REQUEST_TIMEOUT_MS = 120_000

/** Sends a request to the server and returns the parsed JSON; throws on a non-2xx status. */
export async function call<T>(base: string, path: string, init: RequestInit = {}): Promise<T> {
  const response = await fetch(`${base}${path}`, {
    ...init,
    headers: { 'X-FeatureForest-Tenant': TENANT, ...(init.headers ?? {}) },
    signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
  })
  const text = await response.text()
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${response.status} ${text}`)
  return (text ? JSON.parse(text) : undefined) as T
}

export function postJson<T>(base: string, path: string, body: unknown): Promise<T> {
  return call<T>(base, path, {
    method: 'POST',
    body: JSON.stringify(body),
    headers: { 'Content-Type': 'application/json' },
  })
}

/** Runs `task` over `items` with at most `concurrency` in flight. */
export async function forEachLimited<T>(
  items: readonly T[],
  concurrency: number,
  task: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0
  const workers = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (next < items.length) {
      const index = next++
      await task(items[index]!, index)
    }
  })
  await Promise.all(workers)
}

/**
 * Writes the poster content ids and embeddings to bench/.cache/movielens-embeddings.json, for
 * offline experiments with the forest options; the benchmark itself never reads it.
 */
export function writeEmbeddingCache(
  contentIds: Map<string, string>,
  embeddings: Map<string, Float32Array>,
): void {
  const cacheDir = join(REPO_ROOT, 'bench', '.cache')
  mkdirSync(cacheDir, { recursive: true })
  const entries = [...embeddings].map(([movie, embedding]) => ({
    movie,
    contentId: contentIds.get(movie),
    embedding: Array.from(embedding),
  }))
  writeFileSync(join(cacheDir, 'movielens-embeddings.json'), JSON.stringify(entries))
}

/** Replaces the "## Recommendations" section of BENCHMARKS.md, or appends it. */
export function writeSection(section: string): void {
  const path = join(REPO_ROOT, 'BENCHMARKS.md')
  const current = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmarks\n'
  const pattern = /## Recommendations\n[\s\S]*?(?=\n## |$)/
  const next = pattern.test(current)
    ? current.replace(pattern, section.trimEnd() + '\n')
    : `${current.trimEnd()}\n\n${section.trimEnd()}\n`
  writeFileSync(path, next)
}
