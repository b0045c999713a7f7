/** Image container formats that `decodeImage` decodes. */
export type ImageFormat = 'jpeg' | 'png' | 'webp' | 'gif'

/** The formats of `ImageFormat`, in the order error messages list them. */
export const SUPPORTED_FORMATS: readonly ImageFormat[] = ['jpeg', 'png', 'webp', 'gif']

/** 8-bit RGB pixels, 3 bytes per pixel, row-major, upright and without alpha. */
export interface RgbImage {
  width: number
  height: number
  data: Uint8Array
}

/** Result of `decodeImage`. */
export interface DecodedImage {
  format: ImageFormat
  image: RgbImage
  /** Width stored in the file, before the EXIF orientation is applied. */
  sourceWidth: number
  /** Height stored in the file, before the EXIF orientation is applied. */
  sourceHeight: number
  /** EXIF orientation applied, 1 to 8 (1 when the file has none or an invalid value). */
  orientation: number
}

/** Facts read from the container and frame headers without decoding pixels. */
export interface ImageHeader {
  width: number
  height: number
  /** Estimated peak memory of decoding this image, in bytes. */
  decodeBytes: number
}
