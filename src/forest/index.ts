export type { FeatureRow, LabelledExamples } from './examples'
export type { ForestMetadata, PredictOptions, TrainingRecord } from './forest'
export { RandomForest } from './forest'
export {
  exportMlRandomForestJson,
  importMlRandomForestJson,
  type MlRandomForestJson,
} from './ml-random-forest-json'
export { ForestTrainer, trainForest, type UpdateKind } from './online'
export {
  DEFAULT_FOREST_OPTIONS,
  type ClassWeight,
  type ForestOptions,
  type MaxFeatures,
  type SplitCriterion,
} from './options'
export { deserializeForest, FOREST_FORMAT_VERSION, serializeForest } from './serialize'
