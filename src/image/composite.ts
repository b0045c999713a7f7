/** Colour that transparent pixels are composited onto: white, as most image viewers show them. */
export const ALPHA_BACKGROUND = { r: 255, g: 255, b: 255 } as const

/**
 * Composites straight (non-premultiplied) RGBA onto `ALPHA_BACKGROUND` and packs it to RGB in
 * place. The result is a view of the first 3/4 of `rgba`'s buffer, so no second image is allocated.
 */
export function rgbaToRgb(rgba: Uint8Array | Uint8ClampedArray): Uint8Array {
  const pixels = rgba.length >> 2
  const rgb = new Uint8Array(rgba.buffer, rgba.byteOffset, pixels * 3)
  for (let pixel = 0, source = 0, target = 0; pixel < pixels; pixel++, source += 4, target += 3) {
    const alpha = rgba[source + 3] ?? 255
    const red = rgba[source] ?? 0
    const green = rgba[source + 1] ?? 0
    const blue = rgba[source + 2] ?? 0
    if (alpha === 255) {
      rgb[target] = red
      rgb[target + 1] = green
      rgb[target + 2] = blue
    } else {
      const cover = 255 - alpha
      rgb[target] = Math.round((red * alpha + ALPHA_BACKGROUND.r * cover) / 255)
      rgb[target + 1] = Math.round((green * alpha + ALPHA_BACKGROUND.g * cover) / 255)
      rgb[target + 2] = Math.round((blue * alpha + ALPHA_BACKGROUND.b * cover) / 255)
    }
  }
  return rgb
}
