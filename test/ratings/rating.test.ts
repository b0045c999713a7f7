import { describe, expect, it } from 'vitest'

import { FeatureForestError } from '../../src/errors'
import { LIKE_THRESHOLD_STARS, parseRating } from '../../src/ratings/rating'

describe('parseRating', () => {
  it.each([
    [LIKE_THRESHOLD_STARS, 'like'],
    [LIKE_THRESHOLD_STARS - 0.5, 'dislike'],
    [0.5, 'dislike'],
    [5, 'like'],
    ['like', 'like'],
    ['dislike', 'dislike'],
  ])('reads %s as %s', (value, label) => {
    expect(parseRating(value).label).toBe(label)
  })

  it.each([0, 5.5, 4.2, -1, NaN, '4', 'love', null, undefined, true])('rejects %s', (value) => {
    expect(() => parseRating(value)).toThrow(FeatureForestError)
  })
})
