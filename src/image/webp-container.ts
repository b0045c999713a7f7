import { FeatureForestError } from '../errors'

/** Facts from the RIFF container of a WebP file. */
export interface WebpContainer {
  /** Canvas size: the VP8X canvas, or the size of the single VP8/VP8L bitstream. */
  width: number
  height: number
  animated: boolean
  exif: Uint8Array | undefined
  /** First ANMF frame of an animation. */
  firstFrame: WebpFrame | undefined
}

export interface WebpFrame {
  x: number
  y: number
  width: number
  height: number
  /** The frame's ALPH, VP8 and VP8L chunks, headers included. */
  chunks: Uint8Array
  hasAlpha: boolean
}

const VP8X_ANIMATION = 0x02
const VP8X_ALPHA = 0x10

export function corruptWebp(reason: string): FeatureForestError {
  return new FeatureForestError('corrupt_image', `corrupt WebP: ${reason}`)
}

const readUint24 = (bytes: Uint8Array, offset: number): number =>
  (bytes[offset] ?? 0) | ((bytes[offset + 1] ?? 0) << 8) | ((bytes[offset + 2] ?? 0) << 16)

const fourCc = (bytes: Uint8Array, offset: number): string =>
  String.fromCharCode(...bytes.subarray(offset, offset + 4))

/** Walks the RIFF chunks of a WebP file and reads the canvas size, EXIF and first animation frame. */
export function readWebpContainer(bytes: Uint8Array): WebpContainer {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (bytes.length < 20) {
    throw corruptWebp(`the file is only ${bytes.length} bytes long`)
  }
  const end = Math.min(bytes.length, 8 + view.getUint32(4, true))
  const container: WebpContainer = {
    width: 0,
    height: 0,
    animated: false,
    exif: undefined,
    firstFrame: undefined,
  }
  let sawCanvas = false

  for (let offset = 12; offset + 8 <= end;) {
    const name = fourCc(bytes, offset)
    const size = view.getUint32(offset + 4, true)
    const data = bytes.subarray(offset + 8, offset + 8 + size)
    if (data.length !== size) {
      throw corruptWebp(`chunk ${name} at byte ${offset} is truncated`)
    }
    if (name === 'VP8X' && size >= 10) {
      container.animated = ((data[0] ?? 0) & VP8X_ANIMATION) !== 0
      container.width = readUint24(data, 4) + 1
      container.height = readUint24(data, 7) + 1
      sawCanvas = true
    } else if ((name === 'VP8 ' || name === 'VP8L') && !sawCanvas) {
      Object.assign(container, readBitstreamSize(name, data))
      sawCanvas = true
    } else if (name === 'EXIF' && !container.exif) {
      container.exif = data
    } else if (name === 'ANMF' && !container.firstFrame) {
      container.firstFrame = readFrame(data)
    }
    offset += 8 + size + (size & 1)
  }

  if (!sawCanvas) {
    throw corruptWebp('there is no VP8, VP8L or VP8X chunk')
  }
  if (container.animated && !container.firstFrame) {
    throw corruptWebp('the animation has no ANMF frame')
  }
  return container
}

function readBitstreamSize(name: string, data: Uint8Array): { width: number; height: number } {
  if (name === 'VP8L') {
    if (data[0] !== 0x2f || data.length < 5) {
      throw corruptWebp('the VP8L signature is missing')
    }
    const bits = new DataView(data.buffer, data.byteOffset + 1, 4).getUint32(0, true)
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 }
  }
  if (data.length < 10 || data[3] !== 0x9d || data[4] !== 0x01 || data[5] !== 0x2a) {
    throw corruptWebp('the VP8 start code is missing')
  }
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength)
  return { width: view.getUint16(6, true) & 0x3fff, height: view.getUint16(8, true) & 0x3fff }
}

function readFrame(data: Uint8Array): WebpFrame {
  if (data.length < 16) {
    throw corruptWebp('an ANMF chunk is shorter than its 16-byte header')
  }
  const chunks = data.subarray(16)
  return {
    x: readUint24(data, 0) * 2,
    y: readUint24(data, 3) * 2,
    width: readUint24(data, 6) + 1,
    height: readUint24(data, 9) + 1,
    chunks,
    hasAlpha: chunks.length >= 4 && (fourCc(chunks, 0) === 'ALPH' || fourCc(chunks, 0) === 'VP8L'),
  }
}

/** Wraps an animation frame's chunks in a still-image VP8X container that libwebp decodes. */
export function buildStillWebp(frame: WebpFrame): Uint8Array {
  const vp8xSize = 10
  const total = 12 + 8 + vp8xSize + frame.chunks.length
  const file = new Uint8Array(total)
  const view = new DataView(file.buffer)
  file.set([0x52, 0x49, 0x46, 0x46], 0) // RIFF
  view.setUint32(4, total - 8, true)
  file.set([0x57, 0x45, 0x42, 0x50, 0x56, 0x50, 0x38, 0x58], 8) // WEBPVP8X
  view.setUint32(16, vp8xSize, true)
  file[20] = frame.hasAlpha ? VP8X_ALPHA : 0
  writeUint24(file, 24, frame.width - 1)
  writeUint24(file, 27, frame.height - 1)
  file.set(frame.chunks, 30)
  return file
}

function writeUint24(target: Uint8Array, offset: number, value: number): void {
  target[offset] = value & 0xff
  target[offset + 1] = (value >> 8) & 0xff
  target[offset + 2] = (value >> 16) & 0xff
}
