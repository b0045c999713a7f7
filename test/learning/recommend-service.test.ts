import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'

import { tenantDeps, type TenantDeps } from '../../src/deps'
import { recommendFromExamples } from '../../src/learning/recommend-service'
import { seedCatalog } from '../support/catalog'

const OPTIONS = { k: 3, exclude: [], lambda: 1, explore: 0 }

/** Returns deps whose catalog index deletes the first selected item just before describing it. */
function depsDeletingFirstSelected(tenant: string, deleted: string[]): TenantDeps {
  const deps = tenantDeps(env, tenant)
  const index = deps.index
  const racingIndex = {
    getManifest: (name: string) => index.getManifest(name),
    getItemsWithVectors: (ids: string[]) => index.getItemsWithVectors(ids),
    getTags: (ids: string[]) => index.getTags(ids),
    getItemsAndContentIds: async (ids: string[], contentOf: string[]) => {
      deleted.push(ids[0]!)
      await index.deleteItem(tenant, ids[0]!)
      return index.getItemsAndContentIds(ids, contentOf)
    },
  }
  return { ...deps, index: racingIndex as unknown as TenantDeps['index'] }
}

describe('recommendFromExamples', () => {
  it('leaves out an item deleted after its shard was read', async () => {
    await seedCatalog('service-race', 4)
    const deleted: string[] = []

    const result = await recommendFromExamples(
      depsDeletingFirstSelected('service-race', deleted),
      ['c0-0'],
      ['c1-0'],
      OPTIONS,
    )

    expect(deleted).toHaveLength(1)
    expect(result.items.map((item) => item.item)).not.toContain(deleted[0])
    expect(result.items).toHaveLength(OPTIONS.k - 1)
    expect(result.items.every((item) => item.metadata !== null)).toBe(true)
  })
})
