/** The two labelled image sets of the benchmark, under FEATUREFOREST_DATA. */
export type BenchmarkSet = 'cats_dogs_kaggle' | 'flowers_tf'

/** Features of every image of a set, in the same order in every array. */
export interface DatasetFeatures {
  ids: string[]
  labels: string[]
  /** 1000 ImageNet class probabilities per image. */
  probabilities: Float32Array[]
  /** 1280-D pooled embedding per image. */
  embeddings: Float32Array[]
  /** The image resized small (for example 32 × 32 RGB) and flattened, values in [0, 1]. */
  pixels: Float32Array[]
}

/** A function that returns the features of a set. */
export type FeatureLoader = (set: BenchmarkSet) => Promise<DatasetFeatures>
