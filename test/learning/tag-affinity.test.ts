import { describe, expect, it } from 'vitest'

import {
  countTagAffinity,
  likedTags,
  TAG_PRIOR_RATINGS,
  tagLikeRate,
} from '../../src/learning/tag-affinity'
import { createTasteModel, toExample, withTagAffinity } from '../../src/learning/taste-model'

const like = (...tags: string[]) => ({ liked: true, tags })
const dislike = (...tags: string[]) => ({ liked: false, tags })

describe('countTagAffinity', () => {
  it('shrinks each tag towards the overall like-rate', () => {
    // 3 of 4 ratings are likes; drama: 2 liked of 2, horror: 0 liked of 1.
    const affinity = countTagAffinity([like('drama'), like('drama'), like(), dislike('horror')])!

    expect(TAG_PRIOR_RATINGS).toBe(2)
    expect(affinity.baseRate).toBe(0.75)
    expect(affinity.rates.get('drama')).toBeCloseTo((2 + 2 * 0.75) / (2 + 2), 12)
    expect(affinity.rates.get('horror')).toBeCloseTo((0 + 2 * 0.75) / (1 + 2), 12)
    expect(affinity.rates.has('comedy')).toBe(false)
  })

  it.each([
    ['no tags', [like(), dislike()]],
    ['only likes', [like('a'), like('b')]],
    ['only dislikes', [dislike('a')]],
    ['no ratings', []],
  ])('gives nothing for %s', (_, ratings) => {
    expect(countTagAffinity(ratings)).toBeNull()
  })
})

describe('tagLikeRate', () => {
  const affinity = countTagAffinity([like('a'), like('a'), dislike('b'), dislike('b')])!

  it("averages the rates of an item's tags", () => {
    const a = (2 + 2 * 0.5) / 4
    expect(tagLikeRate(affinity, ['a'])).toBeCloseTo(a, 12)
    expect(tagLikeRate(affinity, ['a', 'new'])).toBeCloseTo((a + 0.5) / 2, 12)
  })

  it('gives an item without tags the overall rate', () => {
    expect(tagLikeRate(affinity, [])).toBe(0.5)
  })
})

describe('likedTags', () => {
  it('names up to three liked tags', () => {
    const affinity = countTagAffinity([
      like('a', 'b', 'c', 'd'),
      like('a', 'b', 'c'),
      like('a', 'b'),
      like('a'),
      dislike('e'),
      dislike('d'),
      dislike(),
      dislike(),
    ])!

    expect(likedTags(affinity, ['e', 'd', 'c', 'b', 'a', 'x'])).toEqual(['a', 'b', 'c'])
    expect(likedTags(affinity, ['e', 'd', 'x'])).toEqual([])
  })
})

describe('withTagAffinity', () => {
  const vector = new Float32Array([1, 0])
  const liked = [toExample('liked', 'content-liked', vector)]
  const disliked = [toExample('disliked', 'content-disliked', vector)]
  const forest = {} as Parameters<typeof createTasteModel>[2]

  it('counts tags of unchanged rated items', () => {
    const model = withTagAffinity(createTasteModel(liked, disliked, forest), [
      { contentId: 'content-liked', tags: ['kept'] },
      { contentId: 'other content', tags: ['reused'] },
    ])

    expect([...model.tagAffinity!.rates.keys()]).toEqual(['kept'])
  })

  it('counts nothing for a rated item no longer in the catalog', () => {
    const model = withTagAffinity(createTasteModel(liked, disliked, forest), [
      { contentId: null, tags: [] },
      { contentId: 'content-disliked', tags: ['b'] },
    ])

    expect([...model.tagAffinity!.rates.keys()]).toEqual(['b'])
  })

  it('leaves models without a forest untouched', () => {
    const model = withTagAffinity(createTasteModel(liked, [], null), [
      { contentId: 'content-liked', tags: ['a'] },
    ])

    expect(model.tagAffinity).toBeNull()
  })
})
