import { resizeWindow } from './resize'
import type { RgbImage } from './types'

/** Side of the square model input, in pixels. */
export const MODEL_INPUT_SIZE = 224
/** Shortest side after the resize that precedes the centre crop (torchvision `Resize(256)`). */
export const RESIZE_SHORTEST_SIDE = 256
/** ImageNet channel means and standard deviations (RGB) that MobileNetV2 was trained with. */
export const IMAGENET_MEAN = [0.485, 0.456, 0.406] as const
export const IMAGENET_STD = [0.229, 0.224, 0.225] as const

/**
 * Converts an RGB image to the model's NCHW float32 input of length 3×224×224. It resizes the
 * shortest side to 256 with the antialiased triangle filter and centre-crops 224×224, with the
 * sizes and rounding of torchvision `Resize(256)` and `CenterCrop(224)`. Then it scales values to
 * [0, 1] and normalises each channel with the ImageNet mean and standard deviation.
 */
export async function toModelInput(image: RgbImage): Promise<Float32Array> {
  const { width, height } = resizedSize(image.width, image.height)
  const crop = resizeWindow(image, width, height, {
    left: roundHalfToEven((width - MODEL_INPUT_SIZE) / 2),
    top: roundHalfToEven((height - MODEL_INPUT_SIZE) / 2),
    width: MODEL_INPUT_SIZE,
    height: MODEL_INPUT_SIZE,
  })

  const plane = MODEL_INPUT_SIZE * MODEL_INPUT_SIZE
  const tensor = new Float32Array(3 * plane)
  for (let channel = 0; channel < 3; channel++) {
    const scale = 1 / (255 * IMAGENET_STD[channel]!)
    const offset = IMAGENET_MEAN[channel]! / IMAGENET_STD[channel]!
    for (let pixel = 0; pixel < plane; pixel++) {
      tensor[channel * plane + pixel] = (crop.data[pixel * 3 + channel] ?? 0) * scale - offset
    }
  }
  return tensor
}

/** Output size of torchvision `Resize(256)`: the shortest side becomes 256, the other truncates. */
export function resizedSize(width: number, height: number): { width: number; height: number } {
  if (width <= height) {
    return {
      width: RESIZE_SHORTEST_SIDE,
      height: Math.trunc((RESIZE_SHORTEST_SIDE * height) / width),
    }
  }
  return {
    width: Math.trunc((RESIZE_SHORTEST_SIDE * width) / height),
    height: RESIZE_SHORTEST_SIDE,
  }
}

/** Python's `round`, which torchvision's `CenterCrop` uses: halves go to the even neighbour. */
function roundHalfToEven(value: number): number {
  const floor = Math.floor(value)
  const fraction = value - floor
  if (fraction !== 0.5) {
    return Math.round(value)
  }
  return floor % 2 === 0 ? floor : floor + 1
}
