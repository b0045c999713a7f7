import { env } from 'cloudflare:workers'
import { describe, expect, it } from 'vitest'

import { ForestPublisher } from '../../src/ratings/forest-publisher'
import { ForestStore } from '../../src/storage/forest-store'

describe('ForestPublisher', () => {
  it('leaves the newest of several snapshots in R2', async () => {
    const store = new ForestStore(env.MODELS, 'publisher')
    const publisher = new ForestPublisher(store, 'amy')

    publisher.publish({ version: 1, bytes: Uint8Array.from([1]) })
    publisher.publish({ version: 2, bytes: Uint8Array.from([2]) })
    publisher.publish({ version: 3, bytes: Uint8Array.from([3, 3]) })
    const flushed = await publisher.flush()
    const stored = await store.get('amy')

    expect(flushed).toBe(3)
    expect(stored?.version).toBe(3)
    expect(Array.from(new Uint8Array(stored!.bytes))).toEqual([3, 3])
  })

  it('deletes the stored forest for a snapshot without one', async () => {
    const store = new ForestStore(env.MODELS, 'publisher')
    const publisher = new ForestPublisher(store, 'bob')
    publisher.publish({ version: 1, bytes: Uint8Array.from([1]) })
    await publisher.flush()

    publisher.publish({ version: 2, bytes: null })
    await publisher.flush()

    expect(await store.get('bob')).toBeUndefined()
  })

  it('keeps the newest snapshot for readers before the write ends', () => {
    const publisher = new ForestPublisher(new ForestStore(env.MODELS, 'publisher'), 'cal')

    publisher.publish({ version: 7, bytes: Uint8Array.from([7]) })

    expect(publisher.snapshot?.version).toBe(7)
  })
})
