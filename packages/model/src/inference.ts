/**
 * `@wms/model/inference`: everything that loads, runs and scores a saved model, and nothing that
 * trains one. The quality gate (and the model server to come) import this entry, so their bundles
 * carry no training loop, no data-parallel worker and no worker-side loss module. `@wms/model`
 * re-exports all of it beside the training API.
 */
export type { Pair } from '@wms/dataset';
export { modelInputSize } from './unet';
export { evaluate, evaluateModelDir, type EvaluateOptions, type ScoredImage } from './evaluate';
export {
  evaluateFolder,
  evaluationMarkdown,
  scoreModelOnPairs,
  stagesMarkdown,
  EVALUATION_JSON,
  EVALUATION_MD,
  type EvaluateFolderOptions,
  type FolderEvaluation,
  type ImageResult,
} from './evaluate-folder';
export { summarizeScores, MISS_DICE, type ScoreSummary } from './score-summary';
export { stageScores, summarizeStages, FOUND_COVER, type StageScores, type StageSummary } from './stage-breakdown';
export { predictProbabilities, firstStageProbabilities, refineConfidence } from './segmenter';
export { saveModel, loadModel, directoryReader, directoryWriter, MODEL_JSON, WEIGHTS_BIN } from './model-io';
export { predictToFiles, predictWithModel, type PredictionSummary } from './predict';
export {
  BACKEND_PREFERENCES,
  activateBackend,
  ensureBackend,
  type BackendPreference,
  type ActiveBackend,
} from './use-backend';
export { scorePrediction, resizeBilinear, diceAndIou, binarize, DEFAULT_THRESHOLD } from './metrics';
export {
  applyPostprocess,
  keepLargestComponent,
  fillHoles,
  componentBoxes,
  NO_POSTPROCESS,
  type PostprocessSpec,
} from './postprocess';
export {
  readInferenceSpec,
  inferenceSpecFromConfig,
  DEFAULT_INFERENCE,
  INFERENCE_JSON,
  type InferenceSpec,
  type TtaMode,
} from './inference-spec';
