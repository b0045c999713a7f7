import { FeatureForestError } from '../errors'
import { RandomForest, UNKNOWN_METADATA, type ForestMetadata } from './forest'
import { resolveForestOptions } from './options'
import { DecisionTree, LEAF } from './tree'

/** A node of an ml-cart 2.1.1 `DecisionTreeClassifier` as `JSON.stringify(rf.toJSON())` writes it. */
export interface MlCartNodeJson {
  /** Split: a row goes left when `row[splitColumn] < splitValue`. */
  splitValue?: number
  /** Split: index into the tree's feature subset (`indexes[t]` of the forest). */
  splitColumn?: number
  gain?: number
  numberSamples?: number
  left?: MlCartNodeJson
  right?: MlCartNodeJson
  /** Leaf: class frequencies as a one-row matrix. The tree predicts the index of the first maximum. */
  distribution?: number[][]
  [field: string]: unknown
}

/** An ml-cart `DecisionTreeClassifier` in JSON. */
export interface MlCartTreeJson {
  name: 'DTClassifier'
  options: Record<string, unknown>
  root: MlCartNodeJson
}

/** An ml-random-forest 2.1.0 `RandomForestClassifier` in JSON, as `toJSON()` returns and `load()` reads. */
export interface MlRandomForestJson {
  name: 'RFClassifier'
  baseModel: {
    /** Feature subset of each tree, in the tree's column order. */
    indexes: number[][]
    n: number
    replacement: boolean
    maxFeatures: number
    nEstimators: number
    treeOptions: Record<string, unknown>
    isClassifier: boolean
    seed: number
    estimators: MlCartTreeJson[]
    useSampleBagging: boolean
    [field: string]: unknown
  }
}

/** Options of `importMlRandomForestJson`. */
export interface MlRandomForestImportOptions {
  /** Labels of class indexes 0, 1, ... The default is '0', '1', ... up to the longest leaf distribution. */
  classes?: readonly string[]
  /**
   * Length of the feature vectors. The default, the highest feature index any tree uses plus one,
   * is too short when the last features are unused, so pass the real length when it is known.
   */
  featureCount?: number
  metadata?: ForestMetadata
}

/**
 * Converts a forest to ml-random-forest 2.1.0's JSON, for `RandomForestClassifier.load()`. Class i
 * of ml-random-forest is `forest.classes[i]`. Each threshold t becomes the smallest double above
 * t, because ml-cart sends a row left when `value < splitValue` and this engine when
 * `value <= threshold`, so every tree reaches the same leaf. ml-random-forest's `predict` matches
 * `forest.predict(rows, { voting: 'hard' })`. Its trees store probabilities, not class weights, so
 * only predictions carry over.
 */
export function exportMlRandomForestJson(forest: RandomForest): MlRandomForestJson {
  const treeOptions = {
    gainFunction: 'gini',
    splitFunction: 'mean',
    minNumSamples: forest.options.minSamplesLeaf,
    maxDepth: Number.isFinite(forest.options.maxDepth) ? forest.options.maxDepth : 1e9,
    gainThreshold: 0,
    kind: 'classifier',
  }
  const indexes: number[][] = []
  const estimators = forest.trees.map((tree) => {
    const used = usedFeatures(tree)
    indexes.push(used)
    const column = new Map(used.map((feature, position) => [feature, position]))
    const root = exportNode(tree, 0, column)
    return { name: 'DTClassifier' as const, options: treeOptions, root }
  })
  return {
    name: 'RFClassifier',
    baseModel: {
      indexes,
      n: forest.featureCount,
      replacement: false,
      maxFeatures: forest.featureCount,
      nEstimators: forest.trees.length,
      treeOptions,
      isClassifier: true,
      seed: forest.options.seed,
      estimators,
      useSampleBagging: forest.options.bootstrap,
    },
  }
}

/**
 * Converts ml-random-forest 2.1.0's JSON to a forest that predicts like it: with
 * `predict(rows, { voting: 'hard' })` the labels are those of ml-random-forest's `predict`. Leaf
 * distributions become the class weights of the leaves. A split node's class weights are the sum
 * of its children's, so feature importances of an imported forest count leaves, not examples.
 * The forest has no bins, so `ForestTrainer.resume` rebuilds it from scratch.
 * Throws FeatureForestError('invalid_request') for JSON of another shape.
 */
export function importMlRandomForestJson(
  json: MlRandomForestJson,
  options: MlRandomForestImportOptions = {},
): RandomForest {
  const model = json?.baseModel
  if (json?.name !== 'RFClassifier' || !model || !Array.isArray(model.estimators)) {
    throw invalid(`expected an object with name 'RFClassifier' and baseModel.estimators`)
  }
  if (!Array.isArray(model.indexes) || model.indexes.length !== model.estimators.length) {
    throw invalid('baseModel.indexes must list one feature subset per estimator')
  }
  if (model.estimators.length === 0) throw invalid('the forest has no estimators')

  const widest = Math.max(1, ...model.estimators.map((tree) => widestDistribution(tree?.root)))
  const classes = options.classes ?? Array.from({ length: widest }, (_, c) => String(c))
  if (classes.length < widest) {
    throw invalid(`leaves have ${widest} classes but ${classes.length} class labels were given`)
  }
  const highestFeature = model.indexes
    .flat()
    .reduce((highest, feature) => Math.max(highest, feature), 0)
  const featureCount = options.featureCount ?? highestFeature + 1
  if (!(featureCount > highestFeature)) {
    throw invalid(`a tree uses feature ${highestFeature}, but featureCount is ${featureCount}`)
  }

  const trees = model.estimators.map((estimator, t) =>
    importTree(estimator, model.indexes[t]!, classes.length, t),
  )
  const seed =
    Number.isInteger(model.seed) && model.seed >= 0 && model.seed < 2 ** 32 ? model.seed : undefined
  const forestOptions = resolveForestOptions({ nEstimators: trees.length, seed })
  const training = {
    examplesSeen: 0,
    examplesAtBuild: 0,
    classWeights: new Float64Array(classes.length).fill(1),
  }
  const metadata = options.metadata ?? UNKNOWN_METADATA
  return new RandomForest([...classes], featureCount, trees, forestOptions, metadata, training)
}

function usedFeatures(tree: DecisionTree): number[] {
  const used = new Set<number>()
  for (let node = 0; node < tree.nodeCount; node++) {
    if (tree.feature[node] !== LEAF) used.add(tree.feature[node]!)
  }
  return used.size > 0 ? [...used].sort((a, b) => a - b) : [0]
}

function exportNode(tree: DecisionTree, node: number, column: Map<number, number>): MlCartNodeJson {
  const k = tree.classCount
  const feature = tree.feature[node]!
  if (feature === LEAF) {
    const probabilities = tree.nodeProbabilities().subarray(node * k, (node + 1) * k)
    return { distribution: [Array.from(probabilities)] }
  }
  const left = tree.left[node]!
  return {
    splitValue: nextDoubleUp(tree.threshold[node]!),
    splitColumn: column.get(feature)!,
    left: exportNode(tree, left, column),
    right: exportNode(tree, left + 1, column),
  }
}

function importTree(
  estimator: MlCartTreeJson,
  indexes: number[],
  classCount: number,
  index: number,
): DecisionTree {
  if (estimator?.name !== 'DTClassifier' || !estimator.root) {
    throw invalid(`estimator ${index} is not a DTClassifier with a root`)
  }
  const tree = new DecisionTree(classCount)
  const pending: [MlCartNodeJson, number][] = [[estimator.root, tree.addLeaf()]]
  const splits: number[] = []
  while (pending.length > 0) {
    const [json, node] = pending.pop()!
    if (json.distribution !== undefined) {
      const row = leafDistribution(json, index)
      row.forEach((value, c) => tree.addClassWeight(node, c, value))
      continue
    }
    const feature = indexes[json.splitColumn ?? -1]
    const validFeature = Number.isInteger(feature) && feature! >= 0
    if (!validFeature || typeof json.splitValue !== 'number' || !json.left || !json.right) {
      throw invalid(`a split node of estimator ${index} lacks splitColumn, splitValue or a child`)
    }
    const left = tree.split(node, feature!, nextDoubleDown(json.splitValue), 0)
    splits.push(node)
    pending.push([json.right, left + 1], [json.left, left])
  }
  // NOTE: ml-cart stores no example counts in leaves, so these sums weigh every leaf alike and
  // feature importances of an imported forest only approximate ml-random-forest's own.
  // Children come after their parents, so summing in reverse order of creation sums bottom-up.
  for (let s = splits.length - 1; s >= 0; s--) {
    const node = splits[s]!
    const left = tree.left[node]!
    for (let c = 0; c < classCount; c++) {
      const weight =
        tree.classWeights[left * classCount + c]! + tree.classWeights[(left + 1) * classCount + c]!
      tree.addClassWeight(node, c, weight)
    }
  }
  return tree
}

function leafDistribution(json: MlCartNodeJson, index: number): number[] {
  const row = Array.isArray(json.distribution) ? json.distribution[0] : undefined
  if (!Array.isArray(row) || row.some((value) => typeof value !== 'number' || !(value >= 0))) {
    throw invalid(`a leaf of estimator ${index} has no distribution of non-negative numbers`)
  }
  return row
}

function widestDistribution(root: MlCartNodeJson | undefined): number {
  let widest = 0
  const pending = root ? [root] : []
  while (pending.length > 0) {
    const node = pending.pop()!
    const row = Array.isArray(node.distribution) ? node.distribution[0] : undefined
    if (Array.isArray(row)) widest = Math.max(widest, row.length)
    if (node.left) pending.push(node.left)
    if (node.right) pending.push(node.right)
  }
  return widest
}

/** Returns the smallest double greater than `value` (finite). */
function nextDoubleUp(value: number): number {
  if (value === 0) return Number.MIN_VALUE
  const view = new DataView(new ArrayBuffer(8))
  view.setFloat64(0, value)
  const bits = view.getBigUint64(0)
  view.setBigUint64(0, value > 0 ? bits + 1n : bits - 1n)
  return view.getFloat64(0)
}

/** Returns the largest double smaller than `value` (finite). */
function nextDoubleDown(value: number): number {
  return -nextDoubleUp(-value)
}

function invalid(detail: string): FeatureForestError {
  return new FeatureForestError('invalid_request', `invalid ml-random-forest model: ${detail}`)
}
