import { SeededRandom } from '../../src/forest/random'
import type { BenchmarkSet, DatasetFeatures } from './feature-source'

const SET_CLASSES: Record<BenchmarkSet, string[]> = {
  cats_dogs_kaggle: ['cat', 'dog'],
  flowers_tf: ['daisy', 'dandelion', 'roses', 'sunflowers', 'tulips'],
}
const SET_SIZES: Record<BenchmarkSet, number> = { cats_dogs_kaggle: 1000, flowers_tf: 500 }

/**
 * Returns made-up features with the shapes of the real ones (1000 probabilities summing to 1,
 * 1280 non-negative embedding values, 32 × 32 × 3 pixels in [0, 1]) and the class counts of each
 * set. Each class shifts a few dozen dimensions of each feature kind, so a forest scores well
 * below 100%. Use it to run the benchmark without the embedding pipeline. Its accuracies do
 * not predict those on real images.
 */
export async function loadSyntheticFeatures(set: BenchmarkSet): Promise<DatasetFeatures> {
  const classes = SET_CLASSES[set]
  const random = new SeededRandom(set === 'flowers_tf' ? 2 : 1)
  const uniform = (): number => random.nextUint32() / 2 ** 32
  const gaussian = (): number =>
    Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform())
  const prototype = (length: number, shifted: number, scale: number): Map<number, number> => {
    const shifts = new Map<number, number>()
    while (shifts.size < shifted) shifts.set(random.nextInt(length), gaussian() * scale)
    return shifts
  }
  const prototypes = classes.map(() => ({
    embedding: prototype(1280, 40, 0.6),
    logits: prototype(1000, 20, 1.5),
    pixels: prototype(3072, 200, 0.08),
  }))

  const features: DatasetFeatures = {
    ids: [],
    labels: [],
    probabilities: [],
    embeddings: [],
    pixels: [],
  }
  for (let i = 0; i < SET_SIZES[set]; i++) {
    const c = i % classes.length
    const { embedding, logits, pixels } = prototypes[c]!
    features.ids.push(`${classes[c]}/${i}.jpg`)
    features.labels.push(classes[c]!)
    features.embeddings.push(
      Float32Array.from({ length: 1280 }, (_, j) =>
        Math.max(0, 0.3 + 0.5 * gaussian() + (embedding.get(j) ?? 0)),
      ),
    )
    features.probabilities.push(
      softmax(Float64Array.from({ length: 1000 }, (_, j) => gaussian() + (logits.get(j) ?? 0))),
    )
    features.pixels.push(
      Float32Array.from({ length: 3072 }, (_, j) =>
        Math.min(1, Math.max(0, 0.5 + 0.2 * gaussian() + (pixels.get(j) ?? 0))),
      ),
    )
  }
  return features
}

function softmax(logits: Float64Array): Float32Array {
  const max = Math.max(...logits)
  const exps = logits.map((value) => Math.exp(value - max))
  const sum = exps.reduce((total, value) => total + value, 0)
  return Float32Array.from(exps, (value) => value / sum)
}
