import { describe, expect, it } from 'vitest'

import { FeatureForestError } from '../../src/errors'
import { MAX_FORM_PARTS, parseMultipart, textField } from '../../src/http/multipart'
import { latin1, multipartBody } from '../support/multipart'

const CONTENT_TYPE = 'multipart/form-data; boundary=b'

/** Parses `text` as a form and returns each part as name, file name and content text. */
function parseText(text: string, contentType = CONTENT_TYPE) {
  return parseMultipart(new TextEncoder().encode(text), contentType).map((part) => ({
    name: part.name,
    filename: part.filename,
    content: new TextDecoder().decode(part.bytes),
  }))
}

function parseError(text: string, contentType = CONTENT_TYPE): string {
  try {
    parseText(text, contentType)
  } catch (error) {
    expect(error).toBeInstanceOf(FeatureForestError)
    return (error as FeatureForestError).message
  }
  throw new Error('the body was parsed')
}

describe('parseMultipart', () => {
  it('splits fields and files at the boundaries', () => {
    const image = new Uint8Array([0xff, 0xd8, 0x0d, 0x0a, 0x2d, 0x2d, 0x00])
    const form = multipartBody([
      { name: 'image', filename: 'a.jpg', content: image },
      { name: 'id', content: 'cat-1' },
      { name: 'empty', content: '' },
    ])

    const parts = parseMultipart(form.body, form.contentType)

    expect(parts.map((part) => [part.name, part.filename])).toEqual([
      ['image', 'a.jpg'],
      ['id', undefined],
      ['empty', undefined],
    ])
    expect(parts[0]!.bytes).toEqual(image)
    expect(textField(parts[1]!)).toBe('cat-1')
    expect(parts[2]!.bytes).toHaveLength(0)
  })

  it.each([
    ['lines that end in LF alone', '--b\nContent-Disposition: form-data; name="a"\n\nx\n--b--\n'],
    [
      'a preamble and an epilogue',
      'hi\r\n--b\r\ncontent-disposition: form-data; name=a\r\n\r\nx\r\n--b--\r\nbye',
    ],
    [
      'blanks after a boundary',
      '--b \t\r\nContent-Disposition: form-data; name="a"\r\n\r\nx\r\n--b--',
    ],
  ])('accepts %s', (_, text) => {
    expect(parseText(text)).toEqual([{ name: 'a', filename: undefined, content: 'x' }])
  })

  it('reads quoted boundaries and escaped names', () => {
    const text =
      '--b c\r\nContent-Type: text/plain\r\nContent-Disposition: form-data; name="a\\"b"\r\n\r\nx\r\n--b c--\r\n'

    expect(parseText(text, 'multipart/form-data; boundary="b c"')).toEqual([
      { name: 'a"b', filename: undefined, content: 'x' },
    ])
  })

  it.each([
    ['no boundary parameter', '--b--\r\n', 'multipart/form-data', 'no boundary parameter'],
    ['no boundary in the body', 'x', CONTENT_TYPE, 'the body has no boundary'],
    [
      'no closing boundary',
      '--b\r\nContent-Disposition: form-data; name="a"\r\n\r\nx\r\n',
      CONTENT_TYPE,
      'the closing boundary is missing',
    ],
    [
      'no Content-Disposition',
      '--b\r\nX: y\r\n\r\nx\r\n--b--\r\n',
      CONTENT_TYPE,
      'no Content-Disposition header',
    ],
    [
      'an attachment',
      '--b\r\nContent-Disposition: attachment; name="a"\r\n\r\nx\r\n--b--\r\n',
      CONTENT_TYPE,
      'other than form-data',
    ],
    [
      'no field name',
      '--b\r\nContent-Disposition: form-data\r\n\r\nx\r\n--b--\r\n',
      CONTENT_TYPE,
      'no field name',
    ],
    [
      'a longer boundary in the content',
      '--b\r\nContent-Disposition: form-data; name="a"\r\n\r\nx\r\n--bb\r\n--b--\r\n',
      CONTENT_TYPE,
      'not followed by a line break',
    ],
    [
      'no blank line after the headers',
      '--b\r\nContent-Disposition: form-data; name="a"',
      CONTENT_TYPE,
      'no blank line',
    ],
  ])('rejects %s', (_, text, contentType, message) => {
    expect(parseError(text, contentType)).toContain(message)
  })

  it(`rejects more than ${MAX_FORM_PARTS} parts`, () => {
    const parts = Array.from({ length: MAX_FORM_PARTS + 1 }, (_, i) => ({
      name: `f${i}`,
      content: 'x',
    }))
    const form = multipartBody(parts)

    expect(() => parseMultipart(form.body, form.contentType)).toThrow(`more than ${MAX_FORM_PARTS}`)
  })
})

describe('textField', () => {
  it('keeps a U+FFFD that was sent as UTF-8', () => {
    const form = multipartBody([{ name: 'note', content: 'caf\ufffd' }])

    expect(textField(parseMultipart(form.body, form.contentType)[0]!)).toBe('caf\ufffd')
  })

  it('rejects bytes that are not UTF-8, naming the field', () => {
    const form = multipartBody([{ name: 'note', content: latin1('café') }])
    const [part] = parseMultipart(form.body, form.contentType)

    expect(() => textField(part!)).toThrow('multipart field "note" is not valid UTF-8')
  })
})
