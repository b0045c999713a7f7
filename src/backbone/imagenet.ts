import IMAGENET_CLASSES from '../../models/installed/imagenet-classes.json'

/** One ImageNet class with its probability. */
export interface ClassScore {
  id: number
  label: string
  probability: number
}

/** Converts logits to probabilities, computing in float64 after subtracting the maximum. */
export function softmax(logits: Float32Array): Float32Array {
  let max = -Infinity
  for (const value of logits) max = Math.max(max, value)

  const exponentials = new Float64Array(logits.length)
  let sum = 0
  for (let i = 0; i < logits.length; i++) {
    const exponential = Math.exp((logits[i] as number) - max)
    exponentials[i] = exponential
    sum += exponential
  }
  return Float32Array.from(exponentials, (value) => value / sum)
}

/** Returns the `k` most probable ImageNet classes, most probable first. */
export function topClasses(probabilities: Float32Array, k = 5): ClassScore[] {
  const ids = Array.from(probabilities.keys())
  ids.sort((a, b) => (probabilities[b] as number) - (probabilities[a] as number) || a - b)
  return ids.slice(0, k).map((id) => ({
    id,
    label: IMAGENET_CLASSES[id] ?? `class ${id}`,
    probability: probabilities[id] as number,
  }))
}
