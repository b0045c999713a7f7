import { FeatureForestError } from '../errors'

/** Little-endian binary writer that grows its buffer as needed. */
export class ByteWriter {
  private bytes = new Uint8Array(1024)
  private view = new DataView(this.bytes.buffer)
  private offset = 0

  uint8(value: number): void {
    this.reserve(1).setUint8(this.offset, value)
    this.offset += 1
  }

  uint16(value: number): void {
    this.reserve(2).setUint16(this.offset, value, true)
    this.offset += 2
  }

  uint32(value: number): void {
    this.reserve(4).setUint32(this.offset, value, true)
    this.offset += 4
  }

  float32(value: number): void {
    this.reserve(4).setFloat32(this.offset, value, true)
    this.offset += 4
  }

  float64(value: number): void {
    this.reserve(8).setFloat64(this.offset, value, true)
    this.offset += 8
  }

  /** Writes a UTF-8 string after its byte length (uint32). */
  string(value: string): void {
    const encoded = new TextEncoder().encode(value)
    this.uint32(encoded.length)
    this.reserve(encoded.length)
    this.bytes.set(encoded, this.offset)
    this.offset += encoded.length
  }

  /** Returns a copy of the bytes written so far. */
  finish(): Uint8Array {
    return this.bytes.slice(0, this.offset)
  }

  private reserve(length: number): DataView {
    if (this.offset + length > this.bytes.length) {
      const larger = new Uint8Array(Math.max(this.bytes.length * 2, this.offset + length))
      larger.set(this.bytes)
      this.bytes = larger
      this.view = new DataView(larger.buffer)
    }
    return this.view
  }
}

/**
 * Little-endian binary reader that checks every read against the end of the input. Throws
 * FeatureForestError('invalid_request') naming `what` when the input is too short.
 */
export class ByteReader {
  private readonly view: DataView
  private offset = 0

  constructor(
    private readonly bytes: Uint8Array,
    private readonly what: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }

  get remaining(): number {
    return this.bytes.length - this.offset
  }

  uint8(): number {
    return this.view.getUint8(this.advance(1))
  }

  uint16(): number {
    return this.view.getUint16(this.advance(2), true)
  }

  uint32(): number {
    return this.view.getUint32(this.advance(4), true)
  }

  float32(): number {
    return this.view.getFloat32(this.advance(4), true)
  }

  float64(): number {
    return this.view.getFloat64(this.advance(8), true)
  }

  string(): string {
    const length = this.uint32()
    const start = this.advance(length)
    try {
      return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(
        this.bytes.subarray(start, start + length),
      )
    } catch {
      throw this.invalid(`a string at byte ${start} is not valid UTF-8`)
    }
  }

  raw(length: number): Uint8Array {
    const start = this.advance(length)
    return this.bytes.subarray(start, start + length)
  }

  /** Returns an error about the input, with `detail` saying what is wrong. */
  invalid(detail: string): FeatureForestError {
    return new FeatureForestError('invalid_request', `invalid ${this.what}: ${detail}`)
  }

  private advance(length: number): number {
    const start = this.offset
    if (start + length > this.bytes.length) {
      throw this.invalid(
        `truncated: ${length} more bytes needed at byte ${start}, but the input ends at byte ${this.bytes.length}`,
      )
    }
    this.offset += length
    return start
  }
}
