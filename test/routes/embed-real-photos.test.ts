import { describe, expect, it } from 'vitest'

import { postImage, type EmbedBody } from '../support/api'
import { HAS_DATA, readFixture, readManifest } from '../support/fixtures'

/** ImageNet class ids of domestic cats (281-285) and of dog breeds (151-268). */
const isCatClass = (id: number) => id >= 281 && id <= 285
const isDogClass = (id: number) => id >= 151 && id <= 268

const PHOTOS_PER_CLASS = 100

async function shareWithClassInTop5(
  paths: string[],
  isClass: (id: number) => boolean,
): Promise<number> {
  let hits = 0
  for (const path of paths) {
    const response = await postImage(await readFixture(`cats_dogs_kaggle/${path}`))
    const body = (await response.json()) as EmbedBody
    expect(response.status, path).toBe(201)
    if (body.labels.some((label) => isClass(label.id))) hits++
  }
  return hits / paths.length
}

describe.skipIf(!HAS_DATA)('POST /embed on real photos', () => {
  it('puts a cat class in the top 5 for at least 90% of 100 cats', async () => {
    const manifest = await readManifest('cats_dogs_kaggle')
    const cats = manifest.filter((entry) => entry.label === 'cat').slice(0, PHOTOS_PER_CLASS)

    const share = await shareWithClassInTop5(
      cats.map((entry) => entry.path!),
      isCatClass,
    )

    expect(cats).toHaveLength(PHOTOS_PER_CLASS)
    expect(share).toBeGreaterThanOrEqual(0.9)
  })

  it('puts a dog class in the top 5 for at least 90% of 100 dogs', async () => {
    const manifest = await readManifest('cats_dogs_kaggle')
    const dogs = manifest.filter((entry) => entry.label === 'dog').slice(0, PHOTOS_PER_CLASS)

    const share = await shareWithClassInTop5(
      dogs.map((entry) => entry.path!),
      isDogClass,
    )

    expect(dogs).toHaveLength(PHOTOS_PER_CLASS)
    expect(share).toBeGreaterThanOrEqual(0.9)
  })
})
