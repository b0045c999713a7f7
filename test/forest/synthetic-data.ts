import { SeededRandom } from '../../src/forest/random'

/** Labelled feature vectors made for a test. */
export interface SyntheticSet {
  features: Float32Array[]
  labels: string[]
}

/** Settings of `makeClusters`. */
export interface ClusterSettings {
  classes: number
  examples: number
  features: number
  /** Number of leading features whose mean depends on the class; the rest are pure noise. */
  informative: number
  /** Distance between class means on each informative feature, in noise standard deviations. */
  separation: number
  seed: number
}

/**
 * Returns Gaussian clusters, one per class, with labels 'class-0', 'class-1', ... cycling through
 * the examples. Each class has a random mean on the informative features; every feature gets
 * unit Gaussian noise. Like pretrained embeddings, it has many dimensions, few of which matter.
 */
export function makeClusters(settings: ClusterSettings): SyntheticSet {
  const random = new SeededRandom(settings.seed)
  const gaussian = (): number => {
    const u = (random.nextUint32() + 1) / 2 ** 32
    const v = random.nextUint32() / 2 ** 32
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v)
  }
  const means = Array.from({ length: settings.classes }, () =>
    Array.from({ length: settings.informative }, () => gaussian() * settings.separation),
  )
  const features: Float32Array[] = []
  const labels: string[] = []
  for (let i = 0; i < settings.examples; i++) {
    const c = i % settings.classes
    const row = new Float32Array(settings.features)
    for (let j = 0; j < settings.features; j++) row[j] = gaussian() + (means[c]![j] ?? 0)
    features.push(row)
    labels.push(`class-${c}`)
  }
  return { features, labels }
}

/** Splits a set into its first `trainCount` examples and the rest. */
export function splitSet(set: SyntheticSet, trainCount: number): [SyntheticSet, SyntheticSet] {
  return [
    { features: set.features.slice(0, trainCount), labels: set.labels.slice(0, trainCount) },
    { features: set.features.slice(trainCount), labels: set.labels.slice(trainCount) },
  ]
}

/** Returns the fraction of predictions equal to the labels. */
export function accuracy(predictions: readonly string[], labels: readonly string[]): number {
  let correct = 0
  predictions.forEach((prediction, i) => {
    if (prediction === labels[i]) correct++
  })
  return correct / labels.length
}
