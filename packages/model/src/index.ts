export * from './config';
export type { Pair } from '@wms/dataset';
export { splitPairs, assignSplit, recordSplit, type DataSplit, type RecordedSplit, type SplitName } from './split';
export { buildUNet, modelInputSize } from './unet';
export { evaluate, evaluateModelDir, type EvaluateOptions } from './evaluate';
export { predictProbabilities } from './segmenter';
export { saveModel, loadModel, directoryReader, directoryWriter, MODEL_JSON, WEIGHTS_BIN } from './model-io';
export { predictToFiles, predictWithModel, type PredictionSummary } from './predict';
export { trainModel, type TrainModelOptions, type TrainResult, type TrainDeps } from './train-model';
export type { EpochLog } from './train-loop';
export { trainSummaryMarkdown } from './train-summary';
export { METRICS_JSON, type RunRecord } from './run-record';
export {
  BACKEND_PREFERENCES,
  activateBackend,
  ensureBackend,
  type BackendPreference,
  type ActiveBackend,
} from './use-backend';
export { scorePrediction, resizeBilinear, diceAndIou, binarize, DEFAULT_THRESHOLD } from './metrics';
export { applyPostprocess, keepLargestComponent, fillHoles, NO_POSTPROCESS, type PostprocessSpec } from './postprocess';
export {
  readInferenceSpec,
  inferenceSpecFromConfig,
  DEFAULT_INFERENCE,
  INFERENCE_JSON,
  type InferenceSpec,
} from './inference';
export { applyAugmentation, planAugmentation, IDENTITY_PLAN, type AugmentationPlan } from './augment';
