/** EXIF tag that stores the orientation, in IFD0 of the TIFF structure. */
const ORIENTATION_TAG = 0x0112
const TIFF_SHORT = 3
const EXIF_PREFIX = [0x45, 0x78, 0x69, 0x66, 0x00, 0x00] // "Exif\0\0"

/**
 * Reads the orientation (1 to 8) from an EXIF block: a TIFF structure, optionally preceded by
 * "Exif\0\0" as in a JPEG APP1 segment. Returns 1 for a missing, damaged or out-of-range value,
 * which includes the value 0 that some cameras write.
 */
export function readExifOrientation(exif: Uint8Array): number {
  const tiff = EXIF_PREFIX.every((value, index) => exif[index] === value) ? exif.subarray(6) : exif
  if (tiff.length < 8) {
    return 1
  }
  const view = new DataView(tiff.buffer, tiff.byteOffset, tiff.byteLength)
  const byteOrder = view.getUint16(0)
  if (byteOrder !== 0x4949 && byteOrder !== 0x4d4d) {
    return 1
  }
  const littleEndian = byteOrder === 0x4949
  if (view.getUint16(2, littleEndian) !== 42) {
    return 1
  }

  const ifdOffset = view.getUint32(4, littleEndian)
  if (ifdOffset + 2 > tiff.length) {
    return 1
  }
  const entryCount = view.getUint16(ifdOffset, littleEndian)
  for (let entry = 0; entry < entryCount; entry++) {
    const offset = ifdOffset + 2 + entry * 12
    if (offset + 12 > tiff.length) {
      return 1
    }
    if (view.getUint16(offset, littleEndian) !== ORIENTATION_TAG) {
      continue
    }
    if (view.getUint16(offset + 2, littleEndian) !== TIFF_SHORT) {
      return 1
    }
    const orientation = view.getUint16(offset + 8, littleEndian)
    return orientation >= 1 && orientation <= 8 ? orientation : 1
  }
  return 1
}
