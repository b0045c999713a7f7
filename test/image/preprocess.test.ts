import { describe, expect, it } from 'vitest'

import { decodeImage, toModelInput, type RgbImage } from '../../src/image'
import { HAS_DATA, readFixture } from '../support/fixtures'
import reference from './preprocess-reference.json'

const PLANE = 224 * 224
/** Largest difference from Pillow allowed for one normalised value: two 8-bit levels. */
const MAX_ABS_DIFF = 2 / (255 * 0.224)
/** Largest mean difference from Pillow allowed over the sampled values. */
const MEAN_ABS_DIFF = 0.002
/** Largest difference from Pillow allowed for a channel mean. */
const CHANNEL_MEAN_DIFF = 0.005

/** Builds the synthetic image that scripts/reference/preprocess_reference.py builds with Pillow. */
function gradient(width = 300, height = 200): RgbImage {
  const data = new Uint8Array(width * height * 3)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const index = (y * width + x) * 3
      data[index] = Math.floor((x * 255) / (width - 1))
      data[index + 1] = Math.floor((y * 255) / (height - 1))
      data[index + 2] = (x * 8 + y * 4) % 256
    }
  }
  return { width, height, data }
}

function channelMeans(tensor: Float32Array): number[] {
  return [0, 1, 2].map((channel) => {
    let sum = 0
    for (let index = channel * PLANE; index < (channel + 1) * PLANE; index++) {
      sum += tensor[index] ?? 0
    }
    return sum / PLANE
  })
}

function solid(red: number, green: number, blue: number, width = 300, height = 260): RgbImage {
  const data = new Uint8Array(width * height * 3)
  for (let index = 0; index < data.length; index += 3) {
    data.set([red, green, blue], index)
  }
  return { width, height, data }
}

describe('toModelInput', () => {
  it('returns a 3×224×224 tensor', async () => {
    const tensor = await toModelInput(gradient())

    expect(tensor).toBeInstanceOf(Float32Array)
    expect(tensor.length).toBe(150_528)
  })

  it('keeps the channels in RGB order', async () => {
    const [red, green, blue] = channelMeans(await toModelInput(solid(255, 0, 0)))

    expect(red).toBeCloseTo((1 - 0.485) / 0.229, 4)
    expect(green).toBeCloseTo(-0.456 / 0.224, 4)
    expect(blue).toBeCloseTo(-0.406 / 0.225, 4)
  })

  it('handles images smaller than the crop', async () => {
    const tensor = await toModelInput(solid(0, 128, 255, 3, 2))

    expect(tensor.length).toBe(150_528)
    expect(channelMeans(tensor)[1]).toBeCloseTo((128 / 255 - 0.456) / 0.224, 4)
  })

  for (const expected of reference.images) {
    it.skipIf(!HAS_DATA)(`matches Pillow on ${expected.name}`, async () => {
      const image =
        expected.name === 'gradient'
          ? gradient()
          : (await decodeImage(await readFixture(expected.name))).image
      expect([image.width, image.height]).toEqual([expected.width, expected.height])

      const tensor = await toModelInput(image)

      const diffs = expected.samples.map((value, index) =>
        Math.abs((tensor[index * reference.stride] ?? NaN) - value),
      )
      const maxDiff = Math.max(...diffs)
      const meanDiff = diffs.reduce((sum, diff) => sum + diff, 0) / diffs.length
      expect(maxDiff).toBeLessThanOrEqual(MAX_ABS_DIFF)
      expect(meanDiff).toBeLessThanOrEqual(MEAN_ABS_DIFF)
      channelMeans(tensor).forEach((mean, channel) => {
        expect(Math.abs(mean - (expected.channelMeans[channel] ?? NaN))).toBeLessThanOrEqual(
          CHANNEL_MEAN_DIFF,
        )
      })
    })
  }
})
