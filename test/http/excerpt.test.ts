import { describe, expect, it } from 'vitest'

import { excerpt } from '../../src/http/excerpt'

describe('excerpt', () => {
  it('keeps text up to the limit whole', () => {
    expect(excerpt('abc', 3)).toBe('abc')
    expect(excerpt('abcdef', 3)).toBe('abc')
  })

  it('drops the first half of a surrogate pair at the cut', () => {
    // '😀' is two UTF-16 code units, so 'a😀' cut at 2 would end inside the pair. Lengths are
    // compared rather than strings: vitest's connection to workerd drops a failure message that
    // quotes a lone surrogate.
    expect(excerpt('a😀b', 2).length).toBe(1)
    expect(excerpt('a😀b', 3) === 'a😀').toBe(true)
  })
})
