import { ByteReader, ByteWriter } from './byte-io'
import { RandomForest } from './forest'
import { resolveForestOptions, type ForestOptions, type MaxFeatures } from './options'
import { DecisionTree, LEAF } from './tree'

/**
 * Version of the binary forest format that `serializeForest` writes. `deserializeForest` also
 * reads version 1, which stored split bins as uint8 and `maxBins` as uint16.
 */
export const FOREST_FORMAT_VERSION = 2

/** First bytes of every serialised forest: 'FFRF' in ASCII. */
const MAGIC = [0x46, 0x46, 0x52, 0x46]

const MAX_FEATURES_CODES: readonly ('sqrt' | 'log2' | 'all')[] = ['sqrt', 'log2', 'all']
const MAX_FEATURES_COUNT = 3

/**
 * Encodes a forest in the compact binary format, little-endian:
 *
 * - header: magic 'FFRF' and format version (uint16). Then backbone model id and feature kind,
 *   feature count, class count and class labels, tree count, examples seen and examples at the last
 *   full build. Counts are uint32, and strings are a uint32 byte length and UTF-8. Then the class
 *   weights (float64 each).
 * - the build options
 * - each tree: node count (uint32), then each node. A node starts with its feature + 1, or 0 for a
 *   leaf, as uint16 when there are fewer than 65535 features and as uint32 otherwise. A split
 *   continues with its threshold (float64), split bin (uint16) and left child (uint32). Every node
 *   ends with its class weights (float32 each).
 *
 * Thresholds and class weights keep their in-memory types, so a decoded forest predicts bit for
 * bit the same probabilities. The training examples are not included.
 */
export function serializeForest(forest: RandomForest): Uint8Array {
  const writer = new ByteWriter()
  for (const byte of MAGIC) writer.uint8(byte)
  writer.uint16(FOREST_FORMAT_VERSION)
  writer.string(forest.metadata.backboneModelId)
  writer.string(forest.metadata.featureKind)
  writer.uint32(forest.featureCount)
  writer.uint32(forest.classes.length)
  for (const label of forest.classes) writer.string(label)
  writer.uint32(forest.trees.length)
  writer.uint32(forest.training.examplesSeen)
  writer.uint32(forest.training.examplesAtBuild)
  for (const weight of forest.training.classWeights) writer.float64(weight)
  writeOptions(writer, forest.options)

  const wideFeatures = forest.featureCount >= 0xffff
  for (const tree of forest.trees) {
    writer.uint32(tree.nodeCount)
    for (let node = 0; node < tree.nodeCount; node++) {
      const feature = tree.feature[node]!
      if (wideFeatures) writer.uint32(feature + 1)
      else writer.uint16(feature + 1)
      if (feature !== LEAF) {
        writer.float64(tree.threshold[node]!)
        writer.uint16(tree.splitBin[node]!)
        writer.uint32(tree.left[node]!)
      }
      for (let c = 0; c < tree.classCount; c++) {
        writer.float32(tree.classWeights[node * tree.classCount + c]!)
      }
    }
  }
  return writer.finish()
}

/**
 * Decodes a forest written by `serializeForest`, in format version 1 or 2. Throws
 * FeatureForestError('invalid_request') for bytes that are not a forest, another format version,
 * truncated bytes, trailing bytes or a tree whose structure is inconsistent.
 */
export function deserializeForest(bytes: Uint8Array): RandomForest {
  if (!(bytes instanceof Uint8Array)) throw new TypeError('bytes must be a Uint8Array')
  const reader = new ByteReader(bytes, 'forest bytes')
  const magic = Array.from(reader.raw(4))
  if (magic.some((byte, i) => byte !== MAGIC[i])) {
    throw reader.invalid(
      `the first 4 bytes are ${JSON.stringify(magic)}, not the magic 'FFRF' of a serialised forest`,
    )
  }
  const version = reader.uint16()
  if (version !== 1 && version !== FOREST_FORMAT_VERSION) {
    throw reader.invalid(
      `format version ${version} is not supported; this build reads versions 1 to ${FOREST_FORMAT_VERSION}`,
    )
  }
  const metadata = { backboneModelId: reader.string(), featureKind: reader.string() }
  const featureCount = reader.uint32()
  const classCount = reader.uint32()
  if (featureCount === 0 || classCount === 0 || classCount > reader.remaining) {
    throw reader.invalid(
      `${featureCount} features and ${classCount} classes are not a valid forest`,
    )
  }
  const classes = Array.from({ length: classCount }, () => reader.string())
  const treeCount = reader.uint32()
  const examplesSeen = reader.uint32()
  const examplesAtBuild = reader.uint32()
  const classWeights = Float64Array.from({ length: classCount }, () => reader.float64())
  const options = readOptions(reader, version)

  const trees: DecisionTree[] = []
  for (let t = 0; t < treeCount; t++) {
    trees.push(readTree(reader, t, featureCount, classCount, version))
  }
  if (reader.remaining !== 0) {
    throw reader.invalid(`${reader.remaining} unexpected bytes after the last tree`)
  }
  const training = { examplesSeen, examplesAtBuild, classWeights }
  return new RandomForest(classes, featureCount, trees, options, metadata, training)
}

function readTree(
  reader: ByteReader,
  index: number,
  featureCount: number,
  classCount: number,
  version: number,
): DecisionTree {
  const nodeCount = reader.uint32()
  if (nodeCount === 0 || nodeCount > reader.remaining) {
    throw reader.invalid(`tree ${index} declares ${nodeCount} nodes`)
  }
  const wideFeatures = featureCount >= 0xffff
  const tree = new DecisionTree(classCount, nodeCount)
  for (let node = 0; node < nodeCount; node++) {
    tree.addLeaf()
    const feature = (wideFeatures ? reader.uint32() : reader.uint16()) - 1
    if (feature !== LEAF) {
      const threshold = reader.float64()
      const splitBin = version === 1 ? reader.uint8() : reader.uint16()
      const left = reader.uint32()
      if (feature >= featureCount || left <= node || left + 1 >= nodeCount) {
        throw reader.invalid(
          `node ${node} of tree ${index} has feature ${feature} and left child ${left}`,
        )
      }
      tree.feature[node] = feature
      tree.threshold[node] = threshold
      tree.splitBin[node] = splitBin
      tree.left[node] = left
    }
    for (let c = 0; c < classCount; c++) tree.classWeights[node * classCount + c] = reader.float32()
  }
  return tree
}

function writeOptions(writer: ByteWriter, options: ForestOptions): void {
  writer.uint32(options.nEstimators)
  const code = MAX_FEATURES_CODES.indexOf(options.maxFeatures as 'sqrt')
  writer.uint8(code >= 0 ? code : MAX_FEATURES_COUNT)
  writer.uint32(code >= 0 ? 0 : (options.maxFeatures as number))
  writer.uint8(options.criterion === 'gini' ? 0 : 1)
  writer.float64(options.maxDepth)
  writer.uint32(options.minSamplesLeaf)
  writer.uint8(options.bootstrap ? 1 : 0)
  writer.string(JSON.stringify(options.classWeight))
  writer.uint32(options.maxBins)
  writer.uint32(options.seed)
  writer.float64(options.rebuildAfterGrowth)
}

function readOptions(reader: ByteReader, version: number): ForestOptions {
  const nEstimators = reader.uint32()
  const maxFeaturesCode = reader.uint8()
  const maxFeaturesCount = reader.uint32()
  const maxFeatures: MaxFeatures =
    maxFeaturesCode === MAX_FEATURES_COUNT
      ? maxFeaturesCount
      : ((MAX_FEATURES_CODES[maxFeaturesCode] ?? 'invalid') as MaxFeatures)

  const criterion = reader.uint8() === 0 ? 'gini' : 'entropy'
  const maxDepth = reader.float64()
  const minSamplesLeaf = reader.uint32()
  const bootstrap = reader.uint8() === 1
  const classWeightJson = reader.string()
  const maxBins = version === 1 ? reader.uint16() : reader.uint32()
  const seed = reader.uint32()
  const rebuildAfterGrowth = reader.float64()

  try {
    const classWeight = JSON.parse(classWeightJson) as ForestOptions['classWeight']
    return resolveForestOptions({
      nEstimators,
      maxFeatures,
      criterion,
      maxDepth,
      minSamplesLeaf,
      bootstrap,
      classWeight,
      maxBins,
      seed,
      rebuildAfterGrowth,
    })
  } catch (error) {
    throw reader.invalid(`the stored options are invalid (${(error as Error).message})`)
  }
}
