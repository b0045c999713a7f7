import { describe, expect, it, vi } from 'vitest'

import { FeatureForestError } from '../../src/errors'
import { MAX_FORM_PARTS, parseMultipart, textField } from '../../src/http/multipart'
import { latin1, multipartBody } from '../support/multipart'

const CONTENT_TYPE = 'multipart/form-data; boundary=b'

/** Parses `text` as a form and returns each part as name, whether it is a file, and content text. */
function parseText(text: string, contentType = CONTENT_TYPE) {
  return parseMultipart(new TextEncoder().encode(text), contentType).map((part) => ({
    name: part.name,
    isFile: part.isFile,
    content: new TextDecoder().decode(part.bytes),
  }))
}

/** Returns the message of the invalid_request error that parsing `body` throws. */
function parseError(body: string | Uint8Array, contentType = CONTENT_TYPE): string {
  try {
    parseMultipart(typeof body === 'string' ? new TextEncoder().encode(body) : body, contentType)
  } catch (error) {
    expect(error).toBeInstanceOf(FeatureForestError)
    expect((error as FeatureForestError).code).toBe('invalid_request')
    return (error as FeatureForestError).message
  }
  throw new Error('expected an invalid_request error, but the body was parsed')
}

/** Builds a form of `count` text fields. */
function fieldsForm(count: number) {
  return multipartBody(Array.from({ length: count }, (_, i) => ({ name: `f${i}`, content: 'x' })))
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

    expect(parts.map((part) => [part.name, part.isFile])).toEqual([
      ['image', true],
      ['id', false],
      ['empty', false],
    ])
    expect(parts[0]!.bytes).toEqual(image)
    expect(parts[0]!.bytes.buffer).toBe(form.body.buffer)
    expect(textField(parts[1]!)).toBe('cat-1')
    expect(parts[2]!.bytes).toHaveLength(0)
  })

  it('treats an empty filename as a file', () => {
    const text =
      '--b\r\nContent-Disposition: form-data; name="a"; filename=""\r\n\r\nx\r\n--b--\r\n'

    expect(parseText(text)).toEqual([{ name: 'a', isFile: true, content: 'x' }])
  })

  it('reads filename* as a file without logging', () => {
    const warn = vi.spyOn(console, 'warn')
    const text =
      '--b\r\nContent-Disposition: form-data; name="a"; filename*=bogus\'\'a.jpg\r\n\r\nx\r\n--b--\r\n'

    expect(parseText(text)).toEqual([{ name: 'a', isFile: true, content: 'x' }])
    expect(warn).not.toHaveBeenCalled()
    warn.mockRestore()
  })

  it('ignores epilogues and header case', () => {
    const text = '--b\r\ncontent-disposition: form-data; name=a\r\n\r\nx\r\n--b--\r\nbye'

    expect(parseText(text)).toEqual([{ name: 'a', isFile: false, content: 'x' }])
  })

  it('reads parameter names in any case', () => {
    const text =
      '--b\r\nContent-Disposition: form-data; NAME="a"; FileName="x.jpg"\r\n\r\nx\r\n--b--\r\n'

    expect(parseText(text)).toEqual([{ name: 'a', isFile: true, content: 'x' }])
  })

  it('reads quoted boundaries and escaped names', () => {
    const text =
      '--b c\r\nContent-Type: text/plain\r\nContent-Disposition: form-data; name="a\\"b"\r\n\r\nx\r\n--b c--\r\n'

    expect(parseText(text, 'multipart/form-data; boundary="b c"')).toEqual([
      { name: 'a"b', isFile: false, content: 'x' },
    ])
  })

  it('skips a preamble before the first boundary', () => {
    const text =
      'hi\r\n--b x\r\n--b\r\nContent-Disposition: form-data; name="a"\r\n\r\nx\r\n--b--\r\n'

    expect(parseText(text)).toEqual([{ name: 'a', isFile: false, content: 'x' }])
  })

  it.each([
    ['a blank before the next parameter', 'multipart/form-data; boundary=b ; charset=utf-8'],
    ['a parameter ending in "boundary"', 'multipart/form-data; xboundary=zz; boundary=b'],
  ])('reads the boundary after %s', (_, contentType) => {
    const text = '--b\r\nContent-Disposition: form-data; name="a"\r\n\r\nx\r\n--b--\r\n'

    expect(parseText(text, contentType)).toEqual([{ name: 'a', isFile: false, content: 'x' }])
  })

  it.each([
    ['no boundary parameter', '--b--\r\n', 'multipart/form-data', 'no boundary parameter'],
    ['no boundary in the body', 'x', CONTENT_TYPE, 'could not be parsed'],
    [
      'lines that end in LF alone',
      '--b\nContent-Disposition: form-data; name="a"\n\nx\n--b--\n',
      CONTENT_TYPE,
      'its lines end in LF alone; end every line in CRLF',
    ],
    ['no closing boundary', '--b\r\nContent-Disposition: form-data; name="a"\r\n\r\nx\r\n'],
    ['no blank line after the headers', '--b\r\nContent-Disposition: form-data; name="a"'],
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
  ])('rejects %s', (_, text, contentType = CONTENT_TYPE, message = 'could not be parsed') => {
    expect(parseError(text, contentType)).toContain(message)
  })

  it('rejects non-UTF-8 part headers', () => {
    const header = '--b\r\nContent-Disposition: form-data; name="caf?"\r\n\r\nx\r\n--b--\r\n'
    const body = new TextEncoder().encode(header)
    body[header.indexOf('?')] = 0xe9

    expect(parseError(body)).toContain('a part header is not valid UTF-8')
  })

  it.each([
    ['first', '--b\r\n\r\nx\r\n--b--\r\n'],
    [
      'second',
      '--b\r\nContent-Disposition: form-data; name="a"\r\n\r\nx\r\n--b\r\n\r\ny\r\n--b--\r\n',
    ],
  ])('names a %s part without headers', (_, text) => {
    expect(parseError(text)).toBe(
      'multipart body could not be parsed: a part has no headers; give every part a Content-Disposition header',
    )
  })

  it.each([
    [
      'content',
      '--b\r\nContent-Disposition: form-data; name="a"\r\n\r\n--b\r\n\r\nx\r\n--b--\r\n',
      '--b\r\n\r\nx',
    ],
    [
      'the epilogue',
      '--b\r\nContent-Disposition: form-data; name="a"\r\n\r\nx\r\n--b--\r\n--b\r\n\r\ny\r\n',
      'x',
    ],
  ])('accepts a boundary and blank line in %s', (_, text, content) => {
    expect(parseText(text)).toEqual([{ name: 'a', isFile: false, content }])
  })

  it('limits part headers to 16 KiB', () => {
    const form = (padding: number) =>
      `--b\r\nContent-Disposition: form-data; name="a"\r\nX-Padding: ${'y'.repeat(padding)}` +
      '\r\n\r\nx\r\n--b--\r\n'
    // The header block is the two header lines and the CRLF between them.
    const fixed = 'Content-Disposition: form-data; name="a"\r\nX-Padding: '.length

    expect(parseText(form(16 * 1024 - fixed))).toHaveLength(1)
    expect(parseError(form(16 * 1024 - fixed + 1))).toContain('more than 16384 bytes of headers')
  })

  it(`limits forms to ${MAX_FORM_PARTS} parts`, () => {
    const form = fieldsForm(MAX_FORM_PARTS)
    const over = fieldsForm(MAX_FORM_PARTS + 1)

    expect(parseMultipart(form.body, form.contentType)).toHaveLength(MAX_FORM_PARTS)
    expect(parseError(over.body, over.contentType)).toContain(`more than ${MAX_FORM_PARTS} parts`)
  })

  it('keeps files over 2 MiB', () => {
    // 2 MiB is the library's default maxFileSize, which parseMultipart raises.
    const form = multipartBody([
      { name: 'image', filename: 'a.jpg', content: new Uint8Array(3 * 1024 * 1024) },
    ])

    expect(parseMultipart(form.body, form.contentType)[0]!.bytes).toHaveLength(3 * 1024 * 1024)
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
