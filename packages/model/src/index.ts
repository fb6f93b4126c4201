/** `@wms/model`: the segmentation model, training and inference (inference alone: `@wms/model/inference`). */
export * from './inference';
export * from './config';
export {
  splitPairs,
  assignSplit,
  recordSplit,
  withMinimumValidation,
  idBucket,
  type DataSplit,
  type RecordedSplit,
  type SplitName,
} from './split';
export { assignFold, foldSplit, type FoldSplit } from './cv-folds';
export {
  crossValidate,
  cvMarkdown,
  CV_REPORT_JSON,
  CV_REPORT_MD,
  type CrossValidationOptions,
  type CrossValidationReport,
  type FoldResult,
} from './cross-validation';
export { resolveDerivedConfig, posWeightForShare, priorForShare, meanForegroundShare } from './derived-config';
export { chooseInference, type InferenceChoice } from './choose-inference';
export { buildUNet } from './unet';
export { trainModel, type TrainModelOptions, type TrainResult, type TrainDeps } from './train-model';
export type { EpochLog } from './train-loop';
export { trainSummaryMarkdown } from './train-summary';
export { METRICS_JSON, type RunRecord } from './run-record';
export { applyAugmentation, planAugmentation, IDENTITY_PLAN, type AugmentationPlan } from './augment';
