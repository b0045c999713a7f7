import { FeatureForestError } from '../errors'
import { SUPPORTED_FORMATS, type ImageFormat } from './types'

interface Signature {
  kind: string
  offset: number
  bytes: readonly number[]
}

const ascii = (text: string): number[] => Array.from(text, (char) => char.charCodeAt(0))

/** Magic bytes of the supported formats. PNG is matched without its first byte, see `sniffFormat`. */
const SUPPORTED_SIGNATURES: readonly (Signature & { kind: ImageFormat })[] = [
  { kind: 'jpeg', offset: 0, bytes: [0xff, 0xd8, 0xff] },
  { kind: 'png', offset: 1, bytes: ascii('PNG') },
  { kind: 'gif', offset: 0, bytes: ascii('GIF8') },
  { kind: 'webp', offset: 8, bytes: ascii('WEBP') },
]

/** Magic bytes of common formats that are not decoded, so the error can name them. */
const UNSUPPORTED_SIGNATURES: readonly Signature[] = [
  { kind: 'BMP', offset: 0, bytes: ascii('BM') },
  { kind: 'TIFF', offset: 0, bytes: [0x49, 0x49, 0x2a, 0x00] },
  { kind: 'TIFF', offset: 0, bytes: [0x4d, 0x4d, 0x00, 0x2a] },
  { kind: 'HEIC', offset: 4, bytes: ascii('ftypheic') },
  { kind: 'HEIC', offset: 4, bytes: ascii('ftypheix') },
  { kind: 'HEIC', offset: 4, bytes: ascii('ftypmif1') },
  { kind: 'AVIF', offset: 4, bytes: ascii('ftypavif') },
  { kind: 'JPEG XL', offset: 0, bytes: [0xff, 0x0a] },
  { kind: 'JPEG XL', offset: 0, bytes: [0x00, 0x00, 0x00, 0x0c, 0x4a, 0x58, 0x4c, 0x20] },
  { kind: 'ICO', offset: 0, bytes: [0x00, 0x00, 0x01, 0x00] },
  { kind: 'PSD', offset: 0, bytes: ascii('8BPS') },
  { kind: 'PDF', offset: 0, bytes: ascii('%PDF') },
  { kind: 'SVG or XML', offset: 0, bytes: ascii('<?xml') },
  { kind: 'SVG', offset: 0, bytes: ascii('<svg') },
  { kind: 'ZIP', offset: 0, bytes: ascii('PK') },
]

function matches(bytes: Uint8Array, signature: Signature): boolean {
  return signature.bytes.every((value, index) => bytes[signature.offset + index] === value)
}

/**
 * Detects the image format from magic bytes, ignoring any file name or Content-Type. A PNG
 * signature with a damaged first byte still sniffs as PNG, so the PNG decoder reports the file as
 * corrupt. WebP also needs the RIFF tag at offset 0.
 */
export function sniffFormat(bytes: Uint8Array): ImageFormat {
  for (const signature of SUPPORTED_SIGNATURES) {
    if (!matches(bytes, signature)) {
      continue
    }
    if (
      signature.kind === 'webp' &&
      !matches(bytes, { kind: 'RIFF', offset: 0, bytes: ascii('RIFF') })
    ) {
      continue
    }
    return signature.kind
  }
  const detected = describeUnsupported(bytes)
  throw new FeatureForestError(
    'unsupported_format',
    `${detected} is not a supported image format; send one of ${SUPPORTED_FORMATS.join(', ')}`,
  )
}

function describeUnsupported(bytes: Uint8Array): string {
  if (bytes.length === 0) {
    return 'an empty body'
  }
  const known = UNSUPPORTED_SIGNATURES.find((signature) => matches(bytes, signature))
  if (known) {
    return `${known.kind} data`
  }
  if (looksLikeText(bytes)) {
    const first = String.fromCharCode(bytes.find((byte) => byte > 0x20) ?? 0)
    return first === '{' || first === '['
      ? 'text that looks like JSON (send JSON with Content-Type: application/json)'
      : 'text'
  }
  const head = Array.from(bytes.subarray(0, 4), (value) => value.toString(16).padStart(2, '0'))
  return `data starting with bytes ${head.join(' ')}`
}

/**
 * Returns true when the first 512 bytes are UTF-8 text: valid sequences (one cut off at the end
 * is allowed) and no control bytes other than tab, line feed, form feed and carriage return.
 */
function looksLikeText(bytes: Uint8Array): boolean {
  const head = bytes.subarray(0, 512)
  const isControl = (byte: number) =>
    (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0c && byte !== 0x0d) ||
    byte === 0x7f
  if (head.some(isControl)) {
    return false
  }
  const complete = head.subarray(0, lastCompleteUtf8(head))
  if (complete.length === 0) {
    return false
  }
  try {
    new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(complete)
    return true
  } catch {
    return false
  }
}

/** Length of `head` without a UTF-8 sequence cut off at its end. */
function lastCompleteUtf8(head: Uint8Array): number {
  const end = head.length
  for (let back = 1; back <= 3 && end - back >= 0; back++) {
    const value = head[end - back] ?? 0
    if ((value & 0xc0) === 0xc0) {
      return end - back
    }
    if ((value & 0x80) === 0) {
      return end
    }
  }
  return end
}
